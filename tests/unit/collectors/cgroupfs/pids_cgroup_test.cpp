// The pids controller's files, the same on cgroup v1 and v2.
#include "collectors/cgroupfs/pids_cgroup.h"

#include <doctest/doctest.h>

using namespace cproc;

TEST_CASE("pids controller files") {
  CHECK(*ParsePidsCurrent("3\n") == 3);
  CHECK_FALSE(ParsePidsCurrent("x\n").ok());
  CHECK_FALSE(ParsePidsMax("max\n")->has_value());
  CHECK(ParsePidsMax("50\n")->value() == 50);
  CHECK_FALSE(ParsePidsMax("-1\n").ok());
  CHECK(*ParsePidsEventsMax("max 1\n") == 1);
  CHECK(*ParsePidsEventsMax("max 0\n") == 0);
  CHECK(*ParsePidsEventsMax("other 5\nmax 7\n") == 7);  // future keys are skipped
  CHECK_FALSE(ParsePidsEventsMax("").ok());
  CHECK(ParsePidsEventsMax("max x\n").error().find("max <count>") != std::string::npos);
}
