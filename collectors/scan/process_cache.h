// What a scan reads of each process, and what it keeps from one scan to the next per
// (pid, starttime): the open stat descriptor, the cgroup resolution and namespaces (read again
// only after an exec or periodically, see ScannerOptions::revalidate_every), and for the few
// processes that may be their container's init, the status descriptor and the executable.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "collectors/analysis/init_process.h"
#include "collectors/base/proc_files.h"
#include "collectors/procfs/proc_stat.h"
#include "collectors/scan/cgroup_resolver.h"
#include "collectors/snapshot.h"

namespace cproc {

// The processes one scan listed, in listing order, with what ties each to a container.
struct ProcessListing {
  std::vector<Process> processes;
  std::vector<const ContainerMatch*> matches;  // parallel: the container its cgroup names
  std::vector<uint8_t> cgroup_unknown;         // parallel: 1 when its cgroup file was unread
  uint64_t cache_hits = 0;                     // cgroup and namespaces came from the cache
  uint64_t unknown_layout = 0;         // in cgroups that look like containers no layout knows
  uint64_t namespaces_unreadable = 0;  // ns links refused (CAP_SYS_PTRACE)
};

class ProcessCache {
 public:
  // `revalidate_every`: scans between two periodic re-reads of a process's cgroup and mount
  // namespace (all namespaces every 4x as many). The descriptor budget is shared with cgroupfs.
  ProcessCache(uint64_t revalidate_every, DescriptorBudget& descriptors, CgroupResolver& resolver);

  // Reads every pid of one scan (number `scan`) into `out` and forgets processes not listed.
  // Read errors (a process vanishing is normal) count in `errors`.
  void Read(int proc_fd, const std::vector<int32_t>& pids, uint32_t nsfs_dev, uint64_t scan,
            ProcessListing& out, ScanErrorTotals& errors);
  // status and exe of a process whose parent is outside its container (InitCandidates).
  CandidateFacts ReadCandidate(int proc_fd, int32_t pid, ScanErrorTotals& errors);

  std::size_t size() const { return cache_.size(); }
  // Namespaces are read through pidfds (collectors/procfs/pidfd_namespaces.h), not the links.
  bool reads_namespaces_by_pidfd() const { return use_pidfd_; }

 private:
  // Kept only for init candidates.
  struct Candidate {
    KeptFd status_fd;  // its SIGTERM handling is read every scan
    // The executable (/proc/PID/exe), as of exe_signature: it changes only with an exec.
    bool exe_read = false;
    uint64_t exe_signature = 0;
    std::string exe_basename;
  };
  struct Entry {
    uint64_t start_ticks = 0;
    KeptFd stat_fd;                   // kept open: one pread per scan instead of open+read+close
    uint64_t validated_scan = 0;      // scan that last read cgroup and namespaces
    uint64_t seen_scan = 0;           // scan that last listed this pid
    bool cgroup_known = false;        // the cgroup file was read and parsed
    bool read_while_alive = false;    // cgroup and namespaces came from a live (non-zombie) read
    bool permission_counted = false;  // a process whose ns links are unreadable counts once
    bool ns_denied = false;           // the last read of its ns links was refused
    // What stat said last time: runc and nsenter exec after joining a cgroup or namespaces, so
    // a new ExecSignature (or parent) is the cheap sign that cgroup and namespaces must be
    // re-read.
    uint64_t exec_signature = 0;
    int32_t ppid = 0;
    std::unique_ptr<Candidate> candidate;
    NsSet ns{};
    std::shared_ptr<const CgroupResolution> cgroup;
  };
  // What a scan reads again of a process it has seen before.
  enum class RereadLevel : uint8_t {
    kNone,
    // cgroup and ns/mnt: what ties a process to its container and what the mismatch count
    // compares. Every revalidate_every scans.
    kAttribution,
    // cgroup and every ns link: new processes, processes that exec'd, and every
    // kAllKindsEvery-th periodic re-read (each readlink of ns/* costs about 4 us: the other six
    // kinds are re-read less often).
    kAll,
  };

  bool ReadStat(int proc_fd, int32_t pid, Entry& entry, ProcStat& stat, ScanErrorTotals& errors);
  RereadLevel NeedsReread(int32_t pid, bool zombie, bool execed, const Entry& entry,
                          uint64_t scan) const;
  void Reread(int proc_fd, int32_t pid, bool zombie, RereadLevel level, uint32_t nsfs_dev,
              uint64_t scan, Entry& entry, ScanErrorTotals& errors);
  ReadResult ReadStatus(int proc_fd, int32_t pid, Entry* entry);
  static Candidate& CandidateOf(Entry& entry);
  const char* PathOf(int32_t pid, const char* file);

  uint64_t revalidate_every_;
  DescriptorBudget& descriptors_;
  CgroupResolver& resolver_;
  bool pidfd_checked_ = false;  // use_pidfd_ is decided at the first scan, from its procfs
  bool use_pidfd_ = false;
  std::unordered_map<int32_t, Entry> cache_;
  // Buffers reused by every scan.
  std::string text_;
  std::vector<char> stat_buffer_;
  std::array<char, 64> path_{};
};

}  // namespace cproc
