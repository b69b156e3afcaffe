// Paths read inside a private cgroup namespace, turned back into the host's (pure parts).
#include "collectors/cgroupfs/cgroup_namespace_root.h"

#include <doctest/doctest.h>

#include "collectors/runtimes/container_layouts.h"

using namespace cproc;

namespace {
const std::string kId(64, 'f');
const std::string kScope = "/system.slice/docker-" + kId + ".scope";
}  // namespace

TEST_CASE("cgroup namespace root: paths inside it become host paths, the rest stays") {
  // The exporter's own container, from inside: "/" is its own cgroup, "/sub" one below it.
  CHECK(HostCgroupPath(kScope, "/") == kScope);
  CHECK(HostCgroupPath(kScope, "/init") == kScope + "/init");
  // Outside the namespace: left for the "/.." handling of the layouts and of CgroupFs.
  CHECK(HostCgroupPath(kScope, "/../../kubepods.slice/x") == "/../../kubepods.slice/x");
  CHECK(HostCgroupPath(kScope, "/..") == "/..");
  // The host's namespace: nothing to do.
  CHECK(HostCgroupPath("", "/docker/" + kId) == "/docker/" + kId);
  CHECK(HostCgroupPath("/", "/") == "/");
  // "/..x" is a name, not a parent.
  CHECK(HostCgroupPath("/r", "/..x") == "/r/..x");

  // What this is for: from inside, the own container's "/" names no container; as a host path
  // it is recognised like any other.
  CHECK_FALSE(MatchContainer("/", DefaultContainerLayouts()).has_value());
  const auto match = MatchContainer(HostCgroupPath(kScope, "/"), DefaultContainerLayouts());
  REQUIRE(match.has_value());
  CHECK(match->id == kId);
}

TEST_CASE("cgroup namespace root: the root is the found cgroup minus the path read for it") {
  CHECK(NamespaceRootFrom(kScope, "/") == kScope);
  CHECK(NamespaceRootFrom(kScope + "/init", "/init") == kScope);
  CHECK(NamespaceRootFrom("/a/b/c", "/b/c") == "/a");
  // The host's namespace: the path read is the path in the tree.
  CHECK(NamespaceRootFrom("/", "/").empty());
  CHECK(NamespaceRootFrom("/user.slice/x", "/user.slice/x").empty());
  // Not fitting together, or not a path inside a namespace: unknown, not a guess.
  CHECK(NamespaceRootFrom("/ab/c", "/b/c").empty());
  CHECK(NamespaceRootFrom("/a/c", "/b/c").empty());
  CHECK(NamespaceRootFrom("/x", "/../y").empty());
  CHECK(NamespaceRootFrom("/x", "").empty());
  CHECK(NamespaceRootFrom("/x", "y").empty());
}
