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
  auto host = Family(Metric::kHostProcesses);
  for (std::size_t s = 0; s < kProcessStateCount; ++s) {
    host.Add({{"state", std::string(kProcessStateNames[s])}}, snapshot.host_processes[s]);
  }
  out.push_back(host.Build());
}

void AddScanFamilies(const ScanStats& stats, std::vector<prometheus::MetricFamily>& out) {
  out.push_back(OneSample(Metric::kScanDuration, stats.duration_seconds));
  out.push_back(OneSample(Metric::kScanTimestamp, stats.timestamp_seconds));
  out.push_back(OneSample(Metric::kScanProcesses, static_cast<double>(stats.processes)));
  out.push_back(OneSample(Metric::kScanCacheHits, static_cast<double>(stats.cache_hits)));
  out.push_back(
      Family(Metric::kScanCacheEntries)
          .Add({{"cache", "processes"}}, static_cast<double>(stats.cached_processes))
          .Add({{"cache", "cgroup_files"}}, static_cast<double>(stats.cached_cgroup_files))
          .Add({{"cache", "runtime_metadata"}}, static_cast<double>(stats.cached_metadata))
          .Add({{"cache", "reaping_history"}}, static_cast<double>(stats.tracked_processes))
          .Build());
  out.push_back(
      OneSample(Metric::kScanKeptDescriptors, static_cast<double>(stats.kept_descriptors)));
  out.push_back(OneSample(Metric::kScanKeptDescriptorsLimit,
                          static_cast<double>(stats.kept_descriptors_limit)));
  out.push_back(OneSample(Metric::kScanNamespacesUnreadableProcesses,
                          static_cast<double>(stats.namespaces_unreadable)));
  out.push_back(OneSample(Metric::kScanUnattributedRuntimeContainers,
                          static_cast<double>(stats.unattributed_runtime_containers)));
  out.push_back(OneSample(Metric::kScanCgroupPidsAvailable, stats.cgroup_pids_available ? 1 : 0));
  out.push_back(OneSample(Metric::kScanUnknownLayoutProcesses,
                          static_cast<double>(stats.unknown_layout_processes)));
  out.push_back(Family(Metric::kScanErrors)
                    .Add({{"reason", "vanished"}}, static_cast<double>(stats.errors.vanished))
                    .Add({{"reason", "permission"}}, static_cast<double>(stats.errors.permission))
                    .Add({{"reason", "parse"}}, static_cast<double>(stats.errors.parse))
                    .Add({{"reason", "io"}}, static_cast<double>(stats.errors.io))
                    .Build());
  out.push_back(
      Family(Metric::kScanRuntimeFileErrors)
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
  auto family = Family(Metric::kScanContainers);
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
  AddLifecycleFamilies(snapshot, group);
  flush();
  AddHostFamilies(snapshot, group);
  AddScanFamilies(snapshot.stats, group);
  AddEventSourceFamilies(snapshot.stats.events, group);
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
  WriteSnapshotText(snapshot, options, [&out](std::string_view part) { out.append(part); });
}

void WriteSnapshotText(const Snapshot& snapshot, const FamilyOptions& options,
                       const TextWriter& write) {
  std::string text;  // one group's, its buffer reused by the next
  ForEachGroup(snapshot, options, [&](const Families& group) {
    text.clear();
    AppendTextFormat(group, text);
    write(text);
  });
}

}  // namespace cproc
