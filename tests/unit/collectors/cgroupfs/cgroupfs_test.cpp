// A container's pids controller files under --path.sysfs: found, kept open, never escaping the
// mount.
#include "collectors/cgroupfs/cgroupfs.h"

#include <doctest/doctest.h>

#include "tests/support/fixture_procfs.h"

using namespace cproc;

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

TEST_CASE("cgroupfs: pids files stay open between reads, and go with their cgroup") {
  cproc::testing::FixtureProcfs sys;
  sys.Write("fs/cgroup/cgroup.controllers", "cpu pids\n");
  const std::string a = "/system.slice/docker-a.scope", b = "/system.slice/docker-b.scope";
  for (const std::string& cg : {a, b}) {
    sys.Write("fs/cgroup" + cg + "/pids.max", "max\n");
    sys.Write("fs/cgroup" + cg + "/pids.current", "1\n");
  }  // no pids.events: an old kernel
  cproc::DescriptorBudget budget(100);
  CgroupFs cgroupfs(sys.root(), &budget);
  CHECK(cgroupfs.ReadPids(a).current == 1);
  CHECK(cgroupfs.ReadPids(b).current == 1);
  CHECK_FALSE(cgroupfs.ReadPids(a).limit.has_value());
  CHECK_FALSE(cgroupfs.ReadPids(a).limit_hits.has_value());
  CHECK(cgroupfs.open_cgroups() == 2);
  CHECK(budget.used() == 4);

  // New content is read through the kept descriptors (the kernel's files change in place).
  sys.Write("fs/cgroup" + a + "/pids.current", "42\n");
  sys.Write("fs/cgroup" + a + "/pids.max", "50\n");
  const PidsUsage changed = cgroupfs.ReadPids(a);
  CHECK(changed.current == 42);
  CHECK(changed.limit == 50);

  cgroupfs.ForgetUnread();  // both were read since the last call: kept
  CHECK(cgroupfs.open_cgroups() == 2);
  CHECK(cgroupfs.ReadPids(a).current == 42);
  cgroupfs.ForgetUnread();  // b was not: its container is gone
  CHECK(cgroupfs.open_cgroups() == 1);
  CHECK(budget.used() == 2);
}

TEST_CASE("cgroupfs: without room in the descriptor budget the files are read and closed") {
  cproc::testing::FixtureProcfs sys;
  sys.Write("fs/cgroup/cgroup.controllers", "cpu pids\n");
  const std::string cg = "/docker/x";
  sys.Write("fs/cgroup" + cg + "/pids.max", "10\n");
  sys.Write("fs/cgroup" + cg + "/pids.current", "3\n");
  sys.Write("fs/cgroup" + cg + "/pids.events", "max 0\n");
  cproc::DescriptorBudget budget(2);  // three files: no room for all
  CgroupFs cgroupfs(sys.root(), &budget);
  const PidsUsage usage = cgroupfs.ReadPids(cg);
  CHECK(usage.current == 3);
  CHECK(usage.limit == 10);
  CHECK(usage.limit_hits == 0);
  CHECK(cgroupfs.open_cgroups() == 0);
  CHECK(budget.used() == 0);
  sys.Write("fs/cgroup" + cg + "/pids.current", "4\n");
  CHECK(cgroupfs.ReadPids(cg).current == 4);
}
