#include "exporter/metric_families.h"

#include <string>

#include "exporter/family_builder.h"
#include "exporter/label_values.h"

namespace cproc {
namespace {

// The identifying labels every per-container series carries (kube-state-metrics' format for
// container_id so joins work); descriptive ones live only in cproc_container_info.
LabelPairs ContainerLabels(const Container& c) {
  return {{"container_id", SanitizeLabelValue(c.container_id())},
          {"container", SanitizeLabelValue(c.name)},
          {"pod", ""},
          {"namespace", ""}};
}

LabelPairs With(LabelPairs labels, std::string name, std::string value) {
  labels.push_back({std::move(name), std::move(value)});
  return labels;
}

void AddContainerFamilies(const Snapshot& snapshot, std::vector<prometheus::MetricFamily>& out) {
  auto info = Gauge("cproc_container_info",
                    "Always 1: one series per container with its descriptive labels.");
  auto processes = Gauge("cproc_container_processes",
                         "Processes (thread-group leaders) in the container by state, zombies "
                         "included.");
  auto threads = Gauge("cproc_container_threads", "Tasks (threads) in the container.");
  for (const Container& c : snapshot.containers) {
    const LabelPairs labels = ContainerLabels(c);
    LabelPairs info_labels = labels;
    info_labels.push_back({"runtime", SanitizeLabelValue(c.runtime)});
    info_labels.push_back({"cgroup", SanitizeLabelValue(c.cgroup, 1024)});
    info.Add(std::move(info_labels), 1);
    for (std::size_t s = 0; s < kProcessStateCount; ++s) {
      processes.Add(With(labels, "state", std::string(kProcessStateNames[s])), c.processes[s]);
    }
    threads.Add(labels, static_cast<double>(c.threads));
  }
  out.push_back(info.Build());
  out.push_back(processes.Build());
  out.push_back(threads.Build());
}

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

std::vector<prometheus::MetricFamily> SnapshotFamilies(const Snapshot& snapshot) {
  std::vector<prometheus::MetricFamily> out;
  AddContainerFamilies(snapshot, out);
  AddHostFamilies(snapshot, out);
  AddScanFamilies(snapshot.stats, snapshot.containers.size(), out);
  return out;
}

}  // namespace cproc
