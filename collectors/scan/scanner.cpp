#include "collectors/scan/scanner.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include <spdlog/spdlog.h>

#include "collectors/analysis/attribution.h"
#include "collectors/analysis/init_process.h"
#include "collectors/analysis/namespace_sharing.h"
#include "collectors/analysis/reaping_history.h"
#include "collectors/base/proc_files.h"
#include "collectors/base/shrink.h"
#include "collectors/cgroupfs/cgroupfs.h"
#include "collectors/events/lifecycle_totals.h"
#include "collectors/procfs/boot_time.h"
#include "collectors/scan/cgroup_resolver.h"
#include "collectors/scan/container_naming.h"
#include "collectors/scan/host_namespaces.h"
#include "collectors/scan/pidfile_attribution.h"
#include "collectors/scan/process_cache.h"
#include "collectors/scan/snapshot_builder.h"

namespace cproc {
namespace {

double WallSeconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

// Everything kept from one scan to the next. The lifetime rule: this state owns every byte it
// keeps (strings, not views; shared_ptr, not raw pointers into a snapshot). A scan's own objects
// (the snapshot, the listing's matches) may point into this state, never the other way round:
// a snapshot is freed when the last scrape of it ends, and a view into it would read freed
// memory from the next scan on (it did: MetadataStore kept the runtime name as a view into a
// Container).
struct Scanner::State {
  explicit State(ScannerOptions scanner_options)
      : options(std::move(scanner_options)),
        cgroupfs(options.sysfs, &descriptors),
        naming(options.metadata),
        resolver(options.layouts, options.own_cgroup_root, naming.metadata(),
                 std::max<uint32_t>(1, options.revalidate_every)),
        processes(options.revalidate_every, descriptors, resolver, options.threads,
                  options.parallel_from),
        pidfiles(options.metadata.rootfs, options.metadata.storage_roots) {
    if (!cgroupfs.pids_available()) {
      spdlog::warn(
          "no cgroup pids controller under {}/fs/cgroup: pids metrics are left out "
          "(set --path.sysfs to the host's /sys)",
          options.sysfs);
    }
    if (!cgroupfs.memory_available()) {
      spdlog::warn(
          "no cgroup memory controller under {}/fs/cgroup: OOM kills are left out "
          "(set --path.sysfs to the host's /sys)",
          options.sysfs);
    }
  }

  ScannerOptions options;
  // Kept stat and status descriptors, the pids and memory files'.
  DescriptorBudget descriptors = DescriptorBudget::Capped(options.kept_descriptors);
  CgroupFs cgroupfs;
  ContainerNaming naming;
  CgroupResolver resolver;
  ProcessCache processes;
  PidfileAttribution pidfiles;
  HostNamespaceReader host_namespaces;
  ReapingHistory reaping;
  LifecycleTotals lifecycle;
  const double ticks_per_second = static_cast<double>(::sysconf(_SC_CLK_TCK));
  std::optional<double> boot_time;  // read once: it does not change while the host is up
  uint64_t scan_number = 0;
  ScanErrorTotals errors;
  bool warned_namespaces = false;  // logged once, not per scan
  bool logged_descriptors = false;
  // Buffers reused by every scan.
  std::vector<char> dirents;
  std::vector<int32_t> pids;
  // The last snapshot's process list, emptied, when it is not kept (keep_processes): its
  // buffer is the next scan's, so no scan maps and faults in a fresh one.
  std::vector<Process> spare_processes;

  double BootTime(int proc_fd) {
    if (!boot_time) {
      std::string text;
      if (ReadFileAt(proc_fd, "stat", text) == ReadResult::kOk) {
        if (auto btime = ParseBootTime(text)) boot_time = static_cast<double>(*btime);
      }
    }
    return boot_time.value_or(0);
  }

  // PID 1 of each container, from the few processes whose parent is outside it.
  void DescribeInits(int proc_fd, Snapshot& snapshot) {
    const auto candidates = InitCandidates(snapshot);
    std::vector<CandidateFacts> facts;
    for (std::size_t c = 0; c < candidates.size(); ++c) {
      facts.assign(candidates[c].size(), CandidateFacts{});
      // In start order; the namespace's PID 1 is nearly always the first, so stop there.
      for (std::size_t k = 0; k < candidates[c].size(); ++k) {
        facts[k] =
            processes.ReadCandidate(proc_fd, snapshot.processes[candidates[c][k]].pid, errors);
        if (facts[k].nspid.size() > 1 && facts[k].nspid.back() == 1) break;
      }
      Container& container = snapshot.containers[c];
      container.init = ChooseInit(snapshot, candidates[c], facts, snapshot.boot_time_seconds,
                                  ticks_per_second, container.declared_stop_signal);
    }
  }

  // Not an error: beyond the budget a process is opened and read every scan, which costs CPU
  // (docs/PERFORMANCE.md "Kept descriptors"). Said once; cproc_scan_kept_descriptors shows it.
  void LogOnceIfDescriptorsSpent() {
    if (!descriptors.spent() || logged_descriptors) return;
    logged_descriptors = true;
    if (descriptors.limited_by_rlimit()) {
      spdlog::warn(
          "all {} descriptors that RLIMIT_NOFILE leaves are kept open: further processes are "
          "opened and read every scan, at more CPU (LimitNOFILE above --scan.kept-descriptors "
          "+ 256 lets the flag decide)",
          descriptors.limit());
    } else {
      spdlog::info(
          "all {} kept descriptors (--scan.kept-descriptors) are in use: further processes are "
          "opened and read every scan, at more CPU and less kernel memory",
          descriptors.limit());
    }
  }

  void WarnOnceIfNamespacesUnreadable(uint64_t unreadable, uint64_t total) {
    if (unreadable == 0 || warned_namespaces) return;
    warned_namespaces = true;
    // A few are normal (a PID 1 holding capabilities the exporter lacks); most means no
    // CAP_SYS_PTRACE.
    const bool most = unreadable * 10 > total;
    spdlog::log(most ? spdlog::level::warn : spdlog::level::info,
                "namespaces of {} of {} processes are unreadable{}", unreadable, total,
                most ? ": without CAP_SYS_PTRACE, namespace sharing and PID 1 identity are "
                       "incomplete"
                     : " (processes holding capabilities the exporter lacks)");
  }
};

Scanner::Scanner(ScannerOptions options) : state_(std::make_unique<State>(std::move(options))) {}

Scanner::~Scanner() = default;

// The phases, in order; each reads what the one before produced.
Expected<std::shared_ptr<const Snapshot>> Scanner::Scan() {
  State& s = *state_;
  const auto started = std::chrono::steady_clock::now();
  ++s.scan_number;

  // 1. The pids procfs lists.
  Fd proc_fd(::open(s.options.procfs.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!proc_fd.valid()) {
    return Error{"cannot open procfs " + s.options.procfs + ": " + std::strerror(errno)};
  }
  if (ListPids(proc_fd.get(), s.dirents, s.pids) != ReadResult::kOk) {
    return Error{"cannot list procfs " + s.options.procfs + ": " + std::strerror(errno)};
  }
  auto snapshot = std::make_shared<Snapshot>();
  snapshot->host_ns = s.host_namespaces.Read(proc_fd.get(), s.options.self_ns);
  snapshot->boot_time_seconds = s.BootTime(proc_fd.get());
  uint32_t nsfs_dev = 0;
  for (const NsId& ns : snapshot->host_ns) nsfs_dev = nsfs_dev != 0 ? nsfs_dev : ns.dev;

  // 2. Every process: stat, and cgroup and namespaces where the cache says so.
  ProcessListing listing;
  listing.processes = std::move(s.spare_processes);
  s.processes.Read(proc_fd.get(), s.pids, nsfs_dev, s.scan_number, listing, s.errors);
  if (s.scan_number == 1) {
    spdlog::info("namespaces are read {}", s.processes.reads_namespaces_by_pidfd()
                                               ? "through pidfds (Linux 6.11+)"
                                               : "through the /proc/PID/ns links");
  }
  s.resolver.Evict(s.scan_number);
  // 3. Rootless containers no cgroup names, through their runtime's pidfiles.
  const uint64_t unattributed_runtime_containers =
      s.pidfiles.Attribute(proc_fd.get(), snapshot->boot_time_seconds, snapshot->host_ns,
                           listing.processes, listing.ns_sets, listing.matches);

  // 4. Containers, with the runtime their files give; then the fallbacks for processes whose
  // cgroup said nothing, which look parents up by pid.
  const double now = WallSeconds();
  GroupContainers(
      listing.matches, [&](const ContainerMatch& match) { return s.naming.RuntimeOf(match, now); },
      listing.processes, snapshot->containers);
  snapshot->processes = std::move(listing.processes);
  snapshot->ns_sets = std::move(listing.ns_sets);
  SortByPid(snapshot->processes, listing.cgroup_unknown);
  std::vector<uint8_t> without_cgroup(snapshot->containers.size(), 0);
  for (std::size_t c = 0; c < without_cgroup.size(); ++c) {
    without_cgroup[c] = snapshot->containers[c].cgroup.empty() ? 1 : 0;
  }
  AttributeWithoutCgroup(snapshot->processes, snapshot->ns_sets, listing.cgroup_unknown,
                         snapshot->host_ns, without_cgroup);
  CountProcesses(*snapshot);

  // 5. What the runtimes' files and cgroupfs say of each container.
  for (Container& c : snapshot->containers) {
    s.naming.Describe(c, now);
    if (c.cgroup.empty()) continue;
    c.pids = s.cgroupfs.ReadPids(c.cgroup);
    c.memory = s.cgroupfs.ReadMemory(c.cgroup);
  }
  s.naming.ForgetAllBut(snapshot->containers);
  s.cgroupfs.ForgetUnread();

  // 6. The analyses: PID 1, namespace sharing, what the process events saw since the previous
  // scan, reaping.
  s.DescribeInits(proc_fd.get(), *snapshot);
  AnalyseNamespaceSharing(*snapshot, s.options.self_ns);
  std::vector<std::optional<uint64_t>> orphans_by_events;
  if (s.options.events) {
    const EventHandover handover = s.options.events->Handover(*snapshot);
    // Read again after the hand-over: the kernel counts an OOM kill before its victim's exit,
    // so every exit handed over finds its kill in this count.
    for (Container& c : snapshot->containers) {
      if (!c.cgroup.empty()) c.memory = s.cgroupfs.ReadMemory(c.cgroup);
    }
    orphans_by_events = s.lifecycle.Update(*snapshot, handover.deltas, handover.covered, now);
    snapshot->stats.events = handover.stats;
  }
  s.reaping.Update(*snapshot, now, orphans_by_events);

  // 7. How the scan went.
  ScanStats& stats = snapshot->stats;
  stats.processes = snapshot->processes.size();
  stats.cache_hits = listing.cache_hits;
  stats.unknown_layout_processes = listing.unknown_layout;
  stats.namespaces_unreadable = listing.namespaces_unreadable;
  stats.unattributed_runtime_containers = unattributed_runtime_containers;
  stats.cached_processes = s.processes.size();
  stats.cached_cgroup_files = s.resolver.size();
  stats.cached_metadata = s.naming.metadata().size();
  stats.tracked_processes = s.reaping.tracked_processes();
  stats.kept_descriptors = s.descriptors.used();
  stats.kept_descriptors_limit = s.descriptors.limit();
  s.LogOnceIfDescriptorsSpent();
  stats.runtime_file_errors = s.naming.metadata().errors();
  stats.cgroup_pids_available = s.cgroupfs.pids_available();
  s.WarnOnceIfNamespacesUnreadable(listing.namespaces_unreadable, stats.processes);
  stats.errors = s.errors;
  stats.timestamp_seconds = now;
  if (!s.options.keep_processes) {
    s.spare_processes = std::move(snapshot->processes);
    s.spare_processes.clear();
    snapshot->processes = {};
    if (ShrunkToUnderAQuarter(s.spare_processes.capacity(), stats.processes)) {
      s.spare_processes = std::vector<Process>();  // not `= {}`, which keeps the capacity
    }
  }
  stats.duration_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return std::shared_ptr<const Snapshot>(std::move(snapshot));
}

}  // namespace cproc
