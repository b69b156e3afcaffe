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
std::string RenderContainerTable(const Snapshot& snapshot);

// The PID a process has inside its own PID namespace (innermost NSpid), or 0 if unknown.
using InnerPidLookup = std::function<int32_t(int32_t host_pid)>;

// The process tree of each selected container, with host and in-container PIDs; zombies marked.
// `selected` holds container indexes; empty selects all.
std::string RenderContainerTrees(const Snapshot& snapshot, const std::vector<std::size_t>& selected,
                                 const InnerPidLookup& inner_pid);

// JSON: {"containers":[{...}], "host_processes":{...}, "scan":{...}}; `selected` as above.
std::string RenderContainersJson(const Snapshot& snapshot,
                                 const std::vector<std::size_t>& selected = {});

// Containers whose name, id or id prefix (at least 4 characters) equals `query`.
std::vector<std::size_t> FindContainers(const Snapshot& snapshot, const std::string& query);

}  // namespace cproc
