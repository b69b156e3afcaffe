// cproc_container_info, processes by state, threads, the pids controller and OOM kills.
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
  EmitPerContainer(input, Metric::kContainerThreads, emit,
                   [](FamilyBuilder& f, const Container& c, const LabelPairs& labels) {
                     f.Add(labels, static_cast<double>(c.threads));
                   });
  // Each only where the controller's file was readable: unknown is left out, never 0.
  EmitPerContainer(input, Metric::kContainerPidsCurrent, emit,
                   [](FamilyBuilder& f, const Container& c, const LabelPairs& labels) {
                     if (c.pids.current) f.Add(labels, static_cast<double>(*c.pids.current));
                   });
  EmitPerContainer(input, Metric::kContainerPidsLimit, emit,
                   [](FamilyBuilder& f, const Container& c, const LabelPairs& labels) {
                     if (c.pids.limit) f.Add(labels, static_cast<double>(*c.pids.limit));
                   });
  EmitPerContainer(input, Metric::kContainerPidsLimitHits, emit,
                   [](FamilyBuilder& f, const Container& c, const LabelPairs& labels) {
                     if (c.pids.limit_hits) f.Add(labels, static_cast<double>(*c.pids.limit_hits));
                   });
  EmitPerContainer(input, Metric::kContainerOomKills, emit,
                   [](FamilyBuilder& f, const Container& c, const LabelPairs& labels) {
                     if (c.memory.oom_kills)
                       f.Add(labels, static_cast<double>(*c.memory.oom_kills));
                   });
}

}  // namespace cproc
