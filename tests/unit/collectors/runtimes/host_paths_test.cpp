// The host's files as the exporter sees them under --path.rootfs, and the glob patterns of the
// runtime roots (README.md "Config file"), on a fixture root.
#include "collectors/runtimes/host_paths.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "tests/support/fixture_procfs.h"

using namespace cproc;
using cproc::testing::FixtureProcfs;

namespace {

std::vector<std::string> Sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

}  // namespace

TEST_CASE("host paths: under the rootfs, or the path itself on the host's own root") {
  CHECK(HostPath("/", "/var/lib/docker") == "/var/lib/docker");
  CHECK(HostPath("", "/var/lib/docker") == "/var/lib/docker");
  CHECK(HostPath("/host/root", "/var/lib/docker") == "/host/root/var/lib/docker");
}

TEST_CASE("host paths: plain roots stay as given, patterns become the directories that exist") {
  FixtureProcfs root;
  root.Write("home/alice/.local/share/containers/storage/x", "");
  root.Write("home/bob/.local/share/containers/storage/x", "");
  root.Write("home/dave/nothing", "");
  const std::vector<std::string> expanded = ExpandHostRoots(
      root.root(), {"/var/lib/containers/storage", "/home/*/.local/share/containers/storage",
                    "/nowhere/*/storage"});
  // The plain root first, whether it exists or not (it may appear later); then what the
  // pattern found now, and nothing for a pattern that finds nothing.
  REQUIRE(expanded.size() == 3);
  CHECK(expanded[0] == root.root() + "/var/lib/containers/storage");
  CHECK(Sorted({expanded[1], expanded[2]}) ==
        std::vector<std::string>{root.root() + "/home/alice/.local/share/containers/storage",
                                 root.root() + "/home/bob/.local/share/containers/storage"});
  CHECK(ExpandHostRoots(root.root(), {}).empty());
}

TEST_CASE("host paths: directory entries without hidden ones, and what is a directory") {
  FixtureProcfs root;
  root.Write("d/one", "");
  root.Write("d/two/x", "");
  root.Write("d/.hidden", "");
  CHECK(Sorted(DirectoryEntries(root.root() + "/d")) == std::vector<std::string>{"one", "two"});
  CHECK(DirectoryEntries(root.root() + "/missing").empty());
  CHECK(DirectoryEntries(root.root() + "/d/one").empty());  // a file lists nothing
  CHECK(IsDirectory(root.root() + "/d/two"));
  CHECK_FALSE(IsDirectory(root.root() + "/d/one"));
  CHECK_FALSE(IsDirectory(root.root() + "/missing"));
}
