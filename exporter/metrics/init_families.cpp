// The container's init (PID 1) and how well orphans are reaped.
#include <optional>
#include <string>

#include "collectors/base/signals.h"
#include "exporter/metrics/container_labels.h"
#include "exporter/metrics/family_groups.h"

namespace cproc {

void AddInitFamilies(const RenderInput& input, const FamilySink& emit) {
  // Each of these only while the container has an init (a live process whose parent is
  // outside it).
  const auto per_init = [&](Metric metric, auto value) {
    EmitOnePerContainer(input, metric, emit, [&](const Container& c) -> std::optional<double> {
      if (c.init.pid == 0) return std::nullopt;
      return value(c.init);
    });
  };
  EmitPerContainer(
      input, Metric::kContainerPid1Info, emit,
      [](FamilyBuilder& f, const Container& c, const LabelPairs& labels) {
        if (c.init.pid == 0) return;
        f.Add(With(With(With(labels, "comm", SanitizeLabelValue(c.init.comm)), "init", c.init.init),
                   "stop_signal", SignalName(c.init.stop_signal)),
              1);
      });
  per_init(Metric::kContainerPid1HostPid, [](const InitProcess& init) { return init.pid; });
  per_init(Metric::kContainerPid1StartTime,
           [](const InitProcess& init) { return init.start_time_seconds; });
  per_init(Metric::kContainerPid1HandlesSigterm,
           [](const InitProcess& init) { return init.handles_sigterm ? 1 : 0; });
  per_init(Metric::kContainerPid1HandlesStopSignal,
           [](const InitProcess& init) { return init.handles_stop_signal ? 1 : 0; });
  per_init(Metric::kContainerPid1IsNamespaceInit,
           [](const InitProcess& init) { return init.is_namespace_init ? 1 : 0; });
  EmitPerContainer(input, Metric::kContainerZombies, emit,
                   [](FamilyBuilder& f, const Container& c, const LabelPairs& labels) {
                     f.Add(With(labels, "parent", "pid1"), c.zombies.parent_pid1)
                         .Add(With(labels, "parent", "other"), c.zombies.parent_other)
                         .Add(With(labels, "parent", "outside"), c.zombies.parent_outside);
                   });
  EmitOnePerContainer(
      input, Metric::kContainerOldestZombie, emit,
      [](const Container& c) -> std::optional<double> { return c.zombies.oldest_seconds; });
  EmitOnePerContainer(
      input, Metric::kContainerOldestPid1Zombie, emit,
      [](const Container& c) -> std::optional<double> { return c.zombies.oldest_pid1_seconds; });
  EmitOnePerContainer(
      input, Metric::kContainerOrphansAdopted, emit,
      [](const Container& c) -> std::optional<double> { return c.orphans_adopted_total; });
}

}  // namespace cproc
