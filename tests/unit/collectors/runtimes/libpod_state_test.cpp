// Podman's pods named from libpod's state database: the parser on the file the real Podman 4.3
// wrote (fixtures/podman/bolt_state.db: a pod of two containers and its infra container, and a
// plain container; see fixtures/README.md) and on hand-made broken ones, then the metadata
// store finding it under a host's storage roots.
#include "collectors/runtimes/libpod_state.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "collectors/runtimes/metadata_store.h"
#include "tests/support/fixture_procfs.h"
#include "tests/unit/collectors/runtimes/bolt_builder.h"

using namespace cproc;
using cproc::testing::BoltFile;
using cproc::testing::BucketValue;
using cproc::testing::FixtureProcfs;
using cproc::testing::InlineBucket;
using cproc::testing::LeafPage;
using cproc::testing::PodmanStateDb;

namespace {

// What `podman pod ps` / `podman ps -a --pod --no-trunc` said when the fixture was made.
const std::string kPod = "04e78ba0bce366bd24a17e79335905dddfb58665c19d05871c82c4a93023aeda";
const std::string kPodName = "cproc-fixture-2993-web";
const std::string kInfra = "30d2298990fc4ad703e4b3476835266c506a5b398005ca45d5d0130ac787dd61";
const std::string kApp = "1be58b975f237c469ec9cc2e512279ba360a03585bcdb5fe395de17f98fd810f";
const std::string kSidecar = "dacb987a64b4d907abd693fa4ee80d84aa02f53156d9692f4d128d8f44104605";
const std::string kPlain = "a27d9b10e7c6f8dcac3308de3cb5a0c08a18a0bf4d8ae58b8616a64835cb3f0e";

// A libpod-shaped file: a "ctr" bucket (page 3) with one container whose bucket is inline, and
// an empty "pod" bucket.
std::string OneContainer(const std::string& config, bool with_pod_bucket = true) {
  BoltFile file(5);
  std::vector<cproc::testing::BoltEntry> top = {{"ctr", BucketValue(3), true}};
  if (with_pod_bucket) top.push_back({"pod", InlineBucket({}), true});
  file.SetPage(2, LeafPage(2, top));
  file.SetPage(3, LeafPage(3, {{"abc", InlineBucket({{"config", config}}), true}}));
  return file.bytes();
}

// The default roots under a fixture host's root, retried every 30 s.
MetadataPaths PathsUnder(const FixtureProcfs& root) {
  MetadataPaths paths;
  paths.rootfs = root.root();
  paths.retry_seconds = 30;
  return paths;
}

}  // namespace

TEST_CASE("libpod state: containers and pods from a database Podman 4.3 wrote") {
  auto state = ParseLibpodState(PodmanStateDb());
  REQUIRE_MESSAGE(state.ok(), (state.ok() ? "" : state.error()));
  CHECK(state->skipped == 0);
  REQUIRE(state->pod_names.size() == 1);
  CHECK(state->pod_names.at(kPod) == kPodName);
  REQUIRE(state->containers.size() == 4);
  for (const std::string& member : {kInfra, kApp, kSidecar}) {
    CHECK(state->containers.at(member).pod_id == kPod);
  }
  CHECK(state->containers.at(kInfra).name == "04e78ba0bce3-infra");
  CHECK(state->containers.at(kInfra).infra);
  CHECK(state->containers.at(kApp).name == "cproc-fixture-2993-app");
  CHECK_FALSE(state->containers.at(kApp).infra);
  CHECK(state->containers.at(kSidecar).name == "cproc-fixture-2993-sidecar");
  CHECK(state->containers.at(kPlain).name == "cproc-fixture-2993-plain");
  CHECK(state->containers.at(kPlain).pod_id.empty());
}

TEST_CASE("libpod state: configs that are not libpod's, and files that are not its state") {
  auto good = ParseLibpodState(OneContainer(R"({"id":"abc","name":"n","pod":"p1","x":{"y":[1]}})"));
  REQUIRE(good.ok());
  CHECK(good->containers.at("abc").name == "n");
  CHECK(good->containers.at("abc").pod_id == "p1");

  // One container's config is not JSON: it is skipped and said why, the file still counts.
  auto broken = ParseLibpodState(OneContainer("{\"name\": not json"));
  REQUIRE(broken.ok());
  CHECK(broken->containers.empty());
  CHECK(broken->skipped == 1);
  CHECK(broken->first_problem == "ctr abc: config is not a JSON object");
  auto array = ParseLibpodState(OneContainer("[\"name\"]"));
  REQUIRE(array.ok());
  CHECK(array->skipped == 1);
  // Odd field types are ignored.
  auto odd = ParseLibpodState(OneContainer(R"({"name":7,"pod":["x"],"pause":"yes"})"));
  REQUIRE(odd.ok());
  CHECK(odd->containers.at("abc").name.empty());
  CHECK(odd->containers.at("abc").pod_id.empty());
  CHECK_FALSE(odd->containers.at("abc").infra);

  auto no_pods = ParseLibpodState(OneContainer("{}", /*with_pod_bucket=*/false));
  REQUIRE_FALSE(no_pods.ok());
  CHECK(no_pods.error() == "no \"pod\" bucket: not libpod's state");
  CHECK(ParseLibpodState("").error().find("no valid meta page") != std::string::npos);
  CHECK_FALSE(ParseLibpodState(std::string(8192, '\0')).ok());
  CHECK_FALSE(ParseLibpodState(std::string_view(PodmanStateDb()).substr(0, 20000)).ok());
}

TEST_CASE("metadata store: a Podman pod member gets its pod's name from libpod's state") {
  FixtureProcfs root;
  const std::string graph = "var/lib/containers/storage/";
  root.Write(graph + "libpod/bolt_state.db", PodmanStateDb());
  // containers/storage lists the app and the plain container (the others: the state alone).
  root.Write(
      graph + "overlay-containers/containers.json",
      R"([{"id":")" + kApp +
          R"(","names":["app-renamed"],"metadata":"{\"image-name\":\"localhost/cproc-fixture/busybox:latest\"}"},
                {"id":")" +
          kPlain + R"(","names":["cproc-fixture-2993-plain"]}])");
  MetadataPaths paths;
  paths.rootfs = root.root();
  MetadataStore store(paths);

  auto app = store.Lookup("podman", kApp, 10);
  REQUIRE(app.metadata != nullptr);
  CHECK(app.runtime == "podman");
  CHECK(app.metadata->name == "app-renamed");  // containers.json wins for the name
  CHECK(app.metadata->image == "localhost/cproc-fixture/busybox:latest");
  CHECK(app.metadata->pod_name == kPodName);
  CHECK(app.metadata->pod_uid == kPod);
  CHECK(app.metadata->pod_namespace.empty());

  // Known only to the state: named from it; the infra container is in the pod too.
  auto sidecar = store.Lookup("podman", kSidecar, 10);
  REQUIRE(sidecar.metadata != nullptr);
  CHECK(sidecar.metadata->name == "cproc-fixture-2993-sidecar");
  CHECK(sidecar.metadata->pod_name == kPodName);
  auto infra = store.Lookup("podman", kInfra, 10);
  REQUIRE(infra.metadata != nullptr);
  CHECK(infra.metadata->name == "04e78ba0bce3-infra");
  CHECK(infra.metadata->pod_name == kPodName);
  CHECK(infra.metadata->pod_uid == kPod);

  auto plain = store.Lookup("podman", kPlain, 10);
  REQUIRE(plain.metadata != nullptr);
  CHECK(plain.metadata->pod_name.empty());
  CHECK(plain.metadata->pod_uid.empty());
  CHECK(store.errors().parse == 0);
  CHECK(store.errors().io == 0);

  // Other runtimes' containers are never looked up in Podman's state.
  CHECK(store.Lookup("cri-o", kSidecar, 10).metadata == nullptr);
}

TEST_CASE("metadata store: libpod's state that comes later, breaks, or is not re-read unchanged") {
  FixtureProcfs root;
  const std::string graph = "var/lib/containers/storage/";
  const std::string db_path = root.root() + "/" + graph + "libpod/bolt_state.db";
  root.Write(graph + "overlay-containers/containers.json",
             R"([{"id":")" + kApp + R"(","names":["app"]},{"id":")" + kSidecar +
                 R"(","names":["sidecar"]},{"id":")" + kInfra + R"(","names":["infra"]}])");
  MetadataStore store(PathsUnder(root));

  // Named from containers.json at once; the pod is filled in once the state knows it.
  auto app = store.Lookup("podman", kApp, 10);
  REQUIRE(app.metadata != nullptr);
  CHECK(app.metadata->name == "app");
  CHECK(app.metadata->pod_name.empty());
  root.Write(graph + "libpod/bolt_state.db", PodmanStateDb());
  CHECK(store.Lookup("podman", kApp, 20).metadata->pod_name.empty());  // retried after 30 s
  CHECK(store.Lookup("podman", kApp, 41).metadata->pod_name == kPodName);

  // Unchanged (same inode, size and time): not read again, even if its bytes were.
  struct stat before {};
  REQUIRE(::stat(db_path.c_str(), &before) == 0);
  {
    std::fstream file(db_path, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(0);
    file << std::string(4096 * 2, 'x');  // both metas gone
  }
  const struct timespec times[2] = {before.st_atim, before.st_mtim};
  REQUIRE(::utimensat(AT_FDCWD, db_path.c_str(), times, 0) == 0);
  auto sidecar = store.Lookup("podman", kSidecar, 50);
  REQUIRE(sidecar.metadata != nullptr);
  CHECK(sidecar.metadata->pod_name == kPodName);
  CHECK(store.errors().parse == 0);

  // Changed and broken: counted once, the last good read still names the pod.
  root.Write(graph + "libpod/bolt_state.db", "garbage");
  auto infra = store.Lookup("podman", kInfra, 60);
  REQUIRE(infra.metadata != nullptr);
  CHECK(infra.metadata->pod_name == kPodName);
  CHECK(store.errors().parse == 1);
  store.Lookup("podman", std::string(64, 'f'), 61);
  CHECK(store.errors().parse == 1);  // the same broken version is not read again
}

TEST_CASE("metadata store: rootless Podman's state under a globbed storage root") {
  FixtureProcfs root;
  root.Write("home/alice/.local/share/containers/storage/libpod/bolt_state.db", PodmanStateDb());
  MetadataPaths paths;
  paths.rootfs = root.root();
  {
    MetadataStore defaults(paths);  // rootless storage is not looked at unless asked for
    CHECK(defaults.Lookup("podman", kApp, 1).metadata == nullptr);
  }
  paths.storage_roots = {"/home/*/.local/share/containers/storage"};
  MetadataStore store(paths);
  auto app = store.Lookup("podman", kApp, 1);
  REQUIRE(app.metadata != nullptr);
  CHECK(app.metadata->name == "cproc-fixture-2993-app");
  CHECK(app.metadata->pod_name == kPodName);
}

TEST_CASE("metadata store: a Podman container libpod's state does not know yet is incomplete") {
  // Podman writes containers.json and its state database in turn: a scan between the two sees
  // the container named but its pod unknown. The lookup says so, so the scan can wait rather
  // than export a pod label that changes a scan later.
  FixtureProcfs root;
  const std::string graph = "var/lib/containers/storage/";
  root.Write(graph + "overlay-containers/containers.json",
             R"([{"id":")" + kApp + R"(","names":["app"]}])");
  root.Write(graph + "libpod/bolt_state.db", OneContainer(R"({"name":"other"})"));
  MetadataStore store(PathsUnder(root));
  auto app = store.Lookup("podman", kApp, 10);
  REQUIRE(app.metadata != nullptr);
  CHECK_FALSE(app.complete);
  root.Write(graph + "libpod/bolt_state.db", PodmanStateDb());
  app = store.Lookup("podman", kApp, 41);
  CHECK(app.complete);
  CHECK(app.metadata->pod_name == kPodName);

  // A database caught mid-write at the exporter's first read (no last good read yet): the
  // container is incomplete until it is read whole. A file of /proc reads as more bytes than
  // its size says, which is how a write in flight looks.
  FixtureProcfs writing;
  writing.Write(graph + "overlay-containers/containers.json",
                R"([{"id":")" + kApp + R"(","names":["app"]}])");
  writing.Write(graph + "libpod/.keep", "");
  const std::string db_path = writing.root() + "/" + graph + "libpod/bolt_state.db";
  REQUIRE(::symlink("/proc/self/status", db_path.c_str()) == 0);
  MetadataStore caught(PathsUnder(writing));
  app = caught.Lookup("podman", kApp, 10);
  REQUIRE(app.metadata != nullptr);
  CHECK_FALSE(app.complete);
  CHECK(app.metadata->pod_name.empty());
  REQUIRE(::unlink(db_path.c_str()) == 0);
  writing.Write(graph + "libpod/bolt_state.db", PodmanStateDb());
  app = caught.Lookup("podman", kApp, 12);  // retried within seconds, not after 30
  CHECK(app.complete);
  CHECK(app.metadata->pod_name == kPodName);
  CHECK(caught.errors().parse == 0);

  // Without any state database (Podman 5 keeps SQLite): nothing to wait for.
  FixtureProcfs bare;
  bare.Write(graph + "overlay-containers/containers.json",
             R"([{"id":")" + kApp + R"(","names":["app"]}])");
  MetadataStore no_state(PathsUnder(bare));
  CHECK(no_state.Lookup("podman", kApp, 10).complete);
  // Nor for a container no file knows at all (permissions, a wrong root): short id at once.
  CHECK(no_state.Lookup("podman", std::string(64, '9'), 10).complete);
}
