// Turns one scan's process listing into a Snapshot's containers and counts. Pure: no reads, no
// state kept between scans.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "collectors/runtimes/container_layouts.h"
#include "collectors/snapshot.h"

namespace cproc {

// The runtime a container belongs to, by its runtime's files (a bare id under kubepods is
// cri-dockerd's, not containerd's); the layout's guess when no file knows it.
using RuntimeOf = std::function<std::string(const ContainerMatch&)>;

// One Container per distinct (runtime, id), sorted by container_id, and each process's
// `container` index. `matches` is parallel to `processes`. Two layouts naming one container
// (its processes' cgroup lines differ) make one container, never two series with one
// container_id. Until the runtime's files name it, a container is named by its short id.
void GroupContainers(const std::vector<const ContainerMatch*>& matches, const RuntimeOf& runtime_of,
                     std::vector<Process>& processes, std::vector<Container>& containers);

// Sorts processes by pid, keeping `parallel` in step. procfs lists pids in order, so this
// rarely moves anything.
void SortByPid(std::vector<Process>& processes, std::vector<uint8_t>& parallel);

// Processes by state: the host's (in no container) and each container's, and their threads.
void CountProcesses(Snapshot& snapshot);

}  // namespace cproc
