// What the process events saw between scans, per container, and how the event source is doing.
// Left out altogether while the source is not active: nothing was counted, which is not zero.
#include <optional>
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

void AddLifecycleFamilies(const RenderInput& input, const FamilySink& emit) {
  if (!input.snapshot.stats.events.active) return;
  // Each from the containers the events have counted for.
  const auto count = [&](Metric metric, uint64_t ProcessLifecycle::*field) {
    EmitOnePerContainer(input, metric, emit, [&](const Container& c) -> std::optional<double> {
      if (!c.lifecycle) return std::nullopt;
      return static_cast<double>((*c.lifecycle).*field);
    });
  };
  const auto exits = [&](Metric metric, ExitClassCounts ProcessLifecycle::*field) {
    EmitPerContainer(input, metric, emit,
                     [&](FamilyBuilder& f, const Container& c, const LabelPairs& labels) {
                       if (c.lifecycle) AddExitClasses(f, labels, (*c.lifecycle).*field);
                     });
  };
  count(Metric::kContainerProcessesStarted, &ProcessLifecycle::started);
  count(Metric::kContainerExecs, &ProcessLifecycle::execs);
  exits(Metric::kContainerProcessesExited, &ProcessLifecycle::exited);
  count(Metric::kContainerShortLivedProcesses, &ProcessLifecycle::short_lived);
  exits(Metric::kContainerPid1Exits, &ProcessLifecycle::init_exits);
  count(Metric::kContainerPid1KilledFromOutside, &ProcessLifecycle::init_killed_from_outside);
}

void AddEventSourceFamilies(const EventSourceStats& stats, const FamilySink& emit) {
  emit(OneSample(Metric::kEventsSourceActive, stats.active ? 1 : 0));
  if (!stats.started) return;
  emit(OneSample(Metric::kEventsReceived, static_cast<double>(stats.received)));
  emit(Family(Metric::kEventsLost)
           .Add({{"reason", "overrun"}}, static_cast<double>(stats.lost_overrun))
           .Add({{"reason", "sequence_gap"}}, static_cast<double>(stats.lost_sequence))
           .Build());
}

}  // namespace cproc
