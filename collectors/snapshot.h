// The immutable result of one scan: every process, every container, and how the scan went.
// Produced by the Scanner, read (never changed) by the analyses, metrics and the HTTP side.
#pragma once

#include <algorithm>
#include <array>
#include <csignal>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/events/exit_class.h"
#include "collectors/procfs/namespaces.h"
#include "collectors/procfs/process_state.h"

namespace cproc {

inline constexpr int32_t kNoContainer = -1;

// How a process was tied to its container; a fallback is normal for zombies (docs/ARCHITECTURE.md
// "Kernel facts").
enum class Attribution : uint8_t {
  kNone,          // host process
  kCgroup,        // a line of /proc/PID/cgroup names the container
  kCached,        // remembered from when the process was alive (zombies lose their v1 lines)
  kPidNamespace,  // its PID namespace belongs to exactly one container
  kParent,        // its parent's container, in the same PID namespace
  // The process a runtime's file names as the container's first (rootless Podman's pidfile,
  // runtime_pidfiles.h), where no cgroup names the container.
  kRuntimeFiles,
};

// Process::ns_set when the process has no interned namespaces (a hand-built process): every
// kind reads as unknown.
inline constexpr uint32_t kNoNsSet = UINT32_MAX;
inline constexpr NsSet kUnknownNsSet{};

// A scan lists one per process, 100,000 and more on large hosts (and two lists are alive where
// snapshots keep theirs): fields ordered so that none is padded and a process fits one cache line
// (docs/PERFORMANCE.md "Sizing").
struct Process {
  int32_t pid = 0;
  int32_t ppid = 0;
  uint64_t start_ticks = 0;
  std::string comm;
  uint32_t threads = 0;
  // Its namespaces, interned: an index into the scan's distinct sets (Snapshot::ns_sets), which
  // most processes share (one per container, plus the host's). Read through NsSetOf.
  uint32_t ns_set = kNoNsSet;
  int32_t container = kNoContainer;  // index into Snapshot::containers
  char state_code = '?';
  ProcessState state = ProcessState::kOther;
  Attribution attribution = Attribution::kNone;
};
static_assert(sizeof(std::string) != 32 || sizeof(Process) == 64,
              "Process grew past one cache line: a scan holds one per process");

// The namespaces of `p`, a process of the scan whose distinct sets are `ns_sets`
// (Snapshot::ns_sets, or ProcessListing::ns_sets while the scan builds it).
inline const NsSet& NsSetOf(const std::vector<NsSet>& ns_sets, const Process& p) {
  return p.ns_set == kNoNsSet ? kUnknownNsSet : ns_sets[p.ns_set];
}

// The container's init as the kernel sees it (docs/ARCHITECTURE.md "Kernel facts"): orphans are
// re-parented to it, and the kernel does not deliver default-action signals to PID 1 of a PID
// namespace.
struct InitProcess {
  int32_t pid = 0;  // host PID; 0 when the container has no live process with a parent outside
  std::string comm;
  std::string init = "none";       // recognised init (tini, docker-init, ...) or "none"
  bool is_namespace_init = false;  // innermost NSpid is 1; false for --pid=host or shared PID ns
  bool handles_sigterm = false;    // SIGTERM caught, or a recognised init that forwards it
  // The container's effective stop signal (what docker stop / the kubelet sends first: the
  // declared one, else SIGTERM), and whether the init catches it or is a recognised init that
  // forwards it. SIGKILL and SIGSTOP cannot be handled.
  int stop_signal = SIGTERM;
  bool handles_stop_signal = false;
  double start_time_seconds = 0;  // unix time
};

// The pids controller of the container's cgroup (v1 or v2); absent fields were not readable.
struct PidsUsage {
  std::optional<uint64_t> current;
  std::optional<uint64_t> limit;       // nullopt for "max" (no limit) or unreadable
  std::optional<uint64_t> limit_hits;  // pids.events "max": forks refused at the limit
};

// The memory controller of the container's cgroup; absent fields were not readable (unknown is
// never 0).
struct MemoryEvents {
  // Processes the OOM killer killed, cumulative as the kernel counts them ("oom_kill"): on v2
  // memory.events, the cgroup and its descendants; on v1 memory.oom_control (kernel >= 4.13),
  // processes of the cgroup itself, not of its child cgroups.
  std::optional<uint64_t> oom_kills;
};

// What the process events said of the container's processes since it was first counted (the
// event source's hand-overs: collectors/events/). Exit classes: exit_class.h.
struct ProcessLifecycle {
  uint64_t started = 0;  // forks that made a process
  uint64_t execs = 0;
  ExitClassCounts exited{};
  uint64_t short_lived = 0;  // born after a scan and gone before the next
  ExitClassCounts init_exits{};
  // The init killed by a signal it did not raise itself (not a fault, not the OOM killer): a
  // namespace's PID 1 takes a fatal signal only from outside it (kill -9 from the host, a stop
  // that timed out).
  uint64_t init_killed_from_outside = 0;
};

struct ZombieSummary {
  uint32_t parent_pid1 = 0;        // the container's init has not reaped them
  uint32_t parent_other = 0;       // another process inside the container
  uint32_t parent_outside = 0;     // a process outside the container (host or another container)
  double oldest_seconds = 0;       // since the oldest one was first seen; 0 when none
  double oldest_pid1_seconds = 0;  // the same among those whose parent is the init
};

// How the container's namespaces (those of its init) relate to the host's and to others'.
struct NamespaceSharing {
  // Per NsKind: 1 = the host's namespace, 0 = its own, -1 = unknown (unreadable, no live init).
  std::array<int8_t, kNsKindCount> host{-1, -1, -1, -1, -1, -1, -1, -1};
  // Per NsKind: other containers in the same (non-host) namespace; `foreign` excludes those of
  // the same Kubernetes pod, which share net, ipc and uts by design.
  std::array<uint32_t, kNsKindCount> peers{};
  std::array<uint32_t, kNsKindCount> foreign_peers{};
  // Whether peers of that kind could be counted: the init's link and the host's are known (a
  // namespace that might be the host's is nobody's to share). Unknown is left out, never 0.
  std::array<bool, kNsKindCount> peers_known{};
  // Whether the mismatches could be counted: the init's PID and mount namespaces are known.
  bool mismatches_known = false;
  // Live processes where cgroup and namespaces disagree: in the container's cgroup but in
  // another PID or mount namespace (nsenter, setns), or outside its cgroup but in its PID
  // namespace or one of its own mount, network, IPC or UTS namespaces.
  uint32_t mismatched_namespace = 0;
  uint32_t mismatched_cgroup = 0;
};

// The `container_id` label and every by-container key: "<runtime>://<id>", as the kubelet's
// containerID reads (docker://…, containerd://…, cri-o://…).
inline std::string ContainerId(std::string_view runtime, std::string_view id) {
  std::string out;
  out.reserve(runtime.size() + 3 + id.size());
  out.append(runtime).append("://").append(id);
  return out;
}

struct Container {
  std::string runtime;  // "docker"
  std::string id;       // full id, as the runtime knows it
  std::string cgroup;   // cgroup path of the container (the matched component included); "" for
                        // one found through its runtime's pidfile, which has no cgroup of its own
  std::string layout;   // the layout row that recognised it ("docker-systemd")
  std::string name;     // runtime or Kubernetes name when known; the (short) id otherwise
  std::string image;
  std::string pod_name;
  std::string pod_namespace;
  bool named_from_files = false;  // metadata was found in the runtime's files
  // Per NsKind, from the runtime's files: 1 host, 0 not, -1 not declared.
  std::array<int8_t, kNsKindCount> declared_host{-1, -1, -1, -1, -1, -1, -1, -1};
  int declared_stop_signal = 0;  // from the runtime's files; 0: none declared (SIGTERM applies)

  StateCounts processes{};  // thread-group leaders by state
  uint64_t threads = 0;
  InitProcess init;
  PidsUsage pids;
  MemoryEvents memory;
  ZombieSummary zombies;
  // Processes re-parented after their parent exited, since first seen: counted at the parent's
  // exit by the event source, or seen re-parented by the scan when events were lost or off.
  uint64_t orphans_adopted_total = 0;
  // Absent when the event source is off or unavailable: nothing was counted, not zero.
  std::optional<ProcessLifecycle> lifecycle;
  NamespaceSharing sharing;
  std::string pod_uid;   // Kubernetes pod, when known: containers of one pod share namespaces
  bool is_self = false;  // the container this exporter runs in
  // Its runtime was still writing its files (a Podman pod member whose pod libpod's state did
  // not know yet) and it was first seen less than kIdentityGraceSeconds ago: the metrics leave it
  // out for now, so its identity labels are final from its first series on.
  bool identity_pending = false;

  std::string container_id() const { return ContainerId(runtime, id); }
};

// Cumulative since the exporter started, so they are exported as counters.
struct ScanErrorTotals {
  uint64_t vanished = 0;    // a process went away between listing and reading: normal
  uint64_t permission = 0;  // EACCES/EPERM (ns links need CAP_SYS_PTRACE)
  uint64_t parse = 0;       // a kernel file did not have the expected shape
  uint64_t io = 0;          // any other read error
};

// Runtime files (names, images, declared namespaces) that exist but could not be used, since the
// exporter started. A file that is not there is not an error: the container is not known to
// that runtime, or not yet.
struct RuntimeFileErrors {
  uint64_t permission = 0;  // EACCES: the runtime keeps it root-only (CAP_DAC_READ_SEARCH)
  uint64_t io = 0;          // any other read error, or over the size bound
  uint64_t parse = 0;       // not the JSON the runtime writes
};

// The process events connector (collectors/events/event_source.h), cumulative.
struct EventSourceStats {
  bool started = false;  // a source was subscribed (the counts below mean something)
  bool active = false;   // and is still being read
  uint64_t received = 0;
  uint64_t lost_overrun = 0;   // ENOBUFS: the socket's buffer overflowed
  uint64_t lost_sequence = 0;  // missing from the kernel's per-CPU sequence numbers
};

struct ScanStats {
  double timestamp_seconds = 0;  // wall clock at the end of the scan
  double duration_seconds = 0;
  uint64_t processes = 0;   // processes in the snapshot
  uint64_t cache_hits = 0;  // processes whose cgroup and namespaces came from the cache
  uint64_t unknown_layout_processes = 0;  // in cgroups that look like containers no layout knows
  uint64_t namespaces_unreadable = 0;     // processes whose ns links were refused (CAP_SYS_PTRACE)
  // Running containers a runtime's pidfile names (rootless Podman without cgroups) whose process
  // could not be verified (CAP_SYS_PTRACE) or was not trusted: not attributed.
  uint64_t unattributed_runtime_containers = 0;
  bool cgroup_pids_available = false;  // a pids controller hierarchy was found under sysfs
  // Entries kept between scans, so churn that leaves them growing shows up.
  uint64_t cached_processes = 0;        // per (pid, starttime)
  uint64_t cached_cgroup_files = 0;     // resolutions per distinct /proc/PID/cgroup text
  uint64_t cached_metadata = 0;         // runtime metadata per container
  uint64_t tracked_processes = 0;       // reaping history
  uint64_t kept_descriptors = 0;        // open between scans (DescriptorBudget)
  uint64_t kept_descriptors_limit = 0;  // how many may be
  ScanErrorTotals errors;
  RuntimeFileErrors runtime_file_errors;
  EventSourceStats events;
};

struct Snapshot {
  std::vector<Process> processes;     // sorted by pid; empty unless ScannerOptions::keep_processes
  std::vector<NsSet> ns_sets;         // the distinct namespace sets of `processes`, each once
  std::vector<Container> containers;  // sorted by container_id()
  StateCounts host_processes{};       // processes in no container, by state
  NsSet host_ns{};                    // the namespaces of the procfs' host (see scanner)
  double boot_time_seconds = 0;       // unix time the host booted (/proc/stat btime); 0: unknown
  ScanStats stats;

  // The namespaces of `p`, one of `processes`.
  const NsSet& NsSetOf(const Process& p) const { return cproc::NsSetOf(ns_sets, p); }
};

// The process with `pid` in a pid-sorted vector (Snapshot::processes), or null.
inline const Process* FindProcess(const std::vector<Process>& processes, int32_t pid) {
  auto it = std::lower_bound(processes.begin(), processes.end(), pid,
                             [](const Process& p, int32_t value) { return p.pid < value; });
  return it != processes.end() && it->pid == pid ? &*it : nullptr;
}

}  // namespace cproc
