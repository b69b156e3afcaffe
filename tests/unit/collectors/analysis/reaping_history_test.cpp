#include "collectors/analysis/reaping_history.h"

#include <doctest/doctest.h>

#include "tests/support/make_process.h"

using namespace cproc;

namespace {

Process Make(int32_t pid, int32_t ppid, int32_t container, uint64_t start, char state = 'S') {
  return cproc::testing::MakeProcess(pid, ppid, container, start, state);
}

Snapshot Scan(std::vector<Process> processes, std::size_t containers = 1) {
  Snapshot s;
  s.processes = std::move(processes);
  for (std::size_t i = 0; i < containers; ++i) {
    Container c;
    c.runtime = "docker";
    c.id = std::string(64, static_cast<char>('a' + i));
    c.init.pid = i == 0 ? 10 : 0;
    s.containers.push_back(c);
  }
  return s;
}

}  // namespace

TEST_CASE("reaping: zombie age grows from first sight and survives across scans") {
  ReapingHistory history;
  Snapshot s1 = Scan({Make(1, 0, kNoContainer, 1), Make(10, 1, 0, 100), Make(11, 10, 0, 110, 'Z')});
  history.Update(s1, 1000);
  CHECK(s1.containers[0].zombies.parent_pid1 == 1);
  CHECK(s1.containers[0].zombies.oldest_seconds == 0);

  Snapshot s2 = Scan({Make(1, 0, kNoContainer, 1), Make(10, 1, 0, 100), Make(11, 10, 0, 110, 'Z'),
                      Make(12, 10, 0, 120, 'Z')});
  history.Update(s2, 1030);
  CHECK(s2.containers[0].zombies.parent_pid1 == 2);
  CHECK(s2.containers[0].zombies.oldest_seconds == doctest::Approx(30));
}

TEST_CASE("reaping: a reused PID is a new process, so the age restarts") {
  ReapingHistory history;
  Snapshot s1 = Scan({Make(10, 1, 0, 100), Make(11, 10, 0, 110, 'Z')});
  history.Update(s1, 1000);
  // 11 was reaped; a new process, child of another parent, got PID 11 and became a zombie too.
  Snapshot s2 = Scan({Make(10, 1, 0, 100), Make(12, 10, 0, 120), Make(11, 12, 0, 999, 'Z')});
  history.Update(s2, 1050);
  CHECK(s2.containers[0].zombies.oldest_seconds == 0);
  // A new process, not the old one re-parented from 10 to 12 (which a pid-only key would say).
  CHECK(s2.containers[0].orphans_adopted_total == 0);
}

TEST_CASE("reaping: zombies by parent, and orphans adopted counted once per re-parenting") {
  ReapingHistory history;
  // 20 (worker) forks 21; 30 is a zombie whose parent is outside the container (host pid 5).
  Snapshot s1 = Scan({Make(5, 1, kNoContainer, 5), Make(10, 1, 0, 100), Make(20, 10, 0, 200),
                      Make(21, 20, 0, 210), Make(22, 20, 0, 220, 'Z'), Make(30, 5, 0, 300, 'Z')});
  history.Update(s1, 1000);
  CHECK(s1.containers[0].zombies.parent_pid1 == 0);
  CHECK(s1.containers[0].zombies.parent_other == 1);
  CHECK(s1.containers[0].zombies.parent_outside == 1);

  // 20 exits: 21 is adopted by PID 1 (10).
  Snapshot s2 = Scan({Make(5, 1, kNoContainer, 5), Make(10, 1, 0, 100), Make(21, 10, 0, 210)});
  history.Update(s2, 1005);
  CHECK(s2.containers[0].orphans_adopted_total == 1);
  Snapshot s3 = Scan({Make(5, 1, kNoContainer, 5), Make(10, 1, 0, 100), Make(21, 10, 0, 210)});
  history.Update(s3, 1010);
  CHECK(s3.containers[0].orphans_adopted_total == 1);  // counted once, kept as a counter
  CHECK(s3.containers[0].zombies.oldest_seconds == 0);
}

TEST_CASE("reaping: state for processes and containers that are gone is dropped") {
  ReapingHistory history;
  std::vector<Process> many;
  for (int32_t pid = 100; pid < 1100; ++pid) many.push_back(Make(pid, 1, pid % 2, 7, 'S'));
  Snapshot big = Scan(many, 2);
  history.Update(big, 1);
  CHECK(history.tracked_processes() == 1000);
  CHECK(history.tracked_containers() == 2);
  Snapshot small = Scan({Make(10, 1, 0, 100)}, 1);
  history.Update(small, 2);
  CHECK(history.tracked_processes() == 1);
  CHECK(history.tracked_containers() == 1);
}

TEST_CASE("reaping: the age of PID 1's oldest zombie ignores old zombies of other parents") {
  ReapingHistory history;
  // 20 never reaps its zombie 21; PID 1 (10) reaps its children, but each lives a scan or two.
  Snapshot s1 = Scan({Make(10, 1, 0, 100), Make(20, 10, 0, 200), Make(21, 20, 0, 210, 'Z')});
  history.Update(s1, 1000);
  Snapshot s2 = Scan({Make(10, 1, 0, 100), Make(20, 10, 0, 200), Make(21, 20, 0, 210, 'Z'),
                      Make(30, 10, 0, 300, 'Z')});
  history.Update(s2, 1600);
  const ZombieSummary& z = s2.containers[0].zombies;
  CHECK(z.oldest_seconds == doctest::Approx(600));
  CHECK(z.parent_pid1 == 1);
  CHECK(z.oldest_pid1_seconds == doctest::Approx(0));  // 30 was first seen just now
  Snapshot s3 = Scan({Make(10, 1, 0, 100), Make(20, 10, 0, 200), Make(21, 20, 0, 210, 'Z'),
                      Make(30, 10, 0, 300, 'Z')});
  history.Update(s3, 1660);
  CHECK(s3.containers[0].zombies.oldest_pid1_seconds == doctest::Approx(60));
  CHECK(s3.containers[0].zombies.oldest_seconds == doctest::Approx(660));
  // Reaped: no zombie of PID 1 left, the age drops to 0.
  Snapshot s4 = Scan({Make(10, 1, 0, 100), Make(20, 10, 0, 200), Make(21, 20, 0, 210, 'Z')});
  history.Update(s4, 1720);
  CHECK(s4.containers[0].zombies.oldest_pid1_seconds == 0);
}
