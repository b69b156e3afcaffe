// What this process and its kernel are, for comparing namespaces: the exporter's own namespaces
// (from its own /proc/self, not --path.procfs) and the running kernel's version (for the fixed
// inodes of the initial namespaces, InitialNamespaceInode).
#pragma once

#include <optional>

#include "collectors/procfs/namespaces.h"

namespace cproc {

// The namespaces of the calling process, read from /proc/self/ns (not --path.procfs).
NsSet ReadSelfNamespaces();

// The running kernel's major.minor (uname).
std::optional<KernelVersion> RunningKernelVersion();

}  // namespace cproc
