// The container's init (PID 1) and how well orphans are reaped.
#include <string>

#include "collectors/base/signals.h"
#include "exporter/metrics/container_labels.h"
#include "exporter/metrics/family_groups.h"

namespace cproc {

void AddInitFamilies(const Snapshot& snapshot, Families& out) {
  auto info = Family(Metric::kContainerPid1Info);
  auto host_pid = Family(Metric::kContainerPid1HostPid);
  auto start_time = Family(Metric::kContainerPid1StartTime);
  auto sigterm = Family(Metric::kContainerPid1HandlesSigterm);
  auto stop_signal = Family(Metric::kContainerPid1HandlesStopSignal);
  auto namespace_init = Family(Metric::kContainerPid1IsNamespaceInit);
  auto zombies = Family(Metric::kContainerZombies);
  auto oldest = Family(Metric::kContainerOldestZombie);
  auto oldest_pid1 = Family(Metric::kContainerOldestPid1Zombie);
  auto adopted = Family(Metric::kContainerOrphansAdopted);
  for (const Container& c : snapshot.containers) {
    if (c.identity_pending) continue;  // not yet: its labels would still change
    const LabelPairs labels = ContainerLabels(c);
    if (c.init.pid != 0) {
      info.Add(
          With(With(With(labels, "comm", SanitizeLabelValue(c.init.comm)), "init", c.init.init),
               "stop_signal", SignalName(c.init.stop_signal)),
          1);
      host_pid.Add(labels, c.init.pid);
      start_time.Add(labels, c.init.start_time_seconds);
      sigterm.Add(labels, c.init.handles_sigterm ? 1 : 0);
      stop_signal.Add(labels, c.init.handles_stop_signal ? 1 : 0);
      namespace_init.Add(labels, c.init.is_namespace_init ? 1 : 0);
    }
    zombies.Add(With(labels, "parent", "pid1"), c.zombies.parent_pid1)
        .Add(With(labels, "parent", "other"), c.zombies.parent_other)
        .Add(With(labels, "parent", "outside"), c.zombies.parent_outside);
    oldest.Add(labels, c.zombies.oldest_seconds);
    oldest_pid1.Add(labels, c.zombies.oldest_pid1_seconds);
    adopted.Add(labels, static_cast<double>(c.orphans_adopted_total));
  }
  for (auto* family : {&info, &host_pid, &start_time, &sigterm, &stop_signal, &namespace_init,
                       &zombies, &oldest, &oldest_pid1, &adopted}) {
    out.push_back(family->Build());
  }
}

}  // namespace cproc
