// A scan's containers described from their runtime's files, and a new container held back
// (identity_pending) while its runtime is still writing them, for at most kIdentityGraceSeconds.
#include "collectors/scan/container_naming.h"

#include <doctest/doctest.h>

#include "tests/support/fixture_procfs.h"
#include "tests/unit/collectors/runtimes/libpod_fixture.h"
#include "tests/unit/collectors/runtimes/runtime_files_fixture.h"

using namespace cproc;
using cproc::testing::FixtureProcfs;
using cproc::testing::kApp;
using cproc::testing::kPodName;
using cproc::testing::OneContainer;
using cproc::testing::PathsUnder;
using cproc::testing::PodmanStateDb;

namespace {

const std::string kGraph = "var/lib/containers/storage/";

// Podman wrote kApp into containers.json; its state database does not know it yet.
void WriteHalfCreated(const FixtureProcfs& root) {
  root.Write(kGraph + "overlay-containers/containers.json",
             R"([{"id":")" + kApp + R"(","names":["app"]}])");
  root.Write(kGraph + "libpod/bolt_state.db", OneContainer(R"({"name":"other"})"));
}

MetadataPaths RetriedEverySecond(const FixtureProcfs& root) {
  MetadataPaths paths = PathsUnder(root);
  paths.retry_seconds = 1;
  return paths;
}

Container PodmanContainer(const std::string& id) {
  Container c;
  c.runtime = "podman";
  c.id = id;
  c.cgroup = "/machine.slice/libpod-" + id + ".scope/container";
  return c;
}

}  // namespace

TEST_CASE("container naming: pending while the files are incomplete, for the grace at most") {
  FixtureProcfs root;
  WriteHalfCreated(root);
  ContainerNaming naming(RetriedEverySecond(root));
  Container c = PodmanContainer(kApp);
  naming.Describe(c, 100);
  CHECK(c.identity_pending);
  CHECK(c.name == "app");  // described all the same: only the metrics wait
  CHECK(c.named_from_files);
  naming.ForgetAllBut({c});

  SUBCASE("a runtime that never finishes its write: shown after the grace, its pod unnamed") {
    Container later = PodmanContainer(kApp);
    naming.Describe(later, 100 + kIdentityGraceSeconds - 0.5);
    CHECK(later.identity_pending);
    naming.ForgetAllBut({later});
    Container shown = PodmanContainer(kApp);
    naming.Describe(shown, 100 + kIdentityGraceSeconds);
    CHECK_FALSE(shown.identity_pending);
    CHECK(shown.pod_name.empty());

    // Gone from a scan, then back: seen anew, so held back anew.
    naming.ForgetAllBut({});
    Container back = PodmanContainer(kApp);
    naming.Describe(back, 200);
    CHECK(back.identity_pending);
  }
  SUBCASE("files completed within the grace: shown then, with its pod") {
    root.Write(kGraph + "libpod/bolt_state.db", PodmanStateDb());
    Container complete = PodmanContainer(kApp);
    naming.Describe(complete, 101.5);
    CHECK_FALSE(complete.identity_pending);
    CHECK(complete.pod_name == kPodName);
  }
}

TEST_CASE("container naming: no files at all is no reason to wait; the runtime the files say") {
  FixtureProcfs root;
  ContainerNaming naming(RetriedEverySecond(root));
  Container unknown = PodmanContainer(std::string(64, '9'));
  naming.Describe(unknown, 100);
  CHECK_FALSE(unknown.identity_pending);
  CHECK_FALSE(unknown.named_from_files);

  // A kubepods id Docker's files know is cri-dockerd's, whatever the layout guessed.
  const std::string id(64, 'b');
  root.Write("var/lib/docker/containers/" + id + "/config.v2.json", R"({"Name":"/k8s_api"})");
  const ContainerMatch match{
      .runtime = "containerd", .layout = "kubepods", .id = id, .cgroup = {}, .pod_uid = {}};
  CHECK(naming.RuntimeOf(match, 100) == "docker");
  const ContainerMatch unmatched{
      .runtime = "containerd", .layout = "kubepods", .id = "x", .cgroup = {}, .pod_uid = {}};
  CHECK(naming.RuntimeOf(unmatched, 100) == "containerd");

  // Rootless (no cgroup names it): its user namespace is not declared the host's.
  Container rootless = PodmanContainer(std::string(64, '8'));
  rootless.cgroup.clear();
  rootless.declared_host[static_cast<std::size_t>(NsKind::kUser)] = 1;
  naming.Describe(rootless, 100);
  CHECK(rootless.declared_host[static_cast<std::size_t>(NsKind::kUser)] == -1);
}
