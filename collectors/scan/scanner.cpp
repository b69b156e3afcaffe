#include "collectors/scan/scanner.h"

#include <fcntl.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <unordered_map>
#include <unordered_set>

#include <spdlog/spdlog.h>

#include "collectors/analysis/attribution.h"
#include "collectors/analysis/init_process.h"
#include "collectors/analysis/namespace_sharing.h"
#include "collectors/analysis/reaping_history.h"
#include "collectors/base/proc_files.h"
#include "collectors/cgroupfs/cgroup_namespace_root.h"
#include "collectors/cgroupfs/cgroupfs.h"
#include "collectors/procfs/boot_time.h"
#include "collectors/procfs/proc_cgroup.h"
#include "collectors/procfs/proc_stat.h"
#include "collectors/procfs/proc_status.h"
#include "collectors/runtimes/describe_container.h"
#include "collectors/runtimes/runtime_pidfiles.h"

namespace cproc {
namespace {

// What /proc/PID/cgroup says about containers, shared by every process with the same file text.
struct CgroupResolution {
  std::shared_ptr<const ContainerMatch> container;  // null: no line names a container
  bool parsed = true;
  bool unknown_layout = false;  // no match, yet a line looks like a container's cgroup
  // A layout row matched but the runtime's files did not confirm it (not written yet, or not
  // readable yet): asked again, not cached as "no container" for as long as the text is in use.
  bool unconfirmed = false;
};

// What is kept of the processes whose parent is outside their container (init candidates).
struct InitCandidateCache {
  KeptFd status_fd;  // its SIGTERM handling is read every scan
  // The executable (/proc/PID/exe), as of exe_signature: it changes only with an exec.
  bool exe_read = false;
  uint64_t exe_signature = 0;
  std::string exe_basename;
};

// Per (pid, starttime): what need not be read again on every scan.
struct CachedProcess {
  uint64_t start_ticks = 0;
  KeptFd stat_fd;                   // kept open: one pread per scan instead of open+read+close
  uint64_t validated_scan = 0;      // scan that last read cgroup and namespaces
  uint64_t seen_scan = 0;           // scan that last listed this pid
  bool cgroup_known = false;        // the cgroup file was read and parsed
  bool read_while_alive = false;    // cgroup and namespaces came from a live (non-zombie) read
  bool permission_counted = false;  // a process whose ns links are unreadable counts once
  bool ns_denied = false;           // the last read of its ns links was refused
  // What stat said last time: runc and nsenter exec after joining a cgroup or namespaces, so a
  // new ExecSignature (or parent) is the cheap sign that cgroup and namespaces must be re-read.
  uint64_t exec_signature = 0;
  int32_t ppid = 0;
  // Only for the few processes that are candidates for their container's init.
  std::unique_ptr<InitCandidateCache> candidate;
  NsSet ns{};
  std::shared_ptr<const CgroupResolution> cgroup;
};

// What a scan reads again of a process it has seen before.
enum class RereadLevel : uint8_t {
  kNone,
  // cgroup and ns/mnt: what ties a process to its container and what the mismatch count
  // compares. Every --scan.revalidate-every scans.
  kAttribution,
  // cgroup and every ns link: new processes, processes that exec'd, and every kAllKindsEvery-th
  // periodic re-read (each readlink of ns/* costs about 4 us: the other six kinds are re-read
  // less often).
  kAll,
};
constexpr uint64_t kAllKindsEvery = 4;

struct InternedResolution {
  std::shared_ptr<const CgroupResolution> resolution;
  uint64_t last_used_scan = 0;
  uint64_t resolved_scan = 0;
};

// "ns/<kind>" under a pid directory, in NsKind order.
constexpr std::array<const char*, kNsKindCount> kNsFiles = {
    "ns/cgroup", "ns/ipc", "ns/mnt", "ns/net", "ns/pid", "ns/time", "ns/user", "ns/uts"};
constexpr bool NsFilesMatchKinds() {
  for (std::size_t i = 0; i < kNsKindCount; ++i) {
    if (std::string_view(kNsFiles[i]).substr(3) != kNsKindNames[i]) return false;
  }
  return true;
}
static_assert(NsFilesMatchKinds());

// The kinds RereadLevel::kAttribution reads, in NsKind order: the mount namespace, which the
// mismatch count compares. A process's PID namespace never changes (setns and unshare change
// only its children's), so ns/pid is read once per process, whatever the level.
constexpr std::array<bool, kNsKindCount> kAttributionKinds = {false, false, /*mnt*/ true, false,
                                                              false, false, false,        false};
static_assert(kAttributionKinds[static_cast<std::size_t>(NsKind::kMnt)]);
constexpr std::size_t kPidKind = static_cast<std::size_t>(NsKind::kPid);

std::optional<KernelVersion> RunningKernel() {
  utsname name{};
  if (::uname(&name) != 0) return std::nullopt;
  return ParseKernelRelease(name.release);
}

double WallSeconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

// Everything kept from one scan to the next. The lifetime rule: this state owns every byte it
// keeps (strings, not views; shared_ptr, not raw pointers into a snapshot). A scan's own objects
// (the snapshot, `matches`) may point into this state, never the other way round: a snapshot is
// freed when the last scrape of it ends, and a view into it would read freed memory from the
// next scan on (it did: MetadataStore kept the runtime name as a view into a Container).
struct Scanner::State {
  explicit State(ScannerOptions scanner_options)
      : options(std::move(scanner_options)),
        cgroupfs(options.sysfs, &descriptors),
        metadata(options.metadata),
        pidfiles(options.metadata.rootfs, options.metadata.storage_roots) {
    if (!cgroupfs.pids_available()) {
      spdlog::warn(
          "no cgroup pids controller under {}/fs/cgroup: pids metrics are left out "
          "(set --path.sysfs to the host's /sys)",
          options.sysfs);
    }
  }

  ScannerOptions options;
  DescriptorBudget descriptors;  // kept stat descriptors and the pids files' (cgroupfs)
  CgroupFs cgroupfs;
  MetadataStore metadata;
  RuntimePidfiles pidfiles;
  // The matches of containers found through their pidfile, by id: the scan's matches point here.
  std::unordered_map<std::string, std::shared_ptr<const ContainerMatch>> pidfile_matches;
  std::unordered_map<std::string, PidfileVerdict> pidfile_verdicts;  // last logged, by id
  ReapingHistory reaping;
  std::unordered_map<std::string, double> first_seen;  // wall time, by container_id
  const double ticks_per_second = static_cast<double>(::sysconf(_SC_CLK_TCK));
  std::optional<double> boot_time;  // read once: it does not change while the host is up
  uint64_t scan_number = 0;
  ScanErrorTotals errors;
  bool warned_namespaces = false;  // logged once, not per scan
  bool logged_fixed_host_namespaces = false;
  // For the initial namespaces' fixed inodes (InitialNamespaceInode).
  const std::optional<KernelVersion> kernel = RunningKernel();
  uint32_t nsfs_dev = 0;  // device of nsfs, from the host's links (0: unknown)
  std::unordered_map<int32_t, CachedProcess> cache;
  std::unordered_map<std::string, InternedResolution> resolutions;  // by cgroup file text

  // Buffers reused by every scan.
  std::vector<char> dirents;
  std::vector<int32_t> pids;
  std::string text;
  std::vector<char> stat_buffer;
  std::array<char, 64> path{};

  const char* PathOf(int32_t pid, const char* file) {
    std::snprintf(path.data(), path.size(), "%d/%s", pid, file);
    return path.data();
  }

  void Count(ReadResult result) {
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

  std::shared_ptr<const CgroupResolution> Resolve(const std::string& cgroup_text) {
    auto [it, inserted] = resolutions.try_emplace(cgroup_text);
    InternedResolution& interned = it->second;
    interned.last_used_scan = scan_number;
    // An unconfirmed match is asked again once per revalidation period, by the first process
    // re-read after it: one access(2) per such cgroup and period, not one per process.
    if (!inserted && !(interned.resolution->unconfirmed &&
                       interned.resolved_scan + RevalidateEvery() <= scan_number)) {
      return interned.resolution;
    }
    interned.resolved_scan = scan_number;
    auto resolution = std::make_shared<CgroupResolution>();
    auto lines = ParseProcCgroup(cgroup_text);
    if (!lines) {
      resolution->parsed = false;
      ++errors.parse;
    } else {
      // In a private cgroup namespace the exporter's own container reads "/": a host path again.
      for (CgroupLine& line : *lines) {
        if (line.unified()) line.path = HostCgroupPath(options.own_cgroup_root, line.path);
      }
      // Every line counts (DESIGN.md §2): the first one naming a container wins.
      const LayoutConfirmer confirm = [this, &resolution](std::string_view runtime,
                                                          std::string_view parent,
                                                          std::string_view id) {
        const bool confirmed = metadata.Confirms(runtime, parent, id);
        if (!confirmed) resolution->unconfirmed = true;
        return confirmed;
      };
      for (const CgroupLine& line : *lines) {
        if (auto match = MatchContainer(line.path, options.layouts, confirm)) {
          resolution->container = std::make_shared<const ContainerMatch>(std::move(*match));
          resolution->unconfirmed = false;  // another row, or another line, named it
          break;
        }
      }
      if (!resolution->container) {
        for (const CgroupLine& line : *lines) {
          if (!LooksLikeUnknownContainer(line.path)) continue;
          resolution->unknown_layout = true;
          if (!inserted) break;  // logged when first seen, not at every confirmation retry
          spdlog::info(
              "cgroup {} looks like a container but matches no known layout; please "
              "report it",
              line.path);
          break;
        }
      }
    }
    interned.resolution = resolution;
    return resolution;
  }

  // Reads stat through the kept descriptor (reopening after PID reuse). False: process is gone.
  bool ReadStat(int proc_fd, int32_t pid, CachedProcess& entry, ProcStat& stat) {
    ReadResult result = ReadResult::kVanished;
    std::string_view content;
    if (entry.stat_fd.valid()) result = PreadOnePiece(entry.stat_fd.get(), stat_buffer, content);
    if (result != ReadResult::kOk) {
      // ESRCH on a kept descriptor: that process is gone, the pid may now be another one.
      if (entry.stat_fd.valid()) entry = CachedProcess{};
      Fd fd = OpenAt(proc_fd, PathOf(pid, "stat"));
      if (!fd.valid()) {
        Count(ClassifyErrno(errno));
        return false;
      }
      result = PreadOnePiece(fd.get(), stat_buffer, content);
      if (result != ReadResult::kOk) {
        Count(result);
        return false;
      }
      entry.stat_fd = KeptFd(std::move(fd), descriptors);
    }
    if (!ParseProcStatInto(content, stat, nullptr)) {
      ++errors.parse;
      return false;
    }
    return true;
  }

  void Reread(int proc_fd, int32_t pid, bool zombie, RereadLevel level, CachedProcess& entry) {
    const ReadResult cgroup_result = ReadOnePieceAt(proc_fd, PathOf(pid, "cgroup"), text);
    if (cgroup_result == ReadResult::kOk) {
      entry.cgroup = Resolve(text);
      entry.cgroup_known = entry.cgroup->parsed;
    } else {
      Count(cgroup_result);
      entry.cgroup_known = false;
    }
    bool denied = false;
    for (std::size_t kind = 0; kind < kNsKindCount; ++kind) {
      if (kind == kPidKind ? entry.ns[kind].known()
                           : level == RereadLevel::kAttribution && !kAttributionKinds[kind]) {
        continue;
      }
      // ENOENT here is normal: a zombie keeps only ns/pid and ns/user, old kernels have no time.
      if (ReadNsLinkAt(proc_fd, PathOf(pid, kNsFiles[kind]), nsfs_dev, entry.ns[kind]) ==
          ReadResult::kPermission) {
        denied = true;
      }
    }
    // Once per process, not per re-read: PID 1 of some hosts is never readable (DESIGN.md §2),
    // and a counter that grows forever for it would make the permission alert useless.
    if (denied && !entry.permission_counted) {
      ++errors.permission;
      entry.permission_counted = true;
    }
    entry.ns_denied = denied;
    if (level == RereadLevel::kAll) entry.read_while_alive = !zombie;
    entry.validated_scan = scan_number;
  }

  uint64_t RevalidateEvery() const { return std::max<uint32_t>(1, options.revalidate_every); }

  RereadLevel NeedsReread(int32_t pid, bool zombie, bool execed, const CachedProcess& entry) const {
    if (entry.validated_scan == 0) return RereadLevel::kAll;
    // A zombie's cgroup v1 lines and most ns links are gone: keep what it had when alive.
    if (zombie && entry.read_while_alive) return RereadLevel::kNone;
    if (execed) return RereadLevel::kAll;
    // The periodic re-read finds what changed without an exec (setns(2), a write to another
    // cgroup's cgroup.procs); staggered by pid so the re-reads spread evenly over scans.
    const uint64_t every = RevalidateEvery();
    const uint64_t phase = scan_number + static_cast<uint64_t>(pid);
    if (phase % (every * kAllKindsEvery) == 0) return RereadLevel::kAll;
    return phase % every == 0 ? RereadLevel::kAttribution : RereadLevel::kNone;
  }

  NsSet HostNamespaces(int proc_fd) {
    // PID 1 of the procfs read; where its links are unreadable (it may hold capabilities the
    // reader lacks, README "Privileges") kthreadd, PID 2, lives in the same initial namespaces.
    NsSet host{};
    for (int32_t pid : {1, 2}) {
      for (std::size_t kind = 0; kind < kNsKindCount; ++kind) {
        if (host[kind].known()) continue;
        ReadNsAt(proc_fd, PathOf(pid, kNsFiles[kind]), host[kind]);
      }
    }
    // Without CAP_SYS_PTRACE neither is readable: the kernel numbers most initial namespaces
    // with fixed inodes, which need no privilege to know. Every namespace is on one nsfs.
    uint32_t dev = 0;
    for (const NsSet* set : {&host, &options.self_ns}) {
      for (const NsId& ns : *set) dev = dev != 0 ? dev : ns.dev;
    }
    std::string fixed;
    for (std::size_t kind = 0; kind < kNsKindCount; ++kind) {
      if (host[kind].known()) continue;
      if (auto ino = InitialNamespaceInode(static_cast<NsKind>(kind), kernel)) {
        host[kind] = NsId{dev, *ino};
        fixed += (fixed.empty() ? "" : ",") + std::string(kNsKindNames[kind]);
      }
    }
    if (!fixed.empty() && !logged_fixed_host_namespaces) {
      logged_fixed_host_namespaces = true;
      spdlog::info(
          "the host's namespace links (PID 1, 2) are unreadable; using the kernel's fixed "
          "numbers of its initial {} namespaces",
          fixed);
    }
    return host;
  }

  double BootTime(int proc_fd) {
    if (!boot_time) {
      if (ReadFileAt(proc_fd, "stat", text) == ReadResult::kOk) {
        if (auto btime = ParseBootTime(text)) boot_time = static_cast<double>(*btime);
      }
    }
    return boot_time.value_or(0);
  }

  static InitCandidateCache& CandidateOf(CachedProcess& entry) {
    if (entry.candidate == nullptr) entry.candidate = std::make_unique<InitCandidateCache>();
    return *entry.candidate;
  }

  // /proc/PID/status into `text`, through a descriptor kept in `entry` (if any) from then on.
  ReadResult ReadStatus(int proc_fd, int32_t pid, CachedProcess* entry) {
    InitCandidateCache* candidate = entry != nullptr ? entry->candidate.get() : nullptr;
    if (candidate != nullptr && candidate->status_fd.valid()) {
      const ReadResult kept = PreadOnePiece(candidate->status_fd.get(), text);
      if (kept == ReadResult::kOk) return kept;
      candidate->status_fd.Reset();
    }
    Fd fd = OpenAt(proc_fd, PathOf(pid, "status"));
    if (!fd.valid()) return ClassifyErrno(errno);
    const ReadResult result = PreadOnePiece(fd.get(), text);
    if (result == ReadResult::kOk && entry != nullptr) {
      CandidateOf(*entry).status_fd = KeptFd(std::move(fd), descriptors);
    }
    return result;
  }

  // status and exe of the few processes per container whose parent is outside it.
  CandidateFacts ReadCandidate(int proc_fd, int32_t pid) {
    CandidateFacts facts;
    auto entry = cache.find(pid);
    if (ReadStatus(proc_fd, pid, entry != cache.end() ? &entry->second : nullptr) ==
        ReadResult::kOk) {
      if (auto status = ParseProcStatus(text)) {
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
    InitCandidateCache* candidate = entry != cache.end() ? entry->second.candidate.get() : nullptr;
    if (candidate != nullptr && candidate->exe_read &&
        candidate->exe_signature == entry->second.exec_signature) {
      facts.exe_basename = candidate->exe_basename;
      return facts;
    }
    std::array<char, 4096> target{};
    const ssize_t n = ::readlinkat(proc_fd, PathOf(pid, "exe"), target.data(), target.size());
    if (n > 0 && static_cast<std::size_t>(n) < target.size()) {
      std::string_view exe(target.data(), static_cast<std::size_t>(n));
      if (exe.ends_with(" (deleted)")) exe.remove_suffix(10);  // upgraded binary, still running
      facts.exe_basename = std::string(exe.substr(exe.rfind('/') + 1));
    }
    if (entry != cache.end() && n > 0) {
      InitCandidateCache& kept = CandidateOf(entry->second);
      kept.exe_read = true;
      kept.exe_signature = entry->second.exec_signature;
      kept.exe_basename = facts.exe_basename;
    }
    return facts;
  }

  void DescribeInits(int proc_fd, Snapshot& snapshot) {
    const double boot = BootTime(proc_fd);
    const auto candidates = InitCandidates(snapshot);
    std::vector<CandidateFacts> facts;
    for (std::size_t c = 0; c < candidates.size(); ++c) {
      facts.assign(candidates[c].size(), CandidateFacts{});
      // In start order; the namespace's PID 1 is nearly always the first, so stop there.
      for (std::size_t k = 0; k < candidates[c].size(); ++k) {
        facts[k] = ReadCandidate(proc_fd, snapshot.processes[candidates[c][k]].pid);
        if (facts[k].nspid.size() > 1 && facts[k].nspid.back() == 1) break;
      }
      snapshot.containers[c].init =
          ChooseInit(snapshot, candidates[c], facts, boot, ticks_per_second);
    }
  }

  // Names, image, pod and declared namespaces from the runtime's own files.
  void DescribeFromFiles(Container& c, double now) {
    const MetadataLookup found = metadata.Lookup(c.runtime, c.id, now);
    if (found.metadata != nullptr) DescribeFromMetadata(*found.metadata, found.runtime, c);
    const double first = first_seen.try_emplace(c.container_id(), now).first->second;
    c.identity_pending = !found.complete && now - first < kIdentityGraceSeconds;
    // A rootless runtime's OCI config lists no user namespace: the container keeps the
    // runtime's own, which is not the host's. Declared: unknown, not "host".
    if (c.cgroup.empty()) c.declared_host[static_cast<std::size_t>(NsKind::kUser)] = -1;
  }

  // Rootless Podman on cgroup v1: containers no cgroup names, through the PID conmon wrote down
  // (runtime_pidfiles.h). `processes` and `matches` are parallel, in listing order; the process
  // a trusted pidfile names gets its container's match. Returns how many running containers'
  // pidfiles could not be trusted.
  uint64_t AttributeFromPidfiles(int proc_fd, std::vector<Process>& processes,
                                 std::vector<const ContainerMatch*>& matches,
                                 const NsSet& host_ns) {
    const std::vector<PidfileContainer>& files = pidfiles.Refresh();
    const auto gone = [&](const auto& item) {
      return std::none_of(files.begin(), files.end(),
                          [&](const PidfileContainer& f) { return f.id == item.first; });
    };
    std::erase_if(pidfile_matches, gone);
    std::erase_if(pidfile_verdicts, gone);
    if (files.empty()) return 0;
    std::unordered_map<int32_t, std::size_t> index_of_pid;
    for (const PidfileContainer& f : files) index_of_pid.emplace(f.pid, SIZE_MAX);
    for (std::size_t i = 0; i < processes.size(); ++i) {
      auto it = index_of_pid.find(processes[i].pid);
      if (it != index_of_pid.end()) it->second = i;
    }
    const double boot = BootTime(proc_fd);
    uint64_t unattributed = 0;
    for (const PidfileContainer& f : files) {
      const std::size_t i = index_of_pid[f.pid];
      PidfileFacts facts;
      if (i != SIZE_MAX) {
        Process& p = processes[i];
        facts.process_found = true;
        facts.ppid = p.ppid;
        facts.has_cgroup_match = matches[i] != nullptr;
        const NsId& user_ns = NsOf(p.ns, NsKind::kUser);
        facts.in_initial_user_ns = user_ns.SameAs(NsOf(host_ns, NsKind::kUser));
        uint32_t owner = 0;
        if (!facts.has_cgroup_match && !facts.in_initial_user_ns &&
            ReadUserNamespaceOwner(proc_fd, p.pid, owner) == ReadResult::kOk) {
          facts.user_ns_owner = owner;
        }
        facts.start_seconds = boot + static_cast<double>(p.start_ticks) / ticks_per_second;
      }
      const PidfileVerdict verdict = JudgePidfile(f, facts);
      LogPidfileVerdict(f, verdict);
      if (verdict == PidfileVerdict::kUnverified || verdict == PidfileVerdict::kRejected) {
        ++unattributed;
      }
      if (verdict != PidfileVerdict::kAttribute) continue;
      auto& match = pidfile_matches[f.id];
      if (match == nullptr) {
        match = std::make_shared<const ContainerMatch>(ContainerMatch{.runtime = "podman",
                                                                      .layout = "podman-pidfile",
                                                                      .id = f.id,
                                                                      .cgroup = {},
                                                                      .pod_uid = {}});
      }
      matches[i] = match.get();
      processes[i].attribution = Attribution::kRuntimeFiles;
    }
    return unattributed;
  }

  // Once per container and verdict: why a running container's file was not trusted.
  void LogPidfileVerdict(const PidfileContainer& f, PidfileVerdict verdict) {
    auto [it, first] = pidfile_verdicts.try_emplace(f.id, verdict);
    if (!first && it->second == verdict) return;
    it->second = verdict;
    if (verdict == PidfileVerdict::kUnverified) {
      spdlog::warn(
          "rootless container {} (pid {}): its user namespace is unreadable, so its pidfile "
          "cannot be verified; not attributed (needs CAP_SYS_PTRACE)",
          f.id.substr(0, 12), f.pid);
    } else if (verdict == PidfileVerdict::kRejected) {
      spdlog::warn(
          "rootless container {}: its pidfile (owner uid {}) names pid {}, which is not a "
          "process of that user's containers; not attributed",
          f.id.substr(0, 12), f.owner_uid, f.pid);
    } else if (verdict == PidfileVerdict::kAttribute) {
      spdlog::debug("rootless container {}: pid {} from its pidfile", f.id.substr(0, 12), f.pid);
    }
  }

  void Evict() {
    for (auto it = cache.begin(); it != cache.end();) {
      if (it->second.seen_scan != scan_number) {
        it = cache.erase(it);
      } else {
        ++it;
      }
    }
    // Resolutions no process used for a while: containers that are gone.
    const uint64_t keep = 2ULL * RevalidateEvery();
    std::erase_if(resolutions, [&](const auto& item) {
      return item.second.last_used_scan + keep < scan_number;
    });
  }
};

NsSet ReadSelfNamespaces() {
  NsSet self{};
  Fd proc(::open("/proc/self", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!proc.valid()) return self;
  for (std::size_t kind = 0; kind < kNsKindCount; ++kind) {
    ReadNsAt(proc.get(), kNsFiles[kind], self[kind]);
  }
  return self;
}

Scanner::Scanner(ScannerOptions options) : state_(std::make_unique<State>(std::move(options))) {}

Scanner::~Scanner() = default;

Expected<std::shared_ptr<const Snapshot>> Scanner::Scan() {
  State& s = *state_;
  const auto started = std::chrono::steady_clock::now();
  ++s.scan_number;

  Fd proc_fd(::open(s.options.procfs.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!proc_fd.valid()) {
    return Error{"cannot open procfs " + s.options.procfs + ": " + std::strerror(errno)};
  }
  if (ListPids(proc_fd.get(), s.dirents, s.pids) != ReadResult::kOk) {
    return Error{"cannot list procfs " + s.options.procfs + ": " + std::strerror(errno)};
  }

  auto snapshot = std::make_shared<Snapshot>();
  snapshot->host_ns = s.HostNamespaces(proc_fd.get());
  snapshot->boot_time_seconds = s.BootTime(proc_fd.get());
  s.nsfs_dev = 0;
  for (const NsId& ns : snapshot->host_ns) s.nsfs_dev = s.nsfs_dev != 0 ? s.nsfs_dev : ns.dev;
  snapshot->processes.reserve(s.pids.size());
  std::vector<const ContainerMatch*> matches;  // parallel to processes
  matches.reserve(s.pids.size());
  std::vector<uint8_t> cgroup_unknown;
  cgroup_unknown.reserve(s.pids.size());
  uint64_t cache_hits = 0;
  uint64_t unknown_layout = 0;
  uint64_t namespaces_unreadable = 0;
  ProcStat stat;

  for (int32_t pid : s.pids) {
    CachedProcess& entry = s.cache[pid];
    if (!s.ReadStat(proc_fd.get(), pid, entry, stat)) {
      s.cache.erase(pid);
      continue;
    }
    if (entry.validated_scan != 0 && entry.start_ticks != stat.start_ticks) {
      // Same pid, another process (the descriptor was reopened): forget the old one.
      KeptFd fd = std::move(entry.stat_fd);
      entry = CachedProcess{};
      entry.stat_fd = std::move(fd);
    }
    entry.start_ticks = stat.start_ticks;
    entry.seen_scan = s.scan_number;
    const bool zombie = stat.state == 'Z';
    const uint64_t exec_signature = ExecSignature(stat);
    // A new parent too: re-parenting follows the parent's exit, often a runtime's setup step.
    const bool changed = entry.exec_signature != exec_signature || entry.ppid != stat.ppid;
    entry.exec_signature = exec_signature;
    entry.ppid = stat.ppid;
    if (const RereadLevel level = s.NeedsReread(pid, zombie, changed, entry);
        level != RereadLevel::kNone) {
      s.Reread(proc_fd.get(), pid, zombie, level, entry);
    } else {
      ++cache_hits;
    }

    Process& p = snapshot->processes.emplace_back();
    p.pid = stat.pid;
    p.ppid = stat.ppid;
    p.start_ticks = stat.start_ticks;
    p.state_code = stat.state;
    p.state = ProcessStateFromCode(stat.state);
    p.threads = stat.num_threads;
    p.comm = stat.comm;
    p.ns = entry.ns;
    const ContainerMatch* match = entry.cgroup ? entry.cgroup->container.get() : nullptr;
    matches.push_back(match);
    cgroup_unknown.push_back(entry.cgroup_known ? 0 : 1);
    if (entry.cgroup && entry.cgroup->unknown_layout) ++unknown_layout;
    if (entry.ns_denied) ++namespaces_unreadable;
    if (match != nullptr) {
      p.attribution =
          zombie && entry.read_while_alive ? Attribution::kCached : Attribution::kCgroup;
    }
  }
  const uint64_t unattributed_runtime_containers =
      s.AttributeFromPidfiles(proc_fd.get(), snapshot->processes, matches, snapshot->host_ns);
  s.Evict();

  // Containers, sorted by id; processes point at them by index. Keys are built once per
  // distinct match, not per process, with the runtime the runtime's files give (a bare id under
  // kubepods is cri-dockerd's, not containerd's): two layouts naming one container (its
  // processes' cgroup lines differ) make one container, never two series with one container_id.
  const double now = WallSeconds();
  std::unordered_map<const ContainerMatch*, int32_t> index_of_match;
  std::map<std::string, std::vector<const ContainerMatch*>> matches_of_id;
  for (const ContainerMatch* match : matches) {
    if (match != nullptr && index_of_match.emplace(match, 0).second) {
      const MetadataLookup found = s.metadata.Lookup(match->runtime, match->id, now);
      const std::string& runtime = found.metadata != nullptr ? found.runtime : match->runtime;
      matches_of_id[runtime + "://" + match->id].push_back(match);
    }
  }
  for (const auto& [key, same_container] : matches_of_id) {
    const auto index = static_cast<int32_t>(snapshot->containers.size());
    const ContainerMatch& match = *same_container.front();
    Container& c = snapshot->containers.emplace_back();
    c.runtime = match.runtime;
    c.id = match.id;
    c.cgroup = match.cgroup;
    c.layout = match.layout;
    c.pod_uid = match.pod_uid;
    // Until the runtime's files name it: the short id, as `docker ps` shows it (LXC and nspawn
    // ids are names already).
    c.name = c.id.size() == 64 ? c.id.substr(0, 12) : c.id;
    for (const ContainerMatch* m : same_container) index_of_match[m] = index;
  }
  for (std::size_t i = 0; i < matches.size(); ++i) {
    if (matches[i] != nullptr) snapshot->processes[i].container = index_of_match[matches[i]];
  }

  // The fallbacks look parents up by pid. procfs lists pids in order, so this rarely moves.
  std::vector<uint8_t> sorted_unknown;
  const auto by_pid = [](const Process& a, const Process& b) { return a.pid < b.pid; };
  if (std::is_sorted(snapshot->processes.begin(), snapshot->processes.end(), by_pid)) {
    sorted_unknown = std::move(cgroup_unknown);
  } else {
    std::vector<std::size_t> order(snapshot->processes.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return snapshot->processes[a].pid < snapshot->processes[b].pid;
    });
    std::vector<Process> sorted;
    sorted.reserve(order.size());
    sorted_unknown.reserve(order.size());
    for (std::size_t i : order) {
      sorted.push_back(std::move(snapshot->processes[i]));
      sorted_unknown.push_back(cgroup_unknown[i]);
    }
    snapshot->processes = std::move(sorted);
  }
  std::vector<uint8_t> without_cgroup(snapshot->containers.size(), 0);
  for (std::size_t c = 0; c < without_cgroup.size(); ++c) {
    without_cgroup[c] = snapshot->containers[c].cgroup.empty() ? 1 : 0;
  }
  AttributeWithoutCgroup(snapshot->processes, sorted_unknown, snapshot->host_ns, without_cgroup);

  for (const Process& p : snapshot->processes) {
    const auto state = static_cast<std::size_t>(p.state);
    if (p.container == kNoContainer) {
      ++snapshot->host_processes[state];
      continue;
    }
    Container& c = snapshot->containers[static_cast<std::size_t>(p.container)];
    ++c.processes[state];
    c.threads += p.threads;
  }

  for (Container& c : snapshot->containers) {
    s.DescribeFromFiles(c, now);
    if (!c.cgroup.empty()) c.pids = s.cgroupfs.ReadPids(c.cgroup);
  }
  s.metadata.ForgetUnused();
  std::unordered_set<std::string> present;
  for (const Container& c : snapshot->containers) present.insert(c.container_id());
  std::erase_if(s.first_seen, [&](const auto& item) { return present.count(item.first) == 0; });
  s.cgroupfs.ForgetUnread();
  s.DescribeInits(proc_fd.get(), *snapshot);
  AnalyseNamespaceSharing(*snapshot, s.options.self_ns);
  s.reaping.Update(*snapshot, now);

  ScanStats& stats = snapshot->stats;
  stats.processes = snapshot->processes.size();
  stats.cache_hits = cache_hits;
  stats.unknown_layout_processes = unknown_layout;
  stats.namespaces_unreadable = namespaces_unreadable;
  stats.unattributed_runtime_containers = unattributed_runtime_containers;
  stats.cached_processes = s.cache.size();
  stats.cached_cgroup_files = s.resolutions.size();
  stats.cached_metadata = s.metadata.size();
  stats.tracked_processes = s.reaping.tracked_processes();
  stats.runtime_file_errors = s.metadata.errors();
  stats.cgroup_pids_available = s.cgroupfs.pids_available();
  if (namespaces_unreadable > 0 && !s.warned_namespaces) {
    s.warned_namespaces = true;
    // A few are normal (a PID 1 holding capabilities the exporter lacks); most means no
    // CAP_SYS_PTRACE.
    const bool most = namespaces_unreadable * 10 > stats.processes;
    spdlog::log(most ? spdlog::level::warn : spdlog::level::info,
                "namespaces of {} of {} processes are unreadable{}", namespaces_unreadable,
                stats.processes,
                most ? ": without CAP_SYS_PTRACE, namespace sharing and PID 1 identity are "
                       "incomplete"
                     : " (processes holding capabilities the exporter lacks)");
  }
  stats.errors = s.errors;
  stats.timestamp_seconds = now;
  stats.duration_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return std::shared_ptr<const Snapshot>(std::move(snapshot));
}

}  // namespace cproc
