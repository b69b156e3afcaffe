// cgroup flat-keyed files: memory.events (v2), memory.oom_control (v1), pids.events.
#include "collectors/cgroupfs/flat_keyed.h"

#include <doctest/doctest.h>

using namespace cproc;

TEST_CASE("flat-keyed: the count of one key, as the kernel writes the files") {
  // memory.events of kernel 6.x (cgroup v2).
  const char* events = "low 0\nhigh 0\nmax 12\noom 3\noom_kill 2\noom_group_kill 0\n";
  CHECK(*ParseFlatKeyedCount("memory.events", events, "oom_kill") == 2);
  CHECK(*ParseFlatKeyedCount("memory.events", events, "max") == 12);
  // memory.oom_control (v1): the key is not confused with oom_kill_disable before it.
  const char* oom_control = "oom_kill_disable 0\nunder_oom 0\noom_kill 7\n";
  CHECK(*ParseFlatKeyedCount("memory.oom_control", oom_control, "oom_kill") == 7);
  CHECK(*ParseFlatKeyedCount("memory.oom_control", oom_control, "oom_kill_disable") == 0);
  // Without the final newline, and the largest count the kernel's u64 can hold.
  CHECK(*ParseFlatKeyedCount("f", "oom_kill 18446744073709551615", "oom_kill") ==
        18446744073709551615ULL);
  CHECK(*ParseFlatKeyedCount("f", "unknown_future_key x y\noom_kill 1\n", "oom_kill") == 1);
}

TEST_CASE("flat-keyed: a malformed line names the file and the line") {
  const auto bad = ParseFlatKeyedCount("memory.events", "low 0\noom_kill x\n", "oom_kill");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error() == "memory.events:2: expected 'oom_kill <count>', got 'oom_kill x'");
  CHECK_FALSE(ParseFlatKeyedCount("f", "oom_kill\n", "oom_kill").ok());
  CHECK_FALSE(ParseFlatKeyedCount("f", "oom_kill -1\n", "oom_kill").ok());
  CHECK_FALSE(ParseFlatKeyedCount("f", "oom_kill 1 2\n", "oom_kill").ok());
  CHECK_FALSE(ParseFlatKeyedCount("f", "oom_kill 18446744073709551616\n", "oom_kill").ok());
  const auto pids = ParseFlatKeyedCount("pids.events", "max 1\nmax x\n", "max");
  CHECK(*pids == 1);  // the first line with the key is the one read
}

TEST_CASE("flat-keyed: a missing key is an error, never 0") {
  // memory.oom_control before kernel 4.13 had no oom_kill line.
  const auto old =
      ParseFlatKeyedCount("memory.oom_control", "oom_kill_disable 0\nunder_oom 0\n", "oom_kill");
  REQUIRE_FALSE(old.ok());
  CHECK(old.error() == "memory.oom_control: no 'oom_kill' line");
  CHECK_FALSE(ParseFlatKeyedCount("memory.events", "", "oom_kill").ok());
  CHECK_FALSE(ParseFlatKeyedCount("memory.events", "\n\n", "oom_kill").ok());
}
