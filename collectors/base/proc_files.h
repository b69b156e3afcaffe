// The only code that touches procfs and cgroupfs: file descriptors, whole-file reads, directory
// listing and namespace identity. Errors are classified the way a scan needs them.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "collectors/procfs/namespaces.h"

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

// How many descriptors may stay open between scans, shared by everything that keeps them
// (stat of every process, pids files of every container): RLIMIT_NOFILE less a reserve for the
// HTTP server, logs and the files opened and closed within a scan, and at most `cap`. Each kept
// /proc or cgroupfs file pins about 6 KiB of kernel memory (its seq_file page, the file, dentries
// and inodes), charged to the exporter's memory cgroup: the cap bounds that memory
// (docs/PERFORMANCE.md "Kept descriptors"). Take and Give are atomic: the process cache's
// threads share one budget (collectors/scan/process_cache.h).
class DescriptorBudget {
 public:
  DescriptorBudget() : DescriptorBudget(RlimitLimit(), true) {}  // from RLIMIT_NOFILE alone
  explicit DescriptorBudget(std::size_t limit) : DescriptorBudget(limit, false) {}
  static DescriptorBudget Capped(std::size_t cap);  // the lower of RLIMIT_NOFILE's and `cap`
  DescriptorBudget(const DescriptorBudget&) = delete;
  DescriptorBudget& operator=(const DescriptorBudget&) = delete;

  bool HasRoom(std::size_t n) const { return used() + n <= limit_; }
  bool Take() {  // false when spent: the caller opens, reads and closes instead
    std::size_t used = used_.load(std::memory_order_relaxed);
    do {
      if (used + 1 > limit_) {
        // Read first: every process beyond the budget comes here, in every reader thread, and
        // a write each time would bounce the line between the CPUs.
        if (!spent_.load(std::memory_order_relaxed)) spent_.store(true, std::memory_order_relaxed);
        return false;
      }
    } while (!used_.compare_exchange_weak(used, used + 1, std::memory_order_relaxed));
    return true;
  }
  void Give() {
    std::size_t used = used_.load(std::memory_order_relaxed);
    while (used > 0 && !used_.compare_exchange_weak(used, used - 1, std::memory_order_relaxed)) {
    }
  }
  std::size_t used() const { return used_.load(std::memory_order_relaxed); }
  std::size_t limit() const { return limit_; }
  bool limited_by_rlimit() const { return limited_by_rlimit_; }
  // A descriptor was not kept since the start because the budget was spent.
  bool spent() const { return spent_.load(std::memory_order_relaxed); }

 private:
  DescriptorBudget(std::size_t limit, bool limited_by_rlimit)
      : limit_(limit), limited_by_rlimit_(limited_by_rlimit) {}
  static std::size_t RlimitLimit();

  std::size_t limit_ = 0;
  std::atomic<std::size_t> used_{0};
  std::atomic<bool> spent_{false};
  bool limited_by_rlimit_ = true;
};

// A descriptor kept open between scans, counted in its DescriptorBudget while it lives.
class KeptFd {
 public:
  KeptFd() = default;
  // Keeps `fd` if the budget has room; otherwise closes it and stays empty.
  KeptFd(Fd fd, DescriptorBudget& budget) {
    if (fd.valid() && budget.Take()) {
      fd_ = std::move(fd);
      budget_ = &budget;
    }
  }
  ~KeptFd() { Reset(); }
  KeptFd(KeptFd&& other) noexcept
      : fd_(std::move(other.fd_)), budget_(std::exchange(other.budget_, nullptr)) {}
  KeptFd& operator=(KeptFd&& other) noexcept {
    if (this != &other) {
      Reset();
      fd_ = std::move(other.fd_);
      budget_ = std::exchange(other.budget_, nullptr);
    }
    return *this;
  }
  KeptFd(const KeptFd&) = delete;
  KeptFd& operator=(const KeptFd&) = delete;

  int get() const { return fd_.get(); }
  bool valid() const { return fd_.valid(); }
  void Reset() {
    if (budget_ != nullptr) budget_->Give();
    budget_ = nullptr;
    fd_.Reset();
  }

 private:
  Fd fd_;
  DescriptorBudget* budget_ = nullptr;
};

// open(2) relative to a directory descriptor, read-only and close-on-exec.
Fd OpenAt(int dir_fd, const char* path, int extra_flags = 0);

// Reads the whole file from offset 0 with pread, so a descriptor kept open between scans gives
// fresh content each time. `out` keeps its capacity across calls (no heap churn per process).
// A file longer than `max_bytes` is an error (kIo): a bound against files that are not what
// they should be.
ReadResult PreadWhole(int fd, std::string& out, std::size_t max_bytes = 1 << 20);

// PreadWhole for files the kernel makes in one piece (a single_open seq_file: /proc/PID/stat,
// status, cgroup): a read shorter than the buffer is then the whole file, so reading one is a
// single pread, not a second one that returns 0. Not for files of many records (smaps,
// mountinfo), which seq_file returns a page of whole records at a time.
ReadResult PreadOnePiece(int fd, std::string& out, std::size_t max_bytes = 1 << 20);
// The same into a buffer that only grows, for the read made of every process on every scan: a
// std::string would be cleared and zero-filled again before each read.
ReadResult PreadOnePiece(int fd, std::vector<char>& buffer, std::string_view& content,
                         std::size_t max_bytes = 1 << 20);

// open + read + close.
ReadResult ReadFileAt(int dir_fd, const char* path, std::string& out,
                      std::size_t max_bytes = 1 << 20);
// ReadFileAt for files other users may control (runtime files under a user's storage root):
// opened without blocking (a FIFO planted there must not stall the scan) and read only if it is a
// regular file (kIo otherwise).
ReadResult ReadRegularFileAt(int dir_fd, const char* path, std::string& out,
                             std::size_t max_bytes = 1 << 20);
// The same open, for callers that read the descriptor themselves; invalid (errno set, EINVAL
// for a file that is not regular) unless it is a regular file.
Fd OpenRegularFileAt(int dir_fd, const char* path);
// open + PreadOnePiece + close.
ReadResult ReadOnePieceAt(int dir_fd, const char* path, std::string& out,
                          std::size_t max_bytes = 1 << 20);

// The identity of the namespace behind a /proc/PID/ns/<kind> link: fstatat gives (dev, ino);
// where the link cannot be followed (fixture trees), its text is parsed for the inode.
ReadResult ReadNsAt(int dir_fd, const char* path, NsId& out);

// The hot-path variant: the inode from the link text (readlinkat costs less than fstatat) and
// the device given by the caller. Every namespace lives on the one nsfs, so its device is read
// once (ReadNsAt on the host's links) and identity stays (device, inode).
ReadResult ReadNsLinkAt(int dir_fd, const char* path, uint32_t nsfs_dev, NsId& out);

// The uid that owns the user namespace of process `pid` (ioctl NS_GET_OWNER_UID on
// <proc>/<pid>/ns/user; needs ptrace read access, as every ns link does). The initial user
// namespace has no owner: EPERM, reported as kPermission like a refused link.
ReadResult ReadUserNamespaceOwner(int proc_fd, int32_t pid, uint32_t& owner_uid);

// Lists the numeric entries of a procfs directory with one reusable getdents64 buffer.
ReadResult ListPids(int dir_fd, std::vector<char>& buffer, std::vector<int32_t>& pids);

}  // namespace cproc
