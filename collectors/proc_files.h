// The only code that touches procfs and cgroupfs: file descriptors, whole-file reads, directory
// listing and namespace identity. Errors are classified the way a scan needs them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "collectors/namespaces.h"

namespace cproc {

enum class ReadResult : uint8_t {
  kOk,
  kVanished,    // ENOENT/ESRCH: the process exited between listing and reading
  kPermission,  // EACCES/EPERM
  kIo,          // anything else
};

ReadResult ClassifyErrno(int error);

// Owns a file descriptor.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() { Reset(); }
  Fd(Fd&& other) noexcept : fd_(other.Release()) {}
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) {
      Reset();
      fd_ = other.Release();
    }
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int Release() {
    const int fd = fd_;
    fd_ = -1;
    return fd;
  }
  void Reset();

 private:
  int fd_ = -1;
};

// open(2) relative to a directory descriptor, read-only and close-on-exec.
Fd OpenAt(int dir_fd, const char* path, int extra_flags = 0);

// Reads the whole file from offset 0 with pread, so a descriptor kept open between scans gives
// fresh content each time. `out` keeps its capacity across calls (no heap churn per process).
// A file longer than `max_bytes` is an error (kIo): a bound against files that are not what
// they should be.
ReadResult PreadWhole(int fd, std::string& out, std::size_t max_bytes = 1 << 20);

// open + read + close.
ReadResult ReadFileAt(int dir_fd, const char* path, std::string& out,
                      std::size_t max_bytes = 1 << 20);

// The identity of the namespace behind a /proc/PID/ns/<kind> link: fstatat gives (dev, ino);
// where the link cannot be followed (fixture trees), its text is parsed for the inode.
ReadResult ReadNsAt(int dir_fd, const char* path, NsId& out);

// The hot-path variant: the inode from the link text (readlinkat costs less than fstatat) and
// the device given by the caller. Every namespace lives on the one nsfs, so its device is read
// once (ReadNsAt on the host's links) and identity stays (device, inode).
ReadResult ReadNsLinkAt(int dir_fd, const char* path, uint64_t nsfs_dev, NsId& out);

// Lists the numeric entries of a procfs directory with one reusable getdents64 buffer.
ReadResult ListPids(int dir_fd, std::vector<char>& buffer, std::vector<int32_t>& pids);

}  // namespace cproc
