// The human view of a snapshot (`cproc_exporter ps`): a table of containers, a process tree per
// container, and the same facts as JSON for scripts and /api/v1/containers. Pure: no I/O. Never
// holds a process's environment or command line.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "collectors/snapshot.h"

namespace cproc {

// One line per container: processes by state, PID 1, namespace flags and pids usage.
// `selected`: indices into snapshot.containers (FindContainers); empty: all of them.
std::string RenderContainerTable(const Snapshot& snapshot,
                                 const std::vector<std::size_t>& selected = {});

// The PID a process has inside its own PID namespace (innermost NSpid), or 0 if unknown.
using InnerPidLookup = std::function<int32_t(int32_t host_pid)>;

// The process tree of each selected container, with host and in-container PIDs; zombies marked.
// `selected` holds container indexes; empty selects all.
std::string RenderContainerTrees(const Snapshot& snapshot, const std::vector<std::size_t>& selected,
                                 const InnerPidLookup& inner_pid);

// JSON: {"containers":[{...}], "host_processes":{...}, "scan":{...}}; `selected` as above.
std::string RenderContainersJson(const Snapshot& snapshot,
                                 const std::vector<std::size_t>& selected = {});

// The containers `query` names: those whose name, id or runtime://id equals it; when none does,
// those whose name or id starts with it (as `docker ps` users type a few characters of either).
std::vector<std::size_t> FindContainers(const Snapshot& snapshot, const std::string& query);

// Every container `query` could mean, exactly or by a prefix: where picking the wrong one would
// print another container's secrets (ps --env), more than one is refused, not resolved.
std::vector<std::size_t> ContainersQueryCouldMean(const Snapshot& snapshot,
                                                  const std::string& query);

}  // namespace cproc
