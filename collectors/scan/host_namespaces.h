// The host's namespaces (those of the procfs' PID 1), which every process is compared with, and
// the exporter's own.
#pragma once

#include <optional>

#include "collectors/procfs/namespaces.h"

namespace cproc {

class HostNamespaceReader {
 public:
  HostNamespaceReader();  // with the running kernel's version (for its fixed inodes)

  // PID 1's links (PID 2's where PID 1's are unreadable); without CAP_SYS_PTRACE, the kernel's
  // fixed numbers of its initial namespaces, on the nsfs device of `self_ns`.
  NsSet Read(int proc_fd, const NsSet& self_ns);

 private:
  std::optional<KernelVersion> kernel_;
  bool logged_fixed_ = false;  // logged once, not per scan
};

}  // namespace cproc
