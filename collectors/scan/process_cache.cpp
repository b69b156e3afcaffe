#include "collectors/scan/process_cache.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <exception>
#include <system_error>
#include <thread>

#include "collectors/base/shrink.h"
#include "collectors/procfs/pidfd_namespaces.h"
#include "collectors/procfs/proc_status.h"

namespace cproc {
namespace {

constexpr uint64_t kAllKindsEvery = 4;

// The kinds RereadLevel::kAttribution reads, in NsKind order: the mount namespace, which the
// mismatch count compares. A process's PID namespace never changes (setns and unshare change
// only its children's), so ns/pid is read once per process, whatever the level.
constexpr std::array<bool, kNsKindCount> kAttributionKinds = {false, false, /*mnt*/ true, false,
                                                              false, false, false,        false};
static_assert(kAttributionKinds[static_cast<std::size_t>(NsKind::kMnt)]);
constexpr std::size_t kPidKind = static_cast<std::size_t>(NsKind::kPid);

void CountRead(ReadResult result, ScanErrorTotals& errors) {
  switch (result) {
    case ReadResult::kOk:
      break;
    case ReadResult::kVanished:
      ++errors.vanished;
      break;
    case ReadResult::kPermission:
      ++errors.permission;
      break;
    case ReadResult::kIo:
      ++errors.io;
      break;
  }
}

}  // namespace

ProcessCache::ProcessCache(uint64_t revalidate_every, DescriptorBudget& descriptors,
                           CgroupResolver& resolver, std::size_t threads, std::size_t parallel_from)
    : revalidate_every_(std::max<uint64_t>(1, revalidate_every)),
      parallel_from_(parallel_from),
      descriptors_(descriptors),
      resolver_(resolver),
      workers_(std::max<std::size_t>(1, threads)) {}

const char* ProcessCache::PathOf(Worker& worker, int32_t pid, const char* file) {
  std::snprintf(worker.path.data(), worker.path.size(), "%d/%s", pid, file);
  return worker.path.data();
}

void ProcessCache::Read(int proc_fd, const std::vector<int32_t>& pids, uint32_t nsfs_dev,
                        uint64_t scan, ProcessListing& out, ScanErrorTotals& errors) {
  if (!pidfd_checked_) {
    use_pidfd_ = PidfdNamespacesUsable(proc_fd);
    pidfd_checked_ = true;
  }
  // The map in this thread only: the readers get the entries, whose addresses do not move.
  entries_.resize(pids.size());
  for (std::size_t i = 0; i < pids.size(); ++i) {
    Entry& entry = cache_[pids[i]];
    entries_[i] = entry.listed_scan != scan ? &entry : nullptr;
    entry.listed_scan = scan;
  }
  const std::size_t base = out.processes.size();
  out.processes.resize(base + pids.size());
  out.matches.resize(base + pids.size());
  out.cgroup_unknown.resize(base + pids.size());
  if (workers_.size() > 1 && pids.size() >= parallel_from_) {
    ReadInParallel(proc_fd, pids, nsfs_dev, scan, base, out);
  } else {
    ReadRange(proc_fd, pids, 0, pids.size(), nsfs_dev, scan, base, out, workers_[0]);
  }

  // Processes that could not be read leave the listing, in place (its order is kept). Those
  // kept get their namespaces interned here, by this thread alone: the table is not shared
  // with the readers.
  out.ns_sets.reserve(out.ns_sets.size() + ns_sets_last_scan_);
  ns_interner_.Reset(out.ns_sets);
  std::size_t kept = base;
  for (std::size_t i = 0; i < pids.size(); ++i) {
    if (entries_[i] == nullptr || entries_[i]->seen_scan != scan) continue;
    out.processes[base + i].ns_set = ns_interner_.Intern(out.ns_sets, entries_[i]->ns);
    if (kept != base + i) {
      out.processes[kept] = std::move(out.processes[base + i]);
      out.matches[kept] = out.matches[base + i];
      out.cgroup_unknown[kept] = out.cgroup_unknown[base + i];
    }
    ++kept;
  }
  out.processes.resize(kept);
  out.matches.resize(kept);
  out.cgroup_unknown.resize(kept);
  ns_sets_last_scan_ = out.ns_sets.size();
  for (Worker& worker : workers_) {
    out.cache_hits += std::exchange(worker.cache_hits, 0);
    out.unknown_layout += std::exchange(worker.unknown_layout, 0);
    out.namespaces_unreadable += std::exchange(worker.namespaces_unreadable, 0);
    const ScanErrorTotals counted = std::exchange(worker.errors, {});
    errors.vanished += counted.vanished;
    errors.permission += counted.permission;
    errors.parse += counted.parse;
    errors.io += counted.io;
  }
  entries_.clear();
  std::erase_if(cache_, [scan](const auto& item) { return item.second.seen_scan != scan; });
  // A host back from a spell with many more processes: what was sized for it goes too.
  if (ShrunkToUnderAQuarter(entries_.capacity(), pids.size())) {
    entries_.shrink_to_fit();
    cache_.rehash(0);  // as few buckets as the remaining entries need
  }
}

// One contiguous range per worker, the first in this thread. A thread that cannot be started
// leaves its range to this thread; an exception in any (out of memory) is rethrown here.
void ProcessCache::ReadInParallel(int proc_fd, const std::vector<int32_t>& pids, uint32_t nsfs_dev,
                                  uint64_t scan, std::size_t base, ProcessListing& out) {
  const std::size_t n = workers_.size();
  std::vector<std::exception_ptr> failures(n);
  auto read = [&](std::size_t k) {
    try {
      ReadRange(proc_fd, pids, pids.size() * k / n, pids.size() * (k + 1) / n, nsfs_dev, scan, base,
                out, workers_[k]);
    } catch (...) {
      failures[k] = std::current_exception();
    }
  };
  std::vector<std::thread> threads;
  std::vector<std::size_t> here = {0};
  for (std::size_t k = 1; k < n; ++k) {
    try {
      threads.emplace_back(read, k);
    } catch (const std::system_error&) {
      here.push_back(k);
    }
  }
  for (const std::size_t k : here) read(k);
  for (std::thread& thread : threads) thread.join();
  for (const std::exception_ptr& failure : failures) {
    if (failure) std::rethrow_exception(failure);
  }
}

void ProcessCache::ReadRange(int proc_fd, const std::vector<int32_t>& pids, std::size_t begin,
                             std::size_t end, uint32_t nsfs_dev, uint64_t scan, std::size_t base,
                             ProcessListing& out, Worker& worker) {
  ProcStat stat;
  for (std::size_t i = begin; i < end; ++i) {
    if (entries_[i] == nullptr) continue;  // listed twice
    const int32_t pid = pids[i];
    Entry& entry = *entries_[i];
    if (!ReadStat(proc_fd, pid, entry, stat, worker)) continue;
    if (entry.validated_scan != 0 && entry.start_ticks != stat.start_ticks) {
      // Same pid, another process (the descriptor was reopened): forget the old one.
      KeptFd fd = std::move(entry.stat_fd);
      entry = Entry{};
      entry.stat_fd = std::move(fd);
    }
    entry.start_ticks = stat.start_ticks;
    entry.seen_scan = scan;
    const bool zombie = stat.state == 'Z';
    const uint64_t exec_signature = ExecSignature(stat);
    // A new parent too: re-parenting follows the parent's exit, often a runtime's setup step.
    const bool changed = entry.exec_signature != exec_signature || entry.ppid != stat.ppid;
    entry.exec_signature = exec_signature;
    entry.ppid = stat.ppid;
    if (const RereadLevel level = NeedsReread(pid, zombie, changed, entry, scan);
        level != RereadLevel::kNone) {
      Reread(proc_fd, pid, zombie, level, nsfs_dev, scan, entry, worker);
    } else {
      ++worker.cache_hits;
    }

    Process& p = out.processes[base + i];
    p.pid = stat.pid;
    p.ppid = stat.ppid;
    p.start_ticks = stat.start_ticks;
    p.state_code = stat.state;
    p.state = ProcessStateFromCode(stat.state);
    p.threads = stat.num_threads;
    p.comm = stat.comm;  // its namespaces (entry.ns) are interned by Read, after the threads
    const ContainerMatch* match = entry.cgroup ? entry.cgroup->container.get() : nullptr;
    out.matches[base + i] = match;
    out.cgroup_unknown[base + i] = entry.cgroup_known ? 0 : 1;
    if (entry.cgroup && entry.cgroup->unknown_layout) ++worker.unknown_layout;
    if (entry.ns_denied) ++worker.namespaces_unreadable;
    if (match != nullptr) {
      p.attribution =
          zombie && entry.read_while_alive ? Attribution::kCached : Attribution::kCgroup;
    }
  }
}

// Reads stat through the kept descriptor (reopening after PID reuse). False: process is gone.
bool ProcessCache::ReadStat(int proc_fd, int32_t pid, Entry& entry, ProcStat& stat,
                            Worker& worker) {
  ReadResult result = ReadResult::kVanished;
  std::string_view content;
  if (entry.stat_fd.valid()) {
    result = PreadOnePiece(entry.stat_fd.get(), worker.stat_buffer, content);
  }
  if (result != ReadResult::kOk) {
    // ESRCH on a kept descriptor: that process is gone, the pid may now be another one.
    if (entry.stat_fd.valid()) entry = Entry{};
    Fd fd = OpenAt(proc_fd, PathOf(worker, pid, "stat"));
    if (!fd.valid()) {
      CountRead(ClassifyErrno(errno), worker.errors);
      return false;
    }
    result = PreadOnePiece(fd.get(), worker.stat_buffer, content);
    if (result != ReadResult::kOk) {
      CountRead(result, worker.errors);
      return false;
    }
    entry.stat_fd = KeptFd(std::move(fd), descriptors_);
  }
  if (!ParseProcStatInto(content, stat, nullptr)) {
    ++worker.errors.parse;
    return false;
  }
  return true;
}

ProcessCache::RereadLevel ProcessCache::NeedsReread(int32_t pid, bool zombie, bool execed,
                                                    const Entry& entry, uint64_t scan) const {
  if (entry.validated_scan == 0) return RereadLevel::kAll;
  // A zombie's cgroup v1 lines and most ns links are gone: keep what it had when alive.
  if (zombie && entry.read_while_alive) return RereadLevel::kNone;
  if (execed) return RereadLevel::kAll;
  // The periodic re-read finds what changed without an exec (setns(2), a write to another
  // cgroup's cgroup.procs); staggered by pid so the re-reads spread evenly over scans.
  const uint64_t phase = scan + static_cast<uint64_t>(pid);
  if (phase % (revalidate_every_ * kAllKindsEvery) == 0) return RereadLevel::kAll;
  return phase % revalidate_every_ == 0 ? RereadLevel::kAttribution : RereadLevel::kNone;
}

void ProcessCache::Reread(int proc_fd, int32_t pid, bool zombie, RereadLevel level,
                          uint32_t nsfs_dev, uint64_t scan, Entry& entry, Worker& worker) {
  const ReadResult cgroup_result =
      ReadOnePieceAt(proc_fd, PathOf(worker, pid, "cgroup"), worker.text);
  if (cgroup_result == ReadResult::kOk) {
    const std::lock_guard lock(resolver_mutex_);
    entry.cgroup = resolver_.Resolve(worker.text, scan, worker.errors);
    entry.cgroup_known = entry.cgroup->parsed;
  } else {
    CountRead(cgroup_result, worker.errors);
    entry.cgroup_known = false;
  }
  bool denied = false;
  const PidfdNamespaces pidfd(use_pidfd_ ? pid : 0);
  for (std::size_t kind = 0; kind < kNsKindCount; ++kind) {
    if (kind == kPidKind ? entry.ns[kind].known()
                         : level == RereadLevel::kAttribution && !kAttributionKinds[kind]) {
      continue;
    }
    ReadResult result = pidfd.open() ? pidfd.Read(static_cast<NsKind>(kind), entry.ns[kind])
                                     : ReadResult::kVanished;
    // The links where the pidfd cannot tell (a zombie, an older kernel): ENOENT is normal there,
    // a zombie keeps only ns/pid and ns/user, old kernels have no time.
    if (result != ReadResult::kOk && result != ReadResult::kPermission) {
      result = ReadNsLinkAt(proc_fd, PathOf(worker, pid, kNsFiles[kind]), nsfs_dev, entry.ns[kind]);
    }
    if (result == ReadResult::kPermission) denied = true;
  }
  // Once per process, not per re-read: PID 1 of some hosts is never readable (README
  // "Privileges"), and a counter that grows forever for it would make the permission alert
  // useless.
  if (denied && !entry.permission_counted) {
    ++worker.errors.permission;
    entry.permission_counted = true;
  }
  entry.ns_denied = denied;
  if (level == RereadLevel::kAll) entry.read_while_alive = !zombie;
  entry.validated_scan = scan;
}

ProcessCache::Candidate& ProcessCache::CandidateOf(Entry& entry) {
  if (entry.candidate == nullptr) entry.candidate = std::make_unique<Candidate>();
  return *entry.candidate;
}

// /proc/PID/status into the first worker's text, through a descriptor kept in `entry` (if any)
// from then on. After Read: the calling thread only.
ReadResult ProcessCache::ReadStatus(int proc_fd, int32_t pid, Entry* entry) {
  Worker& worker = workers_[0];
  Candidate* candidate = entry != nullptr ? entry->candidate.get() : nullptr;
  if (candidate != nullptr && candidate->status_fd.valid()) {
    const ReadResult kept = PreadOnePiece(candidate->status_fd.get(), worker.text);
    if (kept == ReadResult::kOk) return kept;
    candidate->status_fd.Reset();
  }
  Fd fd = OpenAt(proc_fd, PathOf(worker, pid, "status"));
  if (!fd.valid()) return ClassifyErrno(errno);
  const ReadResult result = PreadOnePiece(fd.get(), worker.text);
  if (result == ReadResult::kOk && entry != nullptr) {
    CandidateOf(*entry).status_fd = KeptFd(std::move(fd), descriptors_);
  }
  return result;
}

CandidateFacts ProcessCache::ReadCandidate(int proc_fd, int32_t pid, ScanErrorTotals& errors) {
  CandidateFacts facts;
  auto found = cache_.find(pid);
  Entry* entry = found != cache_.end() ? &found->second : nullptr;
  if (ReadStatus(proc_fd, pid, entry) == ReadResult::kOk) {
    if (auto status = ParseProcStatus(workers_[0].text)) {
      facts.status_read = true;
      facts.nspid = std::move(status->nspid);
      facts.sig_blk = status->sig_blk;
      facts.sig_ign = status->sig_ign;
      facts.sig_cgt = status->sig_cgt;
    } else {
      ++errors.parse;
    }
  }
  // The executable changes only with an exec: read once per ExecSignature. The status is read
  // every scan, since a process may install its SIGTERM handler at any time.
  Candidate* candidate = entry != nullptr ? entry->candidate.get() : nullptr;
  if (candidate != nullptr && candidate->exe_read &&
      candidate->exe_signature == entry->exec_signature) {
    facts.exe_basename = candidate->exe_basename;
    return facts;
  }
  std::array<char, 4096> target{};
  const ssize_t n =
      ::readlinkat(proc_fd, PathOf(workers_[0], pid, "exe"), target.data(), target.size());
  if (n > 0 && static_cast<std::size_t>(n) < target.size()) {
    std::string_view exe(target.data(), static_cast<std::size_t>(n));
    if (exe.ends_with(" (deleted)")) exe.remove_suffix(10);  // upgraded binary, still running
    facts.exe_basename = std::string(exe.substr(exe.rfind('/') + 1));
  }
  if (entry != nullptr && n > 0) {
    Candidate& kept = CandidateOf(*entry);
    kept.exe_read = true;
    kept.exe_signature = entry->exec_signature;
    kept.exe_basename = facts.exe_basename;
  }
  return facts;
}

}  // namespace cproc
