#include "collectors/pids_cgroup.h"

#include <doctest/doctest.h>

#include "collectors/cgroupfs.h"

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

TEST_CASE("cgroup paths that would escape the mount are refused") {
  CHECK(IsSafeCgroupPath("/docker/abc"));
  CHECK(IsSafeCgroupPath("/system.slice/docker-abc.scope"));
  CHECK(IsSafeCgroupPath("/a..b/c"));
  CHECK_FALSE(IsSafeCgroupPath("/../../kubepods.slice/x"));  // relative to a cgroup namespace
  CHECK_FALSE(IsSafeCgroupPath("/docker/../../etc"));
  CHECK_FALSE(IsSafeCgroupPath("/./x"));
  CHECK_FALSE(IsSafeCgroupPath("relative"));
  CHECK_FALSE(IsSafeCgroupPath(""));
}
