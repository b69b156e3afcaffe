#include "exporter/metric_families.h"

#include <string>

#include "exporter/family_builder.h"
#include "exporter/family_groups.h"

namespace cproc {
namespace {

void AddHostFamilies(const Snapshot& snapshot, std::vector<prometheus::MetricFamily>& out) {
  auto host = Gauge("cproc_host_processes", "Processes outside any container, by state.");
  for (std::size_t s = 0; s < kProcessStateCount; ++s) {
    host.Add({{"state", std::string(kProcessStateNames[s])}}, snapshot.host_processes[s]);
  }
  out.push_back(host.Build());
}

void AddScanFamilies(const ScanStats& stats, std::size_t containers,
                     std::vector<prometheus::MetricFamily>& out) {
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
  out.push_back(Gauge("cproc_scan_containers", "Containers found by the last scan.")
                    .Add({}, static_cast<double>(containers))
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
}

}  // namespace

std::vector<prometheus::MetricFamily> SnapshotFamilies(const Snapshot& snapshot,
                                                       const FamilyOptions& options) {
  std::vector<prometheus::MetricFamily> out;
  AddContainerProcessFamilies(snapshot, out);
  AddInitFamilies(snapshot, out);
  AddNamespaceFamilies(snapshot, options.namespace_sharing_allow, out);
  AddHostFamilies(snapshot, out);
  AddScanFamilies(snapshot.stats, snapshot.containers.size(), out);
  return out;
}

}  // namespace cproc
