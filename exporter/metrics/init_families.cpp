// The container's init (PID 1) and how well orphans are reaped.
#include <string>

#include "exporter/metrics/container_labels.h"
#include "exporter/metrics/family_groups.h"

namespace cproc {

void AddInitFamilies(const Snapshot& snapshot, Families& out) {
  auto info = Gauge("cproc_container_pid1_info",
                    "Always 1: the container's init, its comm and the recognised init program "
                    "(tini, docker-init, dumb-init, ...) or none.");
  auto host_pid = Gauge("cproc_container_pid1_host_pid",
                        "Host PID of the container's init (docker inspect .State.Pid).");
  auto start_time = Gauge("cproc_container_pid1_start_time_seconds",
                          "Unix time the container's init started; a jump is a restart.");
  auto sigterm = Gauge("cproc_container_pid1_handles_sigterm",
                       "1 if the init catches SIGTERM or is a recognised init that forwards it; "
                       "0 means docker stop waits for the timeout and sends SIGKILL.");
  auto namespace_init = Gauge("cproc_container_pid1_is_namespace_init",
                              "1 if the reported process is PID 1 of its PID namespace (adopts "
                              "orphans); 0 for --pid=host or a shared PID namespace, where the "
                              "container's main process is reported instead.");
  auto zombies = Gauge("cproc_container_zombies",
                       "Zombie processes in the container by who their parent is: pid1, another "
                       "process inside (other), or a process outside the container (outside).");
  auto oldest = Gauge("cproc_container_oldest_zombie_seconds",
                      "Seconds since the oldest zombie in the container was first seen; 0 when "
                      "none.");
  auto oldest_pid1 = Gauge("cproc_container_oldest_pid1_zombie_seconds",
                           "Seconds since the oldest zombie whose parent is the container's "
                           "init was first seen: how long the init has left it unreaped; 0 "
                           "when none.");
  auto adopted = Counter("cproc_container_orphans_adopted_total",
                         "Processes of the container seen re-parented to its init or a "
                         "subreaper after their parent exited.");
  for (const Container& c : snapshot.containers) {
    if (c.identity_pending) continue;  // not yet: its labels would still change
    const LabelPairs labels = ContainerLabels(c);
    if (c.init.pid != 0) {
      info.Add(With(With(labels, "comm", SanitizeLabelValue(c.init.comm)), "init", c.init.init), 1);
      host_pid.Add(labels, c.init.pid);
      start_time.Add(labels, c.init.start_time_seconds);
      sigterm.Add(labels, c.init.handles_sigterm ? 1 : 0);
      namespace_init.Add(labels, c.init.is_namespace_init ? 1 : 0);
    }
    zombies.Add(With(labels, "parent", "pid1"), c.zombies.parent_pid1)
        .Add(With(labels, "parent", "other"), c.zombies.parent_other)
        .Add(With(labels, "parent", "outside"), c.zombies.parent_outside);
    oldest.Add(labels, c.zombies.oldest_seconds);
    oldest_pid1.Add(labels, c.zombies.oldest_pid1_seconds);
    adopted.Add(labels, static_cast<double>(c.orphans_adopted_total));
  }
  for (auto* family : {&info, &host_pid, &start_time, &sigterm, &namespace_init, &zombies, &oldest,
                       &oldest_pid1, &adopted}) {
    out.push_back(family->Build());
  }
}

}  // namespace cproc
