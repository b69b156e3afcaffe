// The exporter inside a private cgroup namespace (Docker and containerd give each container one
// on cgroup v2 hosts): /proc/PID/cgroup is shown relative to the reader's namespace, so the
// exporter's own container reads "0::/", like the host's root, and other containers read
// "0::/../<their path>". Knowing where its namespace is rooted in the host's tree turns the
// first kind back into host paths, so its own container is recognised like any other.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace cproc {

// `path` (a unified-hierarchy path as this process reads it) as a path in the host's tree, given
// `root`, where this process's cgroup namespace is rooted ("" or "/": the host's own). A path
// starting with "/.." lies outside the namespace and is returned unchanged.
std::string HostCgroupPath(std::string_view root, std::string_view path);

// Where the namespace is rooted, from the directory `found` (relative to the cgroup2 mount) that
// lists this process in its cgroup.procs and the path `own` this process reads for itself in
// /proc/self/cgroup: `found` minus `own`'s components. "" when they do not fit together.
std::string NamespaceRootFrom(std::string_view found, std::string_view own);

// The root of this process's cgroup namespace in the host's cgroup v2 tree mounted under
// `sysfs` (<sysfs>/fs/cgroup, or .../unified on a hybrid host): "" when it is the host's
// namespace, and also when it cannot be told (no cgroup2 mount there, this process not found,
// more than `max_directories` cgroups). Walks the tree once: for the start of the exporter.
std::string FindOwnCgroupNamespaceRoot(const std::string& sysfs,
                                       std::size_t max_directories = 100000);

}  // namespace cproc
