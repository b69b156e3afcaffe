// What a scan reads of each process, and what it keeps from one scan to the next per
// (pid, starttime): the open stat descriptor, the cgroup resolution and namespaces (read again
// only after an exec or periodically, see ScannerOptions::revalidate_every), and for the few
// processes that may be their container's init, the status descriptor and the executable.
//
// A large listing is read by several threads (ScannerOptions::threads), each a contiguous range
// of it: reading /proc is nearly all of a scan's time and the kernel's side of it runs in
// parallel. The map itself is only touched by the calling thread, before and after.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "collectors/analysis/init_process.h"
#include "collectors/base/proc_files.h"
#include "collectors/procfs/proc_stat.h"
#include "collectors/scan/cgroup_resolver.h"
#include "collectors/scan/ns_set_interner.h"
#include "collectors/snapshot.h"

namespace cproc {

// The processes one scan listed, in listing order, with what ties each to a container.
struct ProcessListing {
  std::vector<Process> processes;
  std::vector<const ContainerMatch*> matches;  // parallel: the container its cgroup names
  std::vector<uint8_t> cgroup_unknown;         // parallel: 1 when its cgroup file was unread
  std::vector<NsSet> ns_sets;                  // the distinct sets Process::ns_set indexes
  uint64_t cache_hits = 0;                     // cgroup and namespaces came from the cache
  uint64_t unknown_layout = 0;         // in cgroups that look like containers no layout knows
  uint64_t namespaces_unreadable = 0;  // ns links refused (CAP_SYS_PTRACE)

  // The namespaces of `p`, one of `processes`.
  const NsSet& NsSetOf(const Process& p) const { return cproc::NsSetOf(ns_sets, p); }
};

class ProcessCache {
 public:
  // `revalidate_every`: scans between two periodic re-reads of a process's cgroup and mount
  // namespace (all namespaces every 4x as many). The descriptor budget is shared with cgroupfs.
  // `threads`: how many read a listing of at least `parallel_from` pids.
  ProcessCache(uint64_t revalidate_every, DescriptorBudget& descriptors, CgroupResolver& resolver,
               std::size_t threads = 1, std::size_t parallel_from = 0);

  // Reads every pid of one scan (number `scan`) into `out`, in the order of `pids`, their
  // namespaces interned in out.ns_sets, and forgets processes not listed. Read errors (a process
  // vanishing is normal) count in `errors`.
  void Read(int proc_fd, const std::vector<int32_t>& pids, uint32_t nsfs_dev, uint64_t scan,
            ProcessListing& out, ScanErrorTotals& errors);
  // status and exe of a process whose parent is outside its container (InitCandidates).
  CandidateFacts ReadCandidate(int proc_fd, int32_t pid, ScanErrorTotals& errors);

  std::size_t size() const { return cache_.size(); }
  std::size_t threads() const { return workers_.size(); }
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
    uint64_t seen_scan = 0;           // scan that last read this pid
    uint64_t listed_scan = 0;         // scan that last listed it (a pid listed twice is read once)
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

  // What one reading thread writes: its buffers and counts. Only that thread touches it during
  // the read; what the threads share is the descriptor budget (atomic) and the resolver
  // (resolver_mutex_). Cache-line aligned: a line shared with the next worker would bounce
  // between the CPUs at every process.
  struct alignas(64) Worker {
    ScanErrorTotals errors;
    uint64_t cache_hits = 0;
    uint64_t unknown_layout = 0;
    uint64_t namespaces_unreadable = 0;
    // Buffers reused by every scan.
    std::string text;
    std::vector<char> stat_buffer;
    std::array<char, 64> path{};
  };

  // Reads pids[begin, end) (their entries_) into positions base + [begin, end) of `out`. An
  // entry whose process could not be read keeps its old seen_scan.
  void ReadRange(int proc_fd, const std::vector<int32_t>& pids, std::size_t begin, std::size_t end,
                 uint32_t nsfs_dev, uint64_t scan, std::size_t base, ProcessListing& out,
                 Worker& worker);
  void ReadInParallel(int proc_fd, const std::vector<int32_t>& pids, uint32_t nsfs_dev,
                      uint64_t scan, std::size_t base, ProcessListing& out);
  bool ReadStat(int proc_fd, int32_t pid, Entry& entry, ProcStat& stat, Worker& worker);
  RereadLevel NeedsReread(int32_t pid, bool zombie, bool execed, const Entry& entry,
                          uint64_t scan) const;
  void Reread(int proc_fd, int32_t pid, bool zombie, RereadLevel level, uint32_t nsfs_dev,
              uint64_t scan, Entry& entry, Worker& worker);
  ReadResult ReadStatus(int proc_fd, int32_t pid, Entry* entry);
  static Candidate& CandidateOf(Entry& entry);
  static const char* PathOf(Worker& worker, int32_t pid, const char* file);

  uint64_t revalidate_every_;
  std::size_t parallel_from_;
  DescriptorBudget& descriptors_;
  CgroupResolver& resolver_;
  std::mutex resolver_mutex_;   // the resolver and the runtime files behind it: one at a time
  bool pidfd_checked_ = false;  // use_pidfd_ is decided at the first scan, from its procfs
  bool use_pidfd_ = false;
  std::unordered_map<int32_t, Entry> cache_;
  std::vector<Entry*> entries_;  // this scan's, parallel to its pids; nodes do not move
  std::vector<Worker> workers_;  // workers_[0] is the calling thread's
  // The listing's namespace sets, interned by the calling thread after the read.
  NsSetInterner ns_interner_;
  std::size_t ns_sets_last_scan_ = 0;  // how many the previous scan had: reserved for the next
};

}  // namespace cproc
