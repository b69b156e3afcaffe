#include "collectors/procfs/pidfd_namespaces.h"

#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <charconv>
#include <cstddef>
#include <string_view>

namespace cproc {
namespace {

// include/uapi/linux/pidfd.h (Linux 6.11): _IO(PIDFS_IOCTL_MAGIC = 0xFF, nr). Debian 12's
// headers predate them.
constexpr unsigned long PidfdIoctl(unsigned nr) { return (0xFFUL << 8) | nr; }
constexpr std::array<unsigned long, kNsKindCount> kNamespaceIoctls = {
    PidfdIoctl(1),   // PIDFD_GET_CGROUP_NAMESPACE
    PidfdIoctl(2),   // PIDFD_GET_IPC_NAMESPACE
    PidfdIoctl(3),   // PIDFD_GET_MNT_NAMESPACE
    PidfdIoctl(4),   // PIDFD_GET_NET_NAMESPACE
    PidfdIoctl(5),   // PIDFD_GET_PID_NAMESPACE
    PidfdIoctl(7),   // PIDFD_GET_TIME_NAMESPACE
    PidfdIoctl(9),   // PIDFD_GET_USER_NAMESPACE
    PidfdIoctl(10),  // PIDFD_GET_UTS_NAMESPACE
};
static_assert(kNsKindCount == 8 && static_cast<int>(NsKind::kUts) == 7);

int PidfdOpen(int32_t pid) {
  return static_cast<int>(::syscall(SYS_pidfd_open, static_cast<pid_t>(pid), 0U));
}

}  // namespace

bool PidfdNamespacesUsable(int proc_fd) {
  std::array<char, 32> self{};
  const ssize_t n = ::readlinkat(proc_fd, "self", self.data(), self.size());
  if (n <= 0 || static_cast<std::size_t>(n) >= self.size()) return false;
  int32_t seen = 0;
  const auto [end, error] = std::from_chars(self.data(), self.data() + n, seen);
  if (error != std::errc() || end != self.data() + n || seen != ::getpid()) return false;
  // Our own pid namespace through the ioctl, and the same namespace through /proc/self/ns/pid.
  const PidfdNamespaces own(seen);
  NsId by_pidfd;
  NsId by_link;
  return own.Read(NsKind::kPid, by_pidfd) == ReadResult::kOk &&
         ReadNsAt(proc_fd, "self/ns/pid", by_link) == ReadResult::kOk && by_pidfd == by_link;
}

PidfdNamespaces::PidfdNamespaces(int32_t pid) : pidfd_(pid > 0 ? PidfdOpen(pid) : -1) {}

ReadResult PidfdNamespaces::Read(NsKind kind, NsId& out) const {
  out = NsId{};
  if (!pidfd_.valid()) return ReadResult::kVanished;
  // No argument: the kernel refuses a non-zero one (EINVAL).
  const Fd ns(::ioctl(pidfd_.get(), kNamespaceIoctls[static_cast<std::size_t>(kind)], 0UL));
  if (!ns.valid()) return ClassifyErrno(errno);
  struct stat st {};
  if (::fstat(ns.get(), &st) != 0) return ClassifyErrno(errno);
  if (st.st_dev > UINT32_MAX || st.st_ino > UINT32_MAX) return ReadResult::kIo;
  out = NsId{static_cast<uint32_t>(st.st_dev), static_cast<uint32_t>(st.st_ino)};
  return ReadResult::kOk;
}

}  // namespace cproc
