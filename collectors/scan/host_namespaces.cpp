#include "collectors/scan/host_namespaces.h"

#include <array>
#include <cstdio>
#include <string>

#include <spdlog/spdlog.h>

#include "collectors/base/proc_files.h"
#include "collectors/procfs/self_namespaces.h"

namespace cproc {

HostNamespaceReader::HostNamespaceReader() : kernel_(RunningKernelVersion()) {}

NsSet HostNamespaceReader::Read(int proc_fd, const NsSet& self_ns) {
  // PID 1 of the procfs read; where its links are unreadable (it may hold capabilities the
  // reader lacks, README "Privileges") kthreadd, PID 2, lives in the same initial namespaces.
  NsSet host{};
  std::array<char, 32> path{};
  for (int32_t pid : {1, 2}) {
    for (std::size_t kind = 0; kind < kNsKindCount; ++kind) {
      if (host[kind].known()) continue;
      std::snprintf(path.data(), path.size(), "%d/%s", pid, kNsFiles[kind]);
      ReadNsAt(proc_fd, path.data(), host[kind]);
    }
  }
  // Without CAP_SYS_PTRACE neither is readable: the kernel numbers most initial namespaces
  // with fixed inodes, which need no privilege to know. Every namespace is on one nsfs.
  uint32_t dev = 0;
  for (const NsSet* set : std::array<const NsSet*, 2>{&host, &self_ns}) {
    for (const NsId& ns : *set) dev = dev != 0 ? dev : ns.dev;
  }
  std::string fixed;
  for (std::size_t kind = 0; kind < kNsKindCount; ++kind) {
    if (host[kind].known()) continue;
    if (auto ino = InitialNamespaceInode(static_cast<NsKind>(kind), kernel_)) {
      host[kind] = NsId{dev, *ino};
      fixed += (fixed.empty() ? "" : ",") + std::string(kNsKindNames[kind]);
    }
  }
  if (!fixed.empty() && !logged_fixed_) {
    logged_fixed_ = true;
    spdlog::info(
        "the host's namespace links (PID 1, 2) are unreadable; using the kernel's fixed "
        "numbers of its initial {} namespaces",
        fixed);
  }
  return host;
}

}  // namespace cproc
