// cproc_container_info, processes by state, threads, the pids controller and OOM kills.
#include <optional>
#include <string>
#include <utility>

#include "exporter/metrics/container_labels.h"
#include "exporter/metrics/family_groups.h"

namespace cproc {

void AddContainerProcessFamilies(const RenderInput& input, const FamilySink& emit) {
  EmitPerContainer(input, Metric::kContainerInfo, emit,
                   [](FamilyBuilder& f, const Container& c, const LabelPairs& labels) {
                     LabelPairs info = labels;
                     info.push_back({"runtime", SanitizeLabelValue(c.runtime)});
                     info.push_back({"image", SanitizeLabelValue(c.image)});
                     info.push_back({"pod_uid", SanitizeLabelValue(c.pod_uid)});
                     info.push_back({"cgroup", SanitizeLabelValue(c.cgroup, 1024)});
                     info.push_back({"layout", SanitizeLabelValue(c.layout)});
                     f.Add(std::move(info), 1);
                   });
  EmitPerContainer(input, Metric::kContainerProcesses, emit,
                   [](FamilyBuilder& f, const Container& c, const LabelPairs& labels) {
                     for (std::size_t s = 0; s < kProcessStateCount; ++s) {
                       f.Add(With(labels, "state", std::string(kProcessStateNames[s])),
                             c.processes[s]);
                     }
                   });
  EmitOnePerContainer(input, Metric::kContainerThreads, emit,
                      [](const Container& c) -> std::optional<double> { return c.threads; });
  // Each only where the controller's file was readable.
  EmitOnePerContainer(input, Metric::kContainerPidsCurrent, emit,
                      [](const Container& c) -> std::optional<double> { return c.pids.current; });
  EmitOnePerContainer(input, Metric::kContainerPidsLimit, emit,
                      [](const Container& c) -> std::optional<double> { return c.pids.limit; });
  EmitOnePerContainer(
      input, Metric::kContainerPidsLimitHits, emit,
      [](const Container& c) -> std::optional<double> { return c.pids.limit_hits; });
  EmitOnePerContainer(
      input, Metric::kContainerOomKills, emit,
      [](const Container& c) -> std::optional<double> { return c.memory.oom_kills; });
}

}  // namespace cproc
