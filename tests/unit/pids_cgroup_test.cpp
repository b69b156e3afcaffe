#include "collectors/pids_cgroup.h"

#include <doctest/doctest.h>

#include "collectors/cgroupfs.h"
#include "tests/support/fixture_procfs.h"

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

TEST_CASE("cgroup paths relative to a cgroup namespace are located in the mounted tree") {
  CHECK(StripNamespaceParents("/../../kubepods.slice/x") ==
        std::pair<std::string_view, bool>{"/kubepods.slice/x", true});
  CHECK(StripNamespaceParents("/docker/abc") ==
        std::pair<std::string_view, bool>{"/docker/abc", false});
  CHECK(StripNamespaceParents("/..foo/x") == std::pair<std::string_view, bool>{"/..foo/x", false});
  CHECK(StripNamespaceParents("/../..") == std::pair<std::string_view, bool>{"", true});

  // A pure cgroup v2 sysfs: the pod's container sits at the absolute path below; the exporter,
  // in its own cgroup namespace, sees it as "/../../kubepods.slice/...".
  cproc::testing::FixtureProcfs sys;
  const std::string scope =
      "/kubepods.slice/kubepods-burstable.slice/pod1.slice/cri-containerd-a.scope";
  sys.Write("fs/cgroup/cgroup.controllers", "cpu pids\n");
  sys.Write("fs/cgroup" + scope + "/pids.max", "100\n");
  sys.Write("fs/cgroup" + scope + "/pids.current", "7\n");
  sys.Write("fs/cgroup" + scope + "/pids.events", "max 2\n");
  sys.Write("fs/cgroup/kubepods.slice/kubepods-besteffort.slice/me.scope/cgroup.procs", "");
  CgroupFs cgroupfs(sys.root());
  const PidsUsage usage = cgroupfs.ReadPids(
      "/../../kubepods.slice/kubepods-burstable.slice/pod1.slice/cri-containerd-a.scope");
  CHECK(usage.limit == 100);
  CHECK(usage.current == 7);
  CHECK(usage.limit_hits == 2);
  CHECK_FALSE(cgroupfs.ReadPids("/../../nowhere.scope").current.has_value());
  CHECK_FALSE(cgroupfs.ReadPids("/../..").current.has_value());
  // Absolute paths still read directly, and never escape the mount.
  CHECK(cgroupfs.ReadPids(scope).current == 7);
  CHECK_FALSE(cgroupfs.ReadPids("/kubepods.slice/../../../etc").current.has_value());
}
