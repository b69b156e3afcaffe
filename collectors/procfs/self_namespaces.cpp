#include "collectors/procfs/self_namespaces.h"

#include <fcntl.h>
#include <sys/utsname.h>

#include "collectors/base/proc_files.h"

namespace cproc {

std::optional<KernelVersion> RunningKernelVersion() {
  utsname name{};
  if (::uname(&name) != 0) return std::nullopt;
  return ParseKernelRelease(name.release);
}

NsSet ReadSelfNamespaces() {
  NsSet self{};
  Fd proc(::open("/proc/self", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!proc.valid()) return self;
  for (std::size_t kind = 0; kind < kNsKindCount; ++kind) {
    ReadNsAt(proc.get(), kNsFiles[kind], self[kind]);
  }
  return self;
}

}  // namespace cproc
