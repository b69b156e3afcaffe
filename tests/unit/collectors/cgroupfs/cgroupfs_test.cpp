// A container's pids and memory controller files under --path.sysfs: found, kept open, never
// escaping the mount.
#include "collectors/cgroupfs/cgroupfs.h"

#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

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

TEST_CASE("cgroupfs: OOM kills from v1's memory.oom_control on a hybrid host, kept open") {
  cproc::testing::FixtureProcfs sys;
  const std::string a = "/docker/a", b = "/docker/b";
  sys.Write("fs/cgroup/unified/cgroup.controllers", "");  // hybrid: no controller on cgroup2
  sys.Write("fs/cgroup/pids" + a + "/pids.max", "max\n");
  sys.Write("fs/cgroup/memory" + a + "/memory.oom_control",
            "oom_kill_disable 0\nunder_oom 0\noom_kill 0\n");
  sys.Write("fs/cgroup/memory" + b + "/memory.oom_control",
            "oom_kill_disable 0\nunder_oom 0\noom_kill 3\n");
  cproc::DescriptorBudget budget(100);
  CgroupFs cgroupfs(sys.root(), &budget);
  CHECK(cgroupfs.memory_available());
  CHECK(cgroupfs.ReadMemory(a).oom_kills == 0);  // read: a real 0
  CHECK(cgroupfs.ReadMemory(b).oom_kills == 3);
  CHECK(cgroupfs.ReadPids(a).current == std::nullopt);
  CHECK(cgroupfs.open_memory_cgroups() == 2);
  CHECK(cgroupfs.open_cgroups() == 1);
  CHECK(budget.used() == 3);  // a's pids.max, both memory files

  // The kernel changes the file in place: the kept descriptor is read again, not reopened.
  sys.Write("fs/cgroup/memory" + a + "/memory.oom_control",
            "oom_kill_disable 0\nunder_oom 1\noom_kill 2\n");
  CHECK(cgroupfs.ReadMemory(a).oom_kills == 2);
  CHECK(cgroupfs.open_memory_cgroups() == 2);

  cgroupfs.ForgetUnread();  // both read since the last call: kept
  CHECK(cgroupfs.ReadMemory(a).oom_kills == 2);
  cgroupfs.ForgetUnread();  // b was not: its container is gone; a's pids were not read either
  CHECK(cgroupfs.open_memory_cgroups() == 1);
  CHECK(cgroupfs.open_cgroups() == 0);
  CHECK(budget.used() == 1);

  // No such cgroup, or one that would escape the mount: unknown, not 0.
  CHECK_FALSE(cgroupfs.ReadMemory("/docker/gone").oom_kills.has_value());
  CHECK_FALSE(cgroupfs.ReadMemory("/docker/../../etc").oom_kills.has_value());
}

TEST_CASE("cgroupfs: OOM kills from memory.events on cgroup v2, relative to a namespace") {
  cproc::testing::FixtureProcfs sys;
  const std::string scope =
      "/kubepods.slice/kubepods-burstable.slice/pod1.slice/cri-containerd-a.scope";
  sys.Write("fs/cgroup/cgroup.controllers", "cpuset cpu io memory pids\n");
  sys.Write("fs/cgroup" + scope + "/memory.events",
            "low 0\nhigh 0\nmax 40\noom 2\noom_kill 1\noom_group_kill 0\n");
  CgroupFs cgroupfs(sys.root());
  CHECK(cgroupfs.memory_available());
  CHECK(cgroupfs.ReadMemory(scope).oom_kills == 1);
  CHECK(cgroupfs
            .ReadMemory("/../../kubepods.slice/kubepods-burstable.slice/pod1.slice/"
                        "cri-containerd-a.scope")
            .oom_kills == 1);
  CHECK_FALSE(cgroupfs.ReadMemory("/../..").oom_kills.has_value());
}

// One sysfs per row: its files, and what the memory controller gives for /docker/a.
struct MemoryLayout {
  const char* what;
  std::vector<std::pair<std::string, std::string>> files;
  bool available;
  std::optional<uint64_t> oom_kills;
};

TEST_CASE("cgroupfs: where the memory controller is, and when the OOM kills are unknown") {
  const MemoryLayout layouts[] = {
      {"hybrid, memory on cgroup2 instead of v1",
       {{"fs/cgroup/pids/docker/a/pids.max", "max\n"},
        {"fs/cgroup/unified/cgroup.controllers", "memory\n"},
        {"fs/cgroup/unified/docker/a/memory.events", "oom 1\noom_kill 1\n"}},
       true,
       1},
      {"v1 before kernel 4.13: no oom_kill line",
       {{"fs/cgroup/unified/cgroup.controllers", ""},
        {"fs/cgroup/memory/docker/a/memory.oom_control", "oom_kill_disable 0\nunder_oom 0\n"}},
       true,
       std::nullopt},
      {"v1, malformed",
       {{"fs/cgroup/memory/docker/a/memory.oom_control", "oom_kill many\n"}},
       true,
       std::nullopt},
      // The file is there but the controller is not offered: not the kernel's, never read.
      {"pure v2 without the memory controller",
       {{"fs/cgroup/cgroup.controllers", "cpu pids\n"},
        {"fs/cgroup/docker/a/memory.events", "oom_kill 1\n"}},
       false,
       std::nullopt},
      {"v1 without a memory hierarchy",
       {{"fs/cgroup/pids/docker/a/pids.max", "max\n"}},
       false,
       std::nullopt},
  };
  for (const MemoryLayout& layout : layouts) {
    CAPTURE(layout.what);
    cproc::testing::FixtureProcfs sys;
    for (const auto& [path, content] : layout.files) sys.Write(path, content);
    CgroupFs cgroupfs(sys.root());
    CHECK(cgroupfs.memory_available() == layout.available);
    CHECK(cgroupfs.ReadMemory("/docker/a").oom_kills == layout.oom_kills);
  }
}

TEST_CASE("cgroupfs: without room in the budget the memory file is read and closed") {
  cproc::testing::FixtureProcfs sys;
  sys.Write("fs/cgroup/cgroup.controllers", "memory\n");
  sys.Write("fs/cgroup/docker/x/memory.events", "oom_kill 4\n");
  cproc::DescriptorBudget budget(0);
  CgroupFs cgroupfs(sys.root(), &budget);
  CHECK(cgroupfs.ReadMemory("/docker/x").oom_kills == 4);
  CHECK(cgroupfs.open_memory_cgroups() == 0);
  sys.Write("fs/cgroup/docker/x/memory.events", "oom_kill 5\n");
  CHECK(cgroupfs.ReadMemory("/docker/x").oom_kills == 5);
}
