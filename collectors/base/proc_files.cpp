#include "collectors/base/proc_files.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/nsfs.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "collectors/base/parse_util.h"

namespace cproc {

ReadResult ClassifyErrno(int error) {
  switch (error) {
    case ENOENT:
    case ESRCH:
      return ReadResult::kVanished;
    case EACCES:
    case EPERM:
      return ReadResult::kPermission;
    default:
      return ReadResult::kIo;
  }
}

std::size_t DescriptorBudget::RlimitLimit() {
  constexpr rlim_t kReserve = 256;
  struct rlimit limit {};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) {
    return std::size_t{1} << 20;
  }
  return limit.rlim_cur > kReserve ? static_cast<std::size_t>(limit.rlim_cur - kReserve) : 0;
}

DescriptorBudget DescriptorBudget::Capped(std::size_t cap) {
  const std::size_t rlimit = RlimitLimit();
  return rlimit <= cap ? DescriptorBudget(rlimit, true) : DescriptorBudget(cap, false);
}

void Fd::Reset() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

Fd OpenAt(int dir_fd, const char* path, int extra_flags) {
  return Fd(::openat(dir_fd, path, O_RDONLY | O_CLOEXEC | extra_flags));
}

namespace {

// The one pread loop: reads from offset 0 into `buffer` (which only grows) and sets `used`.
// With one_piece, a read shorter than asked for is the end of the file (see PreadOnePiece).
template <typename Buffer>
ReadResult PreadInto(int fd, Buffer& buffer, std::size_t& used, std::size_t max_bytes,
                     bool one_piece) {
  used = 0;
  if (buffer.size() < 4096) buffer.resize(4096);
  for (;;) {
    const ssize_t n =
        ::pread(fd, buffer.data() + used, buffer.size() - used, static_cast<off_t>(used));
    if (n < 0) {
      if (errno == EINTR) continue;
      return ClassifyErrno(errno);
    }
    if (n == 0) break;
    const bool short_read = static_cast<std::size_t>(n) < buffer.size() - used;
    used += static_cast<std::size_t>(n);
    if (used > max_bytes) return ReadResult::kIo;
    if (short_read && one_piece) break;
    if (used == buffer.size()) buffer.resize(buffer.size() * 2);
  }
  return ReadResult::kOk;
}

ReadResult Pread(int fd, std::string& out, std::size_t max_bytes, bool one_piece) {
  out.clear();
  std::size_t used = 0;
  const ReadResult result = PreadInto(fd, out, used, max_bytes, one_piece);
  out.resize(result == ReadResult::kOk ? used : 0);
  return result;
}

}  // namespace

ReadResult PreadWhole(int fd, std::string& out, std::size_t max_bytes) {
  return Pread(fd, out, max_bytes, false);
}

ReadResult PreadOnePiece(int fd, std::string& out, std::size_t max_bytes) {
  return Pread(fd, out, max_bytes, true);
}

ReadResult PreadOnePiece(int fd, std::vector<char>& buffer, std::string_view& content,
                         std::size_t max_bytes) {
  std::size_t used = 0;
  const ReadResult result = PreadInto(fd, buffer, used, max_bytes, true);
  content = result == ReadResult::kOk ? std::string_view(buffer.data(), used) : std::string_view();
  return result;
}

namespace {

ReadResult ReadAt(int dir_fd, const char* path, std::string& out, std::size_t max_bytes,
                  bool one_piece) {
  Fd fd = OpenAt(dir_fd, path);
  if (!fd.valid()) {
    out.clear();
    return ClassifyErrno(errno);
  }
  return Pread(fd.get(), out, max_bytes, one_piece);
}

}  // namespace

ReadResult ReadFileAt(int dir_fd, const char* path, std::string& out, std::size_t max_bytes) {
  return ReadAt(dir_fd, path, out, max_bytes, false);
}

Fd OpenRegularFileAt(int dir_fd, const char* path) {
  Fd fd = OpenAt(dir_fd, path, O_NONBLOCK | O_NOCTTY);
  struct stat st {};
  if (fd.valid() && (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode))) {
    fd.Reset();
    errno = EINVAL;
  }
  return fd;
}

ReadResult ReadRegularFileAt(int dir_fd, const char* path, std::string& out,
                             std::size_t max_bytes) {
  Fd fd = OpenRegularFileAt(dir_fd, path);
  if (!fd.valid()) {
    out.clear();
    return ClassifyErrno(errno);
  }
  return PreadWhole(fd.get(), out, max_bytes);
}

ReadResult ReadOnePieceAt(int dir_fd, const char* path, std::string& out, std::size_t max_bytes) {
  return ReadAt(dir_fd, path, out, max_bytes, true);
}

ReadResult ReadNsAt(int dir_fd, const char* path, NsId& out) {
  out = NsId{};
  struct stat st {};
  if (::fstatat(dir_fd, path, &st, 0) == 0) {
    // nsfs inodes and devices fit in 32 bits; anything else is not a namespace file.
    if (st.st_dev > UINT32_MAX || st.st_ino > UINT32_MAX) return ReadResult::kIo;
    out = NsId{static_cast<uint32_t>(st.st_dev), static_cast<uint32_t>(st.st_ino)};
    return ReadResult::kOk;
  }
  const int stat_error = errno;
  // A plain symlink "net:[4026531992]" (fixture trees) cannot be followed but can be read.
  const ReadResult linked = ReadNsLinkAt(dir_fd, path, 0, out);
  return linked == ReadResult::kOk || linked == ReadResult::kIo ? linked
                                                                : ClassifyErrno(stat_error);
}

ReadResult ReadNsLinkAt(int dir_fd, const char* path, uint32_t nsfs_dev, NsId& out) {
  out = NsId{};
  std::array<char, 64> target{};
  const ssize_t n = ::readlinkat(dir_fd, path, target.data(), target.size());
  if (n <= 0 || static_cast<std::size_t>(n) >= target.size()) return ClassifyErrno(errno);
  auto link = ParseNsLink(std::string_view(target.data(), static_cast<std::size_t>(n)));
  if (!link) return ReadResult::kIo;
  out = NsId{nsfs_dev, link->ino};
  return ReadResult::kOk;
}

ReadResult ReadUserNamespaceOwner(int proc_fd, int32_t pid, uint32_t& owner_uid) {
  std::array<char, 32> path{};
  std::snprintf(path.data(), path.size(), "%d/ns/user", pid);
  const Fd ns = OpenAt(proc_fd, path.data());
  if (!ns.valid()) return ClassifyErrno(errno);
  uid_t uid = 0;
  if (::ioctl(ns.get(), NS_GET_OWNER_UID, &uid) != 0) return ClassifyErrno(errno);
  owner_uid = uid;
  return ReadResult::kOk;
}

ReadResult ListPids(int dir_fd, std::vector<char>& buffer, std::vector<int32_t>& pids) {
  pids.clear();
  if (buffer.size() < 64 * 1024) buffer.resize(64 * 1024);
  if (::lseek(dir_fd, 0, SEEK_SET) < 0) return ClassifyErrno(errno);
  for (;;) {
    const long n = ::syscall(SYS_getdents64, dir_fd, buffer.data(), buffer.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return ClassifyErrno(errno);
    }
    if (n == 0) break;
    for (long offset = 0; offset < n;) {
      // struct linux_dirent64: d_ino, d_off, d_reclen, d_type, d_name (not in glibc headers).
      const char* record = buffer.data() + offset;
      unsigned short reclen = 0;
      std::memcpy(&reclen, record + 16, sizeof(reclen));
      const char* name = record + 19;
      if (name[0] >= '1' && name[0] <= '9') {
        if (auto pid = ParseNumber<int32_t>(std::string_view(name))) pids.push_back(*pid);
      }
      if (reclen == 0) break;
      offset += reclen;
    }
  }
  return ReadResult::kOk;
}

}  // namespace cproc
