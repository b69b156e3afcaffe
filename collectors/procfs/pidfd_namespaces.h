// A process's namespaces read through a pidfd (PIDFD_GET_<KIND>_NAMESPACE, Linux 6.11) rather
// than through its /proc/PID/ns/<kind> links.
//
// Why: looking up a /proc/PID/ns link leaves a proc inode and a dentry in the kernel's caches
// (about 900 bytes each time, charged to the exporter's memory cgroup) for as long as that
// process lives: about 8 KiB per process for the eight kinds, 800 MiB at 100,000 processes. The
// namespace file a pidfd hands out is the namespace's own (one per namespace, not per process),
// and the pidfd is gone when closed. Same permission check as the links (ptrace read access,
// i.e. CAP_SYS_PTRACE for other users' processes). See docs/PERFORMANCE.md "Kernel memory".
#pragma once

#include <cstdint>

#include "collectors/base/proc_files.h"
#include "collectors/procfs/namespaces.h"

namespace cproc {

// True when this kernel answers the ioctls and `proc_fd` is the procfs of the caller's own PID
// namespace (a pidfd is opened by pid as the caller sees it; a host /proc mounted into a
// container without the host's PID namespace numbers processes otherwise).
bool PidfdNamespacesUsable(int proc_fd);

// One process's pidfd, open while its namespaces are read.
class PidfdNamespaces {
 public:
  explicit PidfdNamespaces(int32_t pid);  // pid <= 0: stays closed (open() false)
  bool open() const { return pidfd_.valid(); }
  // The namespace of `kind` as (nsfs device, inode). kVanished also for a zombie, whose
  // namespaces the kernel has released except through the /proc links of pid and user: the
  // caller falls back to those.
  ReadResult Read(NsKind kind, NsId& out) const;

 private:
  Fd pidfd_;
};

}  // namespace cproc
