// What the process events saw between scans, per container, and how the event source is doing.
// Left out altogether while the source is not active: nothing was counted, which is not zero.
#include <string>

#include "exporter/metrics/container_labels.h"
#include "exporter/metrics/family_groups.h"

namespace cproc {
namespace {

// exit_zero, exit_nonzero and oom_kill always, so that a rate has a series to start from; a
// signal only once a process died of it (seventeen series per container would be mostly zero).
void AddExitClasses(FamilyBuilder& family, const LabelPairs& labels,
                    const ExitClassCounts& counts) {
  for (std::size_t k = 0; k < kExitClassCount; ++k) {
    const bool always = k == kExitZero || k == kExitNonZero || k == kOomKillClass;
    if (!always && counts[k] == 0) continue;
    const ExitClassLabels names = LabelsOfExitClass(k);
    family.Add(With(With(labels, "outcome", std::string(names.outcome)), "signal",
                    std::string(names.signal)),
               static_cast<double>(counts[k]));
  }
}

}  // namespace

void AddLifecycleFamilies(const Snapshot& snapshot, Families& out) {
  if (!snapshot.stats.events.active) return;
  auto started = Family(Metric::kContainerProcessesStarted);
  auto execs = Family(Metric::kContainerExecs);
  auto exited = Family(Metric::kContainerProcessesExited);
  auto short_lived = Family(Metric::kContainerShortLivedProcesses);
  auto init_exits = Family(Metric::kContainerPid1Exits);
  auto killed = Family(Metric::kContainerPid1KilledFromOutside);
  for (const Container& c : snapshot.containers) {
    if (c.identity_pending || !c.lifecycle) continue;
    const ProcessLifecycle& life = *c.lifecycle;
    const LabelPairs labels = ContainerLabels(c);
    started.Add(labels, static_cast<double>(life.started));
    execs.Add(labels, static_cast<double>(life.execs));
    AddExitClasses(exited, labels, life.exited);
    short_lived.Add(labels, static_cast<double>(life.short_lived));
    AddExitClasses(init_exits, labels, life.init_exits);
    killed.Add(labels, static_cast<double>(life.init_killed_from_outside));
  }
  for (auto* family : {&started, &execs, &exited, &short_lived, &init_exits, &killed}) {
    out.push_back(family->Build());
  }
}

void AddEventSourceFamilies(const EventSourceStats& stats, Families& out) {
  out.push_back(OneSample(Metric::kEventsSourceActive, stats.active ? 1 : 0));
  if (!stats.started) return;
  out.push_back(OneSample(Metric::kEventsReceived, static_cast<double>(stats.received)));
  out.push_back(Family(Metric::kEventsLost)
                    .Add({{"reason", "overrun"}}, static_cast<double>(stats.lost_overrun))
                    .Add({{"reason", "sequence_gap"}}, static_cast<double>(stats.lost_sequence))
                    .Build());
}

}  // namespace cproc
