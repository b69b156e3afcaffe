#include "collectors/procfs/proc_cgroup.h"

#include <doctest/doctest.h>

using cproc::ParseProcCgroup;

namespace {
const char* kId = "a2998910803f98223e0aa65e1fbe2347992d112508a7adbe6f76dc9252628614";
}

TEST_CASE("cgroup: v2 only") {
  auto lines = ParseProcCgroup("0::/system.slice/docker-abc.scope\n");
  REQUIRE(lines.ok());
  REQUIRE(lines->size() == 1);
  CHECK(lines->at(0).unified());
  CHECK(lines->at(0).path == "/system.slice/docker-abc.scope");
}

TEST_CASE("cgroup: hybrid host, live container process and its zombie") {
  const std::string live = std::string("9:name=systemd:/docker/") + kId + "\n8:pids:/docker/" +
                           kId + "\n2:cpu,cpuacct:/docker/" + kId + "\n0::/docker/" + kId + "\n";
  auto lines = ParseProcCgroup(live);
  REQUIRE(lines.ok());
  REQUIRE(lines->size() == 4);
  CHECK(lines->at(0).controllers == "name=systemd");
  CHECK(lines->at(1).HasController("pids"));
  CHECK(lines->at(2).HasController("cpuacct"));
  CHECK_FALSE(lines->at(2).HasController("cpuset"));
  CHECK(lines->at(3).unified());

  // docs/ARCHITECTURE.md "Kernel facts": a zombie keeps only its 0:: line.
  const std::string zombie = std::string("9:name=systemd:/\n8:pids:/\n0::/docker/") + kId + "\n";
  auto zlines = ParseProcCgroup(zombie);
  REQUIRE(zlines.ok());
  CHECK(zlines->at(0).path == "/");
  CHECK(zlines->at(2).path == std::string("/docker/") + kId);
}

TEST_CASE("cgroup: host process on this hybrid host, paths with colons, deleted cgroups") {
  auto host = ParseProcCgroup("4:memory:/process_api/b4e8\n0::/\n");
  REQUIRE(host.ok());
  CHECK(host->at(0).path == "/process_api/b4e8");
  CHECK(host->at(1).path == "/");

  // The misconfigured containerd form keeps colons in the path.
  auto colons = ParseProcCgroup("0::/kubepods-burstable-pod1.slice:cri-containerd:abc\n");
  REQUIRE(colons.ok());
  CHECK(colons->at(0).path == "/kubepods-burstable-pod1.slice:cri-containerd:abc");

  auto deleted = ParseProcCgroup("0::/docker/abc (deleted)\n");
  REQUIRE(deleted.ok());
  CHECK(deleted->at(0).path == "/docker/abc");
  CHECK(deleted->at(0).deleted);

  auto relative = ParseProcCgroup("0::/../../kubepods.slice/x\n");
  REQUIRE(relative.ok());
  CHECK(relative->at(0).path == "/../../kubepods.slice/x");
}

TEST_CASE("cgroup: malformed input names the line") {
  struct Case {
    const char* text;
    const char* expect;
  };
  const Case cases[] = {
      {"", "no cgroup lines"},
      {"0::/\nnonsense\n", "line 2: expected 'hierarchy:controllers:path'"},
      {"x:pids:/\n", "line 1: expected a numeric hierarchy ID"},
      {"3:pids:relative\n", "line 1: expected a path starting with '/'"},
      {"3:pids:\n", "line 1: expected a path starting with '/'"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.text);
    auto lines = ParseProcCgroup(c.text);
    REQUIRE_FALSE(lines.ok());
    CHECK(lines.error().find(c.expect) != std::string::npos);
  }
}
