// The ledger and the lifecycle totals across what the real kernel and Docker do between scans
// (found by tests/e2e/e2e_docker_events.sh): a container absent from a scan while Docker
// restarts its killed init, and exit events lost in an overflow.
#include <doctest/doctest.h>

#include "collectors/events/exit_class.h"
#include "collectors/events/lifecycle_totals.h"
#include "collectors/events/process_ledger.h"
#include "collectors/snapshot.h"
#include "tests/support/proc_events.h"

namespace cproc {
namespace {

using cproc::testing::DockerContainer;

Process InContainer(int32_t pid, int32_t ppid, int32_t container) {
  Process p;
  p.pid = pid;
  p.ppid = ppid;
  p.state = ProcessState::kSleeping;
  p.container = container;
  return p;
}

ProcEvent Fork(int32_t parent, int32_t child) { return cproc::testing::ForkEvent(parent, child); }

ProcEvent Exit(int32_t pid, ExitOutcome::How how, int value) {
  const auto v = static_cast<uint32_t>(value);
  return cproc::testing::ExitEvent(pid, how == ExitOutcome::How::kSignaled ? v : v << 8);
}

Snapshot WithInit(int32_t init_pid) {
  Snapshot s;
  s.containers.push_back(DockerContainer("a", init_pid));
  s.processes.push_back(InContainer(init_pid, 100, 0));
  return s;
}

}  // namespace

TEST_CASE("lifecycle totals: a PID 1 killed while no scan lists its container still counts") {
  ProcessLedger ledger;
  LifecycleTotals totals;
  Snapshot first = WithInit(10);
  totals.Update(first, ledger.Rebase(first), true, 0);
  REQUIRE(first.containers[0].lifecycle.has_value());

  // kill -9 of PID 1; the next scan comes while Docker waits to restart it: no process, no
  // container.
  ledger.Apply(Exit(10, ExitOutcome::How::kSignaled, 9));
  Snapshot gap;
  totals.Update(gap, ledger.Rebase(gap), true, 1);
  CHECK(totals.retained() == 1);

  // Restarted: the same id, a new init.
  Snapshot back = WithInit(20);
  totals.Update(back, ledger.Rebase(back), true, 2);
  REQUIRE(back.containers[0].lifecycle.has_value());
  const ProcessLifecycle& t = *back.containers[0].lifecycle;
  CHECK(t.init_exits[SignalClassOf(SIGKILL)] == 1);
  CHECK(t.exited[SignalClassOf(SIGKILL)] == 1);
  CHECK(t.init_killed_from_outside == 1);
  CHECK(totals.retained() == 0);

  // Killed again, with the restart seen by no scan in between this time: +1 more.
  ledger.Apply(Exit(20, ExitOutcome::How::kSignaled, 9));
  Snapshot again = WithInit(30);
  totals.Update(again, ledger.Rebase(again), true, 3);
  CHECK(again.containers[0].lifecycle->init_killed_from_outside == 2);
}

TEST_CASE("lifecycle totals: a container gone for longer than the retention starts over") {
  ProcessLedger ledger;
  LifecycleTotals totals;
  Snapshot first = WithInit(10);
  totals.Update(first, ledger.Rebase(first), true, 0);
  ledger.Apply(Exit(10, ExitOutcome::How::kExited, 5));
  Snapshot gap;
  totals.Update(gap, ledger.Rebase(gap), true, 1);
  Snapshot later;
  totals.Update(later, ledger.Rebase(later), true, 2 + LifecycleTotals::kRetainSeconds);
  CHECK(totals.retained() == 0);
  Snapshot back = WithInit(20);
  totals.Update(back, ledger.Rebase(back), true, 3 + LifecycleTotals::kRetainSeconds);
  CHECK(back.containers[0].lifecycle->init_exits[kExitNonZero] == 0);
}

TEST_CASE("process ledger: a child whose exit event was lost is no orphan of its parent") {
  ProcessLedger ledger;
  Snapshot s = WithInit(10);
  s.processes.push_back(InContainer(11, 10, 0));  // the parent
  ledger.Rebase(s);
  ledger.Apply(Fork(11, 12));
  // 12 exits; its event is lost. Two scans do not list it.
  ledger.Rebase(s);
  ledger.Rebase(s);
  ledger.Apply(Exit(11, ExitOutcome::How::kExited, 0));
  LifecycleDeltas deltas = ledger.Rebase(s);
  REQUIRE(deltas.size() == 1);
  CHECK(deltas[0].second.orphans_adopted == 0);
  CHECK(deltas[0].second.exited[kExitZero] == 1);
}

TEST_CASE("process ledger: a child born after the scan's listing is kept for one hand-over") {
  ProcessLedger ledger;
  Snapshot s = WithInit(10);
  s.processes.push_back(InContainer(11, 10, 0));
  ledger.Rebase(s);
  ledger.Apply(Fork(11, 12));
  ledger.Rebase(s);  // the scan read /proc before the fork
  ledger.Apply(Exit(11, ExitOutcome::How::kExited, 0));
  LifecycleDeltas deltas = ledger.Rebase(s);
  REQUIRE(deltas.size() == 1);
  CHECK(deltas[0].second.orphans_adopted == 1);
}

TEST_CASE("process ledger: a fork event that comes after the scan listed the child") {
  ProcessLedger ledger;
  Snapshot s = WithInit(10);
  s.processes.push_back(InContainer(11, 10, 0));
  ledger.Rebase(s);
  ledger.Apply(Fork(10, 11));  // the scan read /proc after the fork, the reader was behind
  Snapshot listed = s;
  listed.processes.push_back(InContainer(12, 11, 0));
  ledger.Rebase(listed);
  ledger.Apply(Fork(11, 12));  // its fork event, after the scan that listed it
  ledger.Apply(Exit(11, ExitOutcome::How::kExited, 0));
  ledger.Apply(Exit(12, ExitOutcome::How::kExited, 0));
  LifecycleDeltas deltas = ledger.Rebase(s);
  REQUIRE(deltas.size() == 1);
  const LifecycleDelta& d = deltas[0].second;
  CHECK(d.started == 1);
  CHECK(d.orphans_adopted == 1);  // 12, once
  CHECK(d.exited[kExitZero] == 2);
  CHECK(d.short_lived == 0);  // both were listed by a scan
}

}  // namespace cproc
