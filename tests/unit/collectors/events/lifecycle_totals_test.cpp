#include "collectors/events/lifecycle_totals.h"

#include <doctest/doctest.h>

#include <string>

using namespace cproc;

namespace {

Snapshot OneContainer(std::optional<uint64_t> oom_kills) {
  Container c;
  c.runtime = "docker";
  c.id = "a";
  c.memory.oom_kills = oom_kills;
  Snapshot s;
  s.containers = {c};
  return s;
}

LifecycleDelta Sigkills(uint64_t processes, uint64_t inits) {
  LifecycleDelta d;
  d.exited[SignalClassOf(SIGKILL)] = processes;
  d.init_exits[SignalClassOf(SIGKILL)] = inits;
  return d;
}

}  // namespace

TEST_CASE("lifecycle totals: sums per container; one gone a while is forgotten") {
  LifecycleTotals totals;
  Snapshot s = OneContainer(std::nullopt);
  LifecycleDelta d;
  d.started = 5;
  d.execs = 4;
  d.short_lived = 3;
  d.exited[kExitZero] = 5;
  d.orphans_adopted = 2;
  auto orphans = totals.Update(s, {{"docker://a", d}}, true, 1);
  REQUIRE(s.containers[0].lifecycle);
  CHECK(s.containers[0].lifecycle->started == 5);
  REQUIRE(orphans.size() == 1);
  CHECK(orphans[0] == std::optional<uint64_t>(2));

  Snapshot next = OneContainer(std::nullopt);
  orphans = totals.Update(next, {{"docker://a", d}}, false, 2);  // events were lost meanwhile
  CHECK(next.containers[0].lifecycle->started == 10);
  CHECK(next.containers[0].lifecycle->exited[kExitZero] == 10);
  CHECK_FALSE(orphans[0].has_value());  // the scan's own count stands

  Snapshot empty;
  totals.Update(empty, {{"docker://a", d}}, true, 3);
  CHECK(totals.size() == 0);
  CHECK(totals.retained() == 1);
  Snapshot later = OneContainer(std::nullopt);
  totals.Update(later, {}, true, 3 + LifecycleTotals::kRetainSeconds + 1);
  CHECK(later.containers[0].lifecycle->started == 0);  // a new life, from zero
}

TEST_CASE("lifecycle totals: SIGKILLs matched by the memory controller's OOM kills") {
  LifecycleTotals totals;
  Snapshot first = OneContainer(7);  // the count the kernel had before: not ours
  totals.Update(first, {}, true, 11);
  CHECK(first.containers[0].lifecycle->exited[kOomKillClass] == 0);

  // Two OOM kills, three SIGKILLs (one a kill -9 of a worker): two are OOM kills.
  Snapshot second = OneContainer(9);
  totals.Update(second, {{"docker://a", Sigkills(3, 0)}}, true, 12);
  const ProcessLifecycle& life = *second.containers[0].lifecycle;
  CHECK(life.exited[kOomKillClass] == 2);
  CHECK(life.exited[SignalClassOf(SIGKILL)] == 1);
  CHECK(life.init_killed_from_outside == 0);

  // The init SIGKILLed with an OOM kill: the OOM killer's, not a kill from outside; the rest of
  // its namespace died of the kernel's SIGKILL.
  Snapshot third = OneContainer(10);
  totals.Update(third, {{"docker://a", Sigkills(4, 1)}}, true, 13);
  const ProcessLifecycle& after = *third.containers[0].lifecycle;
  CHECK(after.init_exits[kOomKillClass] == 1);
  CHECK(after.init_exits[SignalClassOf(SIGKILL)] == 0);
  CHECK(after.init_killed_from_outside == 0);
  CHECK(after.exited[kOomKillClass] == 3);

  // kill -9 of the init with no OOM kill: from outside.
  Snapshot fourth = OneContainer(10);
  totals.Update(fourth, {{"docker://a", Sigkills(1, 1)}}, true, 14);
  CHECK(fourth.containers[0].lifecycle->init_killed_from_outside == 1);
  CHECK(fourth.containers[0].lifecycle->init_exits[SignalClassOf(SIGKILL)] == 1);

  // A memory count that is unknown, or went back (a cgroup made anew), matches nothing.
  Snapshot unknown = OneContainer(std::nullopt);
  totals.Update(unknown, {{"docker://a", Sigkills(1, 0)}}, true, 15);
  CHECK(unknown.containers[0].lifecycle->exited[kOomKillClass] == 3);
  Snapshot reset = OneContainer(1);
  totals.Update(reset, {{"docker://a", Sigkills(1, 0)}}, true, 16);
  CHECK(reset.containers[0].lifecycle->exited[kOomKillClass] == 3);
}

TEST_CASE("lifecycle totals: a fault of the init is a crash, not a kill from outside") {
  LifecycleTotals totals;
  Snapshot s = OneContainer(std::nullopt);
  LifecycleDelta d;
  d.init_exits[SignalClassOf(SIGSEGV)] = 1;
  d.init_exits[SignalClassOf(SIGTERM)] = 1;
  d.init_exits[kOtherSignalClass] = 1;  // SIGRTMIN+1
  totals.Update(s, {{"docker://a", d}}, true, 17);
  CHECK(s.containers[0].lifecycle->init_killed_from_outside == 2);
}

TEST_CASE("lifecycle totals: a victim whose exit comes after the hand-over is matched next") {
  LifecycleTotals totals;
  Snapshot before = OneContainer(0);
  totals.Update(before, {}, true, 1);
  // The kernel counted the kill; the victim's exit event was not handed over yet.
  Snapshot counted = OneContainer(1);
  totals.Update(counted, {{"docker://a", LifecycleDelta{}}}, true, 2);
  CHECK(counted.containers[0].lifecycle->exited[kOomKillClass] == 0);
  Snapshot exited = OneContainer(1);
  totals.Update(exited, {{"docker://a", Sigkills(1, 0)}}, true, 3);
  CHECK(exited.containers[0].lifecycle->exited[kOomKillClass] == 1);
  CHECK(exited.containers[0].lifecycle->exited[SignalClassOf(SIGKILL)] == 0);
  // The credit is spent, and lasts one interval only: a later kill -9 is a SIGKILL.
  Snapshot later = OneContainer(2);
  totals.Update(later, {{"docker://a", LifecycleDelta{}}}, true, 4);
  Snapshot much_later = OneContainer(2);
  totals.Update(much_later, {{"docker://a", LifecycleDelta{}}}, true, 5);
  Snapshot killed = OneContainer(2);
  totals.Update(killed, {{"docker://a", Sigkills(1, 0)}}, true, 6);
  CHECK(killed.containers[0].lifecycle->exited[kOomKillClass] == 1);
  CHECK(killed.containers[0].lifecycle->exited[SignalClassOf(SIGKILL)] == 1);
}
