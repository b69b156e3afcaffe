// cproc_container_info, processes by state, threads, the pids controller and OOM kills.
#include <string>

#include "exporter/metrics/container_labels.h"
#include "exporter/metrics/family_groups.h"

namespace cproc {

void AddContainerProcessFamilies(const Snapshot& snapshot, Families& out) {
  auto info = Family(Metric::kContainerInfo);
  auto processes = Family(Metric::kContainerProcesses);
  auto threads = Family(Metric::kContainerThreads);
  auto pids_current = Family(Metric::kContainerPidsCurrent);
  auto pids_limit = Family(Metric::kContainerPidsLimit);
  auto limit_hits = Family(Metric::kContainerPidsLimitHits);
  auto oom_kills = Family(Metric::kContainerOomKills);
  for (const Container& c : snapshot.containers) {
    if (c.identity_pending) continue;  // not yet: its labels would still change
    const LabelPairs labels = ContainerLabels(c);
    LabelPairs info_labels = labels;
    info_labels.push_back({"runtime", SanitizeLabelValue(c.runtime)});
    info_labels.push_back({"image", SanitizeLabelValue(c.image)});
    info_labels.push_back({"pod_uid", SanitizeLabelValue(c.pod_uid)});
    info_labels.push_back({"cgroup", SanitizeLabelValue(c.cgroup, 1024)});
    info_labels.push_back({"layout", SanitizeLabelValue(c.layout)});
    info.Add(std::move(info_labels), 1);
    for (std::size_t s = 0; s < kProcessStateCount; ++s) {
      processes.Add(With(labels, "state", std::string(kProcessStateNames[s])), c.processes[s]);
    }
    threads.Add(labels, static_cast<double>(c.threads));
    if (c.pids.current) pids_current.Add(labels, static_cast<double>(*c.pids.current));
    if (c.pids.limit) pids_limit.Add(labels, static_cast<double>(*c.pids.limit));
    if (c.pids.limit_hits) limit_hits.Add(labels, static_cast<double>(*c.pids.limit_hits));
    if (c.memory.oom_kills) oom_kills.Add(labels, static_cast<double>(*c.memory.oom_kills));
  }
  out.push_back(info.Build());
  out.push_back(processes.Build());
  out.push_back(threads.Build());
  out.push_back(pids_current.Build());
  out.push_back(pids_limit.Build());
  out.push_back(limit_hits.Build());
  out.push_back(oom_kills.Build());
}

}  // namespace cproc
