#include "exporter/metrics/metric_specs.h"

#include <array>
#include <initializer_list>
#include <iterator>
#include <utility>

namespace cproc {
namespace {

constexpr prometheus::MetricType kGauge = prometheus::MetricType::Gauge;
constexpr prometheus::MetricType kCounter = prometheus::MetricType::Counter;

// The /proc/self facts come from one read (collectors/procfs/self_process.h).
constexpr std::string_view kNoSelfStat = "the exporter's own /proc/self/stat cannot be read";

std::vector<std::string_view> PerContainer(std::initializer_list<std::string_view> more = {}) {
  std::vector<std::string_view> labels(std::begin(kContainerLabelNames),
                                       std::end(kContainerLabelNames));
  labels.insert(labels.end(), more);
  return labels;
}

using Table = std::array<MetricSpec, kMetricCount>;

void Set(Table& t, Metric metric, std::string_view name, prometheus::MetricType type,
         std::string_view help, std::vector<std::string_view> labels,
         std::string_view absent_when = {}) {
  t[static_cast<std::size_t>(metric)] = {name, type, help, std::move(labels), absent_when};
}

void AddContainerProcessSpecs(Table& t) {
  using enum Metric;
  Set(t, kContainerInfo, "cproc_container_info", kGauge,
      "Always 1: one series per container with its descriptive labels.",
      PerContainer({"runtime", "image", "pod_uid", "cgroup", "layout"}));
  Set(t, kContainerProcesses, "cproc_container_processes", kGauge,
      "Processes (thread-group leaders) in the container by state, zombies included.",
      PerContainer({"state"}));
  Set(t, kContainerThreads, "cproc_container_threads", kGauge, "Tasks (threads) in the container.",
      PerContainer());
  Set(t, kContainerPidsCurrent, "cproc_container_pids_current", kGauge,
      "Tasks charged to the container's cgroup pids controller.", PerContainer());
  Set(t, kContainerPidsLimit, "cproc_container_pids_limit", kGauge,
      "pids.max of the container's cgroup; absent when unlimited.", PerContainer());
  Set(t, kContainerPidsLimitHits, "cproc_container_pids_limit_hits_total", kCounter,
      "Times a fork in the container failed because pids.max was reached (the 'max' count of "
      "pids.events).",
      PerContainer());
  Set(t, kContainerOomKills, "cproc_container_oom_kills_total", kCounter,
      "Processes of the container killed by the OOM killer (oom_kill of the cgroup's "
      "memory.events on cgroup v2, memory.oom_control on v1); absent when the memory controller "
      "cannot be read.",
      PerContainer());
}

void AddInitSpecs(Table& t) {
  using enum Metric;
  Set(t, kContainerPid1Info, "cproc_container_pid1_info", kGauge,
      "Always 1: the container's init, its comm, the recognised init program (tini, "
      "docker-init, dumb-init, ...) or none, and the container's stop signal (what docker stop "
      "and the kubelet send first; SIGTERM unless the runtime's files declare another).",
      PerContainer({"comm", "init", "stop_signal"}));
  Set(t, kContainerPid1HostPid, "cproc_container_pid1_host_pid", kGauge,
      "Host PID of the container's init (docker inspect .State.Pid).", PerContainer());
  Set(t, kContainerPid1StartTime, "cproc_container_pid1_start_time_seconds", kGauge,
      "Unix time the container's init started; a jump is a restart.", PerContainer());
  Set(t, kContainerPid1HandlesSigterm, "cproc_container_pid1_handles_sigterm", kGauge,
      "1 if the init catches SIGTERM or is a recognised init that forwards it; 0 means docker "
      "stop waits for the timeout and sends SIGKILL.",
      PerContainer());
  Set(t, kContainerPid1HandlesStopSignal, "cproc_container_pid1_handles_stop_signal", kGauge,
      "1 if the init catches the container's stop signal (the stop_signal label of "
      "cproc_container_pid1_info) or is a recognised init that forwards it; 0 means docker stop "
      "waits for the timeout and sends SIGKILL. Always 0 for a stop signal of SIGKILL or SIGSTOP, "
      "which no process can handle.",
      PerContainer());
  Set(t, kContainerPid1IsNamespaceInit, "cproc_container_pid1_is_namespace_init", kGauge,
      "1 if the reported process is PID 1 of its PID namespace (adopts orphans); 0 for "
      "--pid=host or a shared PID namespace, where the container's main process is reported "
      "instead.",
      PerContainer());
  Set(t, kContainerZombies, "cproc_container_zombies", kGauge,
      "Zombie processes in the container by who their parent is: pid1, another process inside "
      "(other), or a process outside the container (outside).",
      PerContainer({"parent"}));
  Set(t, kContainerOldestZombie, "cproc_container_oldest_zombie_seconds", kGauge,
      "Seconds since the oldest zombie in the container was first seen; 0 when none.",
      PerContainer());
  Set(t, kContainerOldestPid1Zombie, "cproc_container_oldest_pid1_zombie_seconds", kGauge,
      "Seconds since the oldest zombie whose parent is the container's init was first seen: how "
      "long the init has left it unreaped; 0 when none.",
      PerContainer());
  Set(t, kContainerOrphansAdopted, "cproc_container_orphans_adopted_total", kCounter,
      "Processes of the container seen re-parented to its init or a subreaper after their "
      "parent exited.",
      PerContainer());
}

constexpr std::string_view kNoEvents =
    "the process events source is off or unavailable (cproc_events_source_active is 0)";

void AddLifecycleSpecs(Table& t) {
  using enum Metric;
  Set(t, kContainerProcessesStarted, "cproc_container_processes_started_total", kCounter,
      "Processes started in the container (forks of a process, not of a thread), from the "
      "kernel's process events.",
      PerContainer(), kNoEvents);
  Set(t, kContainerExecs, "cproc_container_execs_total", kCounter,
      "execve calls of processes in the container, from the kernel's process events.",
      PerContainer(), kNoEvents);
  Set(t, kContainerProcessesExited, "cproc_container_processes_exited_total", kCounter,
      "Processes of the container that ended, by outcome: exit_zero, exit_nonzero, signal (with "
      "the signal's name, or other) and oom_kill (a SIGKILL the memory controller counted as an "
      "OOM kill).",
      PerContainer({"outcome", "signal"}), kNoEvents);
  Set(t, kContainerShortLivedProcesses, "cproc_container_short_lived_processes_total", kCounter,
      "Processes of the container born after a scan and gone before the next: what a scan "
      "cannot see.",
      PerContainer(), kNoEvents);
  Set(t, kContainerPid1Exits, "cproc_container_pid1_exits_total", kCounter,
      "Exits of the container's init (PID 1 of its PID namespace) by outcome, as "
      "processes_exited; the container id outlives its init under restart policies.",
      PerContainer({"outcome", "signal"}), kNoEvents);
  Set(t, kContainerPid1KilledFromOutside, "cproc_container_pid1_killed_from_outside_total",
      kCounter,
      "The container's init killed by a signal it did not raise itself (not a fault such as "
      "SIGSEGV, not the OOM killer): kill from the host, a stop that timed out into SIGKILL.",
      PerContainer(), kNoEvents);
}

void AddEventSourceSpecs(Table& t) {
  using enum Metric;
  Set(t, kEventsSourceActive, "cproc_events_source_active", kGauge,
      "1 if the kernel's process events connector is subscribed and read; 0 means the "
      "lifecycle counters are left out (the log says why: CAP_NET_ADMIN, hostPID and "
      "hostNetwork are needed).",
      {});
  constexpr std::string_view kNeverStarted = "the process events source never started";
  Set(t, kEventsReceived, "cproc_events_received_total", kCounter,
      "Process events received from the kernel.", {}, kNeverStarted);
  Set(t, kEventsLost, "cproc_events_lost_total", kCounter,
      "Signs of lost process events, by reason: overrun counts the socket's buffer overflows "
      "(each lost one event or more), sequence_gap the events missing from the kernel's "
      "per-CPU numbering. While they grow the lifecycle counters are lower bounds.",
      {"reason"}, kNeverStarted);
}

void AddNamespaceSpecs(Table& t) {
  using enum Metric;
  Set(t, kContainerHostNamespace, "cproc_container_host_namespace", kGauge,
      "1 if the container (its init) uses the host's namespace of this kind, as with --pid=host "
      "or hostPID: true. user, time and (on cgroup v1) cgroup are the host's for most "
      "containers.",
      PerContainer({"ns"}));
  Set(t, kContainerNamespacePeers, "cproc_container_namespace_peers", kGauge,
      "Other containers sharing this (non-host) namespace, as with --net=container:X or a "
      "Kubernetes pod.",
      PerContainer({"ns"}));
  Set(t, kContainerNamespaceForeignPeers, "cproc_container_namespace_foreign_peers", kGauge,
      "Of cproc_container_namespace_peers, those not in the same Kubernetes pod; pods share "
      "net, ipc and uts by design.",
      PerContainer({"ns"}));
  Set(t, kContainerMismatchedProcesses, "cproc_container_mismatched_processes", kGauge,
      "Live processes whose cgroup and namespaces disagree: kind=namespace is in the "
      "container's cgroup but another PID or mount namespace (setns, nsenter); kind=cgroup is "
      "in its PID namespace but not its cgroup.",
      PerContainer({"kind"}));
  Set(t, kContainerDeclaredHostNamespace, "cproc_container_declared_host_namespace", kGauge,
      "1 if the runtime's files declare that the container uses the host's namespace of this "
      "kind (Docker PidMode/NetworkMode/IpcMode/UTSMode, OCI linux.namespaces); absent where "
      "nothing is declared.",
      PerContainer({"ns"}));
  Set(t, kContainerNamespaceDeclarationMismatches,
      "cproc_container_namespace_declaration_mismatches", kGauge,
      "Namespace kinds where the declared host sharing differs from what the running container "
      "shows.",
      PerContainer());
  Set(t, kContainerNamespaceSharingAllowed, "cproc_container_namespace_sharing_allowed", kGauge,
      "1 for containers expected to share host namespaces: this exporter's own and those "
      "matching namespace_sharing.allow in the config file.",
      PerContainer());
}

void AddHostAndScanSpecs(Table& t) {
  using enum Metric;
  Set(t, kHostProcesses, "cproc_host_processes", kGauge,
      "Processes outside any container, by state.", {"state"});
  Set(t, kScanDuration, "cproc_scan_duration_seconds", kGauge,
      "Wall time the last scan of /proc took.", {});
  Set(t, kScanTimestamp, "cproc_scan_timestamp_seconds", kGauge,
      "Unix time the last scan finished.", {});
  Set(t, kScanProcesses, "cproc_scan_processes", kGauge, "Processes seen by the last scan.", {});
  Set(t, kScanCacheHits, "cproc_scan_cache_hits", kGauge,
      "Processes of the last scan whose cgroup and namespaces came from the "
      "cache instead of being read again.",
      {});
  Set(t, kScanCacheEntries, "cproc_scan_cache_entries", kGauge,
      "Entries the scanner keeps between scans, by cache; they follow the "
      "host's processes and containers and shrink when those go.",
      {"cache"});
  Set(t, kScanKeptDescriptors, "cproc_scan_kept_descriptors", kGauge,
      "Descriptors kept open between scans (stat of processes, cgroup files), each pinning about "
      "6 KiB of kernel memory; processes beyond cproc_scan_kept_descriptors_limit are opened and "
      "read every scan instead, at more CPU.",
      {});
  Set(t, kScanKeptDescriptorsLimit, "cproc_scan_kept_descriptors_limit", kGauge,
      "Descriptors that may stay open between scans: --scan.kept-descriptors, or RLIMIT_NOFILE "
      "less a reserve when that is lower.",
      {});
  Set(t, kScanNamespacesUnreadableProcesses, "cproc_scan_namespaces_unreadable_processes", kGauge,
      "Processes of the last scan whose namespace links could not be read (permission: the "
      "exporter lacks CAP_SYS_PTRACE over them).",
      {});
  Set(t, kScanUnattributedRuntimeContainers, "cproc_scan_unattributed_runtime_containers", kGauge,
      "Running containers that only a runtime's pidfile names (rootless Podman without cgroups) "
      "whose process could not be verified (CAP_SYS_PTRACE) or trusted: their processes count "
      "as host processes.",
      {});
  Set(t, kScanCgroupPidsAvailable, "cproc_scan_cgroup_pids_available", kGauge,
      "1 if a cgroup pids controller was found under --path.sysfs; 0 means the pids metrics are "
      "left out.",
      {});
  Set(t, kScanUnknownLayoutProcesses, "cproc_scan_unknown_layout_processes", kGauge,
      "Processes in cgroups that look like a container's (a 64-hex id) but match no known "
      "runtime layout; the log names the cgroup. Please report them.",
      {});
  Set(t, kScanErrors, "cproc_scan_errors_total", kCounter,
      "Files of processes that could not be read, by reason. 'vanished' (the "
      "process exited mid-scan) is normal on a busy host.",
      {"reason"});
  Set(t, kScanRuntimeFileErrors, "cproc_scan_runtime_file_errors_total", kCounter,
      "Runtime files (container names, images, declared namespaces) that exist but could not be "
      "used, by reason: 'permission' means the exporter lacks CAP_DAC_READ_SEARCH and shows "
      "short ids instead of names.",
      {"reason"});
  Set(t, kScanContainers, "cproc_scan_containers", kGauge,
      "Containers found by the last scan, by runtime and by where their names came from: the "
      "runtime's files, none (the id is shown), or pending (new, its runtime still writing its "
      "files: left out of the per-container metrics for up to 10 s).",
      {"runtime", "naming_source"});
}

void AddSelfSpecs(Table& t) {
  using enum Metric;
  Set(t, kBuildInfo, "cproc_build_info", kGauge,
      "Always 1: the version and git revision cproc_exporter was built from.",
      {"version", "revision"});
  Set(t, kScanSuccess, "cproc_scan_success", kGauge,
      "1 if the last scan could list procfs; 0 means the metrics are from the "
      "last good scan (see cproc_scan_timestamp_seconds) or absent.",
      {});
  Set(t, kScanCpuSeconds, "cproc_scan_cpu_seconds_total", kCounter,
      "CPU time the scan thread spent scanning /proc and rendering the metrics, "
      "up to the previous scan.",
      {});
  Set(t, kScans, "cproc_scans_total", kCounter, "Scans made, up to the previous scan.", {});
  Set(t, kConfigLastReloadSuccessful, "cproc_config_last_reload_successful", kGauge,
      "1 if the last configuration (re)load succeeded; a failed SIGHUP reload keeps the "
      "previous configuration running.",
      {});
  Set(t, kConfigLastReloadSuccessTimestamp, "cproc_config_last_reload_success_timestamp_seconds",
      kGauge, "Unix time of the last successful configuration load.", {});
  // The standard process_* set of every Prometheus client library, with its help texts.
  Set(t, kProcessCpuSeconds, "process_cpu_seconds_total", kCounter,
      "Total user and system CPU time spent in seconds.", {}, kNoSelfStat);
  Set(t, kProcessOpenFds, "process_open_fds", kGauge, "Number of open file descriptors.", {},
      kNoSelfStat);
  Set(t, kProcessMaxFds, "process_max_fds", kGauge, "Maximum number of open file descriptors.", {},
      "/proc/self/stat cannot be read, or getrlimit(RLIMIT_NOFILE) fails");
  Set(t, kProcessVirtualMemory, "process_virtual_memory_bytes", kGauge,
      "Virtual memory size in bytes.", {}, kNoSelfStat);
  Set(t, kProcessResidentMemory, "process_resident_memory_bytes", kGauge,
      "Resident memory size in bytes.", {}, kNoSelfStat);
  Set(t, kProcessStartTime, "process_start_time_seconds", kGauge,
      "Start time of the process since unix epoch in seconds.", {},
      "/proc/self/stat cannot be read, or the host's boot time is unknown "
      "(Snapshot::boot_time_seconds 0)");
  Set(t, kProcessThreads, "process_threads", kGauge, "Number of OS threads in the process.", {},
      kNoSelfStat);
}

const Table& Specs() {
  static const Table table = [] {
    Table t;
    AddContainerProcessSpecs(t);
    AddInitSpecs(t);
    AddNamespaceSpecs(t);
    AddLifecycleSpecs(t);
    AddHostAndScanSpecs(t);
    AddEventSourceSpecs(t);
    AddSelfSpecs(t);
    return t;
  }();
  return table;
}

}  // namespace

const MetricSpec& SpecOf(Metric metric) { return Specs()[static_cast<std::size_t>(metric)]; }

std::span<const MetricSpec> AllMetricSpecs() { return Specs(); }

}  // namespace cproc
