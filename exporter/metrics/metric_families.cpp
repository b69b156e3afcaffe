#include "exporter/metrics/metric_families.h"

#include <map>
#include <string>
#include <utility>

#include "exporter/metrics/family_builder.h"
#include "exporter/metrics/family_groups.h"
#include "exporter/metrics/label_values.h"
#include "exporter/metrics/text_format.h"

namespace cproc {
namespace {

void AddHostFamilies(const Snapshot& snapshot, std::vector<prometheus::MetricFamily>& out) {
  auto host = Gauge("cproc_host_processes", "Processes outside any container, by state.");
  for (std::size_t s = 0; s < kProcessStateCount; ++s) {
    host.Add({{"state", std::string(kProcessStateNames[s])}}, snapshot.host_processes[s]);
  }
  out.push_back(host.Build());
}

void AddScanFamilies(const ScanStats& stats, std::vector<prometheus::MetricFamily>& out) {
  out.push_back(Gauge("cproc_scan_duration_seconds", "Wall time the last scan of /proc took.")
                    .Add({}, stats.duration_seconds)
                    .Build());
  out.push_back(Gauge("cproc_scan_timestamp_seconds", "Unix time the last scan finished.")
                    .Add({}, stats.timestamp_seconds)
                    .Build());
  out.push_back(Gauge("cproc_scan_processes", "Processes seen by the last scan.")
                    .Add({}, static_cast<double>(stats.processes))
                    .Build());
  out.push_back(Gauge("cproc_scan_cache_hits",
                      "Processes of the last scan whose cgroup and namespaces came from the "
                      "cache instead of being read again.")
                    .Add({}, static_cast<double>(stats.cache_hits))
                    .Build());
  out.push_back(
      Gauge("cproc_scan_cache_entries",
            "Entries the scanner keeps between scans, by cache; they follow the host's "
            "processes and containers and shrink when those go.")
          .Add({{"cache", "processes"}}, static_cast<double>(stats.cached_processes))
          .Add({{"cache", "cgroup_files"}}, static_cast<double>(stats.cached_cgroup_files))
          .Add({{"cache", "runtime_metadata"}}, static_cast<double>(stats.cached_metadata))
          .Add({{"cache", "reaping_history"}}, static_cast<double>(stats.tracked_processes))
          .Build());
  out.push_back(Gauge("cproc_scan_namespaces_unreadable_processes",
                      "Processes of the last scan whose namespace links could not be read "
                      "(permission: the exporter lacks CAP_SYS_PTRACE over them).")
                    .Add({}, static_cast<double>(stats.namespaces_unreadable))
                    .Build());
  out.push_back(Gauge("cproc_scan_unattributed_runtime_containers",
                      "Running containers that only a runtime's pidfile names (rootless Podman "
                      "without cgroups) whose process could not be verified (CAP_SYS_PTRACE) or "
                      "trusted: their processes count as host processes.")
                    .Add({}, static_cast<double>(stats.unattributed_runtime_containers))
                    .Build());
  out.push_back(Gauge("cproc_scan_cgroup_pids_available",
                      "1 if a cgroup pids controller was found under --path.sysfs; 0 means the "
                      "pids metrics are left out.")
                    .Add({}, stats.cgroup_pids_available ? 1 : 0)
                    .Build());
  out.push_back(Gauge("cproc_scan_unknown_layout_processes",
                      "Processes in cgroups that look like a container's (a 64-hex id) but match "
                      "no known runtime layout; the log names the cgroup. Please report them.")
                    .Add({}, static_cast<double>(stats.unknown_layout_processes))
                    .Build());
  out.push_back(
      Counter("cproc_scan_errors_total",
              "Files of processes that could not be read, by reason. 'vanished' (the process "
              "exited mid-scan) is normal on a busy host.")
          .Add({{"reason", "vanished"}}, static_cast<double>(stats.errors.vanished))
          .Add({{"reason", "permission"}}, static_cast<double>(stats.errors.permission))
          .Add({{"reason", "parse"}}, static_cast<double>(stats.errors.parse))
          .Add({{"reason", "io"}}, static_cast<double>(stats.errors.io))
          .Build());
  out.push_back(
      Counter("cproc_scan_runtime_file_errors_total",
              "Runtime files (container names, images, declared namespaces) that exist but "
              "could not be used, by reason: 'permission' means the exporter lacks "
              "CAP_DAC_READ_SEARCH and shows short ids instead of names.")
          .Add({{"reason", "permission"}},
               static_cast<double>(stats.runtime_file_errors.permission))
          .Add({{"reason", "io"}}, static_cast<double>(stats.runtime_file_errors.io))
          .Add({{"reason", "parse"}}, static_cast<double>(stats.runtime_file_errors.parse))
          .Build());
}

// Containers per runtime and whether their names came from the runtime's files.
void AddRuntimeFamilies(const Snapshot& snapshot, std::vector<prometheus::MetricFamily>& out) {
  std::map<std::pair<std::string, std::string_view>, uint64_t> counts;
  for (const Container& c : snapshot.containers) {
    const std::string_view source = c.identity_pending   ? "pending"
                                    : c.named_from_files ? "files"
                                                         : "none";
    ++counts[{c.runtime, source}];
  }
  auto family = Gauge("cproc_scan_containers",
                      "Containers found by the last scan, by runtime and by where their names "
                      "came from: the runtime's files, none (the id is shown), or pending (new, "
                      "its runtime still writing its files: left out of the per-container "
                      "metrics for up to 10 s).");
  for (const auto& [key, count] : counts) {
    family.Add(
        {{"runtime", SanitizeLabelValue(key.first)}, {"naming_source", std::string(key.second)}},
        static_cast<double>(count));
  }
  out.push_back(family.Build());
}

// Calls `emit` with each group of families in turn, so a caller that writes them out can
// drop each group before the next is built.
template <typename Emit>
void ForEachGroup(const Snapshot& snapshot, const FamilyOptions& options, Emit emit) {
  Families group;
  const auto flush = [&] {
    emit(group);
    group.clear();
  };
  AddContainerProcessFamilies(snapshot, group);
  flush();
  AddInitFamilies(snapshot, group);
  flush();
  AddNamespaceFamilies(snapshot, options.namespace_sharing_allow, group);
  flush();
  AddHostFamilies(snapshot, group);
  AddScanFamilies(snapshot.stats, group);
  AddRuntimeFamilies(snapshot, group);
  flush();
}

}  // namespace

std::vector<prometheus::MetricFamily> SnapshotFamilies(const Snapshot& snapshot,
                                                       const FamilyOptions& options) {
  std::vector<prometheus::MetricFamily> out;
  ForEachGroup(snapshot, options, [&](Families& group) {
    for (auto& family : group) out.push_back(std::move(family));
  });
  return out;
}

void AppendSnapshotText(const Snapshot& snapshot, const FamilyOptions& options, std::string& out) {
  ForEachGroup(snapshot, options, [&](const Families& group) { AppendTextFormat(group, out); });
}

}  // namespace cproc
