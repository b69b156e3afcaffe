#include "exporter/metrics/metric_families.h"

#include <map>
#include <string>
#include <utility>

#include "exporter/metrics/container_labels.h"
#include "exporter/metrics/family_builder.h"
#include "exporter/metrics/family_groups.h"
#include "exporter/metrics/label_values.h"
#include "exporter/metrics/text_format.h"

namespace cproc {
namespace {

void AddHostFamilies(const Snapshot& snapshot, const FamilySink& emit) {
  auto host = Family(Metric::kHostProcesses);
  for (std::size_t s = 0; s < kProcessStateCount; ++s) {
    host.Add({{"state", std::string(kProcessStateNames[s])}}, snapshot.host_processes[s]);
  }
  emit(host.Build());
}

void AddScanFamilies(const ScanStats& stats, const FamilySink& emit) {
  emit(OneSample(Metric::kScanDuration, stats.duration_seconds));
  emit(OneSample(Metric::kScanTimestamp, stats.timestamp_seconds));
  emit(OneSample(Metric::kScanProcesses, static_cast<double>(stats.processes)));
  emit(OneSample(Metric::kScanCacheHits, static_cast<double>(stats.cache_hits)));
  emit(Family(Metric::kScanCacheEntries)
           .Add({{"cache", "processes"}}, static_cast<double>(stats.cached_processes))
           .Add({{"cache", "cgroup_files"}}, static_cast<double>(stats.cached_cgroup_files))
           .Add({{"cache", "runtime_metadata"}}, static_cast<double>(stats.cached_metadata))
           .Add({{"cache", "reaping_history"}}, static_cast<double>(stats.tracked_processes))
           .Build());
  emit(OneSample(Metric::kScanKeptDescriptors, static_cast<double>(stats.kept_descriptors)));
  emit(OneSample(Metric::kScanKeptDescriptorsLimit,
                 static_cast<double>(stats.kept_descriptors_limit)));
  emit(OneSample(Metric::kScanNamespacesUnreadableProcesses,
                 static_cast<double>(stats.namespaces_unreadable)));
  emit(OneSample(Metric::kScanUnattributedRuntimeContainers,
                 static_cast<double>(stats.unattributed_runtime_containers)));
  emit(OneSample(Metric::kScanCgroupPidsAvailable, stats.cgroup_pids_available ? 1 : 0));
  emit(OneSample(Metric::kScanUnknownLayoutProcesses,
                 static_cast<double>(stats.unknown_layout_processes)));
  emit(Family(Metric::kScanErrors)
           .Add({{"reason", "vanished"}}, static_cast<double>(stats.errors.vanished))
           .Add({{"reason", "permission"}}, static_cast<double>(stats.errors.permission))
           .Add({{"reason", "parse"}}, static_cast<double>(stats.errors.parse))
           .Add({{"reason", "io"}}, static_cast<double>(stats.errors.io))
           .Build());
  emit(Family(Metric::kScanRuntimeFileErrors)
           .Add({{"reason", "permission"}},
                static_cast<double>(stats.runtime_file_errors.permission))
           .Add({{"reason", "io"}}, static_cast<double>(stats.runtime_file_errors.io))
           .Add({{"reason", "parse"}}, static_cast<double>(stats.runtime_file_errors.parse))
           .Build());
}

// Containers per runtime and whether their names came from the runtime's files.
void AddRuntimeFamilies(const Snapshot& snapshot, const FamilySink& emit) {
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
  emit(family.Build());
}

// Hands each family to `emit` as soon as it is built (family_groups.h), in the page's order.
void ForEachFamily(const Snapshot& snapshot, const FamilyOptions& options, const FamilySink& emit) {
  const RenderInput input(snapshot);
  AddContainerProcessFamilies(input, emit);
  AddInitFamilies(input, emit);
  AddNamespaceFamilies(input, options.namespace_sharing_allow, emit);
  AddLifecycleFamilies(input, emit);
  AddHostFamilies(snapshot, emit);
  AddScanFamilies(snapshot.stats, emit);
  AddEventSourceFamilies(snapshot.stats.events, emit);
  AddRuntimeFamilies(snapshot, emit);
}

}  // namespace

RenderInput::RenderInput(const Snapshot& of) : snapshot(of) {
  labels.resize(snapshot.containers.size());
  for (std::size_t i = 0; i < snapshot.containers.size(); ++i) {
    const Container& c = snapshot.containers[i];
    if (!c.identity_pending) labels[i] = ContainerLabels(c);
  }
}

std::vector<prometheus::MetricFamily> SnapshotFamilies(const Snapshot& snapshot,
                                                       const FamilyOptions& options) {
  std::vector<prometheus::MetricFamily> out;
  ForEachFamily(snapshot, options,
                [&](prometheus::MetricFamily&& family) { out.push_back(std::move(family)); });
  return out;
}

void AppendSnapshotText(const Snapshot& snapshot, const FamilyOptions& options, std::string& out) {
  WriteSnapshotText(snapshot, options, [&out](std::string_view part) { out.append(part); });
}

void WriteSnapshotText(const Snapshot& snapshot, const FamilyOptions& options,
                       const TextWriter& write) {
  std::string text;  // one family's, its buffer reused by the next
  ForEachFamily(snapshot, options, [&](prometheus::MetricFamily&& family) {
    text.clear();
    AppendTextFormat(family, text);
    write(text);
  });
}

}  // namespace cproc
