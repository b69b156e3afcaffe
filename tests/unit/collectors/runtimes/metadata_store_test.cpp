// The store that finds each container's metadata in its runtime's files under a host's root:
// Docker's, containerd's bundles, containers/storage's lists and libpod's state (the files in
// fixtures/, see fixtures/README.md), cached, with misses retried.
#include "collectors/runtimes/metadata_store.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include "tests/support/fixture_procfs.h"
#include "tests/unit/collectors/runtimes/libpod_fixture.h"
#include "tests/unit/collectors/runtimes/runtime_files_fixture.h"

using namespace cproc;
using cproc::testing::Fixture;
using cproc::testing::FixtureProcfs;
using cproc::testing::K;
using cproc::testing::kApp;
using cproc::testing::kDockerConfig;
using cproc::testing::kDockerHostConfig;
using cproc::testing::kInfra;
using cproc::testing::kPlain;
using cproc::testing::kPod;
using cproc::testing::kPodmanCache;
using cproc::testing::kPodmanPod;
using cproc::testing::kPodmanTmp;
using cproc::testing::kPodmanWeb;
using cproc::testing::kPodName;
using cproc::testing::kSidecar;
using cproc::testing::OneContainer;
using cproc::testing::PathsUnder;
using cproc::testing::PodmanStateDb;
using cproc::testing::WritePodmanStorage;

TEST_CASE("metadata store: finds Docker files under the rootfs, caches, retries misses") {
  cproc::testing::FixtureProcfs root;
  const std::string id(64, 'a');
  MetadataPaths paths;
  paths.rootfs = root.root();
  paths.retry_seconds = 30;
  MetadataStore store(paths);
  CHECK(store.Lookup("docker", id, 100).metadata == nullptr);  // not there yet

  root.Write("var/lib/docker/containers/" + id + "/config.v2.json", kDockerConfig);
  root.Write("var/lib/docker/containers/" + id + "/hostconfig.json", kDockerHostConfig);
  CHECK(store.Lookup("docker", id, 110).metadata == nullptr);  // retried only after 30 s
  auto found = store.Lookup("docker", id, 131);
  REQUIRE(found.metadata != nullptr);
  CHECK(found.metadata->name == "db");
  CHECK(found.runtime == "docker");

  // A kubepods id that Docker's files know is cri-dockerd's: the runtime is corrected.
  const std::string k8s_id(64, 'b');
  root.Write("var/lib/docker/containers/" + k8s_id + "/config.v2.json", kDockerConfig);
  CHECK(store.Lookup("containerd", k8s_id, 200).runtime == "docker");

  // containerd bundle in a namespace directory.
  const std::string ctr_id = "my-ctr";
  root.Write("run/containerd/io.containerd.runtime.v2.task/default/my-ctr/config.json",
             R"({"annotations":{"nerdctl/name":"web"}})");
  auto ctr = store.Lookup("containerd", ctr_id, 200);
  REQUIRE(ctr.metadata != nullptr);
  CHECK(ctr.metadata->name == "web");

  CHECK(store.Lookup("docker", "../../etc", 300).metadata == nullptr);  // ids never walk paths
  store.ForgetUnused();
  store.ForgetUnused();  // nothing looked up since: all forgotten
  CHECK(store.size() == 0);
}

TEST_CASE("metadata store: files that exist but cannot be used are counted, missing ones not") {
  cproc::testing::FixtureProcfs root;
  MetadataPaths paths;
  paths.rootfs = root.root();
  paths.retry_seconds = 0;
  MetadataStore store(paths);
  CHECK(store.Lookup("docker", std::string(64, 'a'), 1).metadata == nullptr);  // not there
  CHECK(store.errors().parse == 0);
  CHECK(store.errors().io == 0);

  const std::string bad(64, 'b'), odd(64, 'c');
  root.Write("var/lib/docker/containers/" + bad + "/config.v2.json", "{\"Name\": [");  // cut off
  // A directory where the file should be: exists, cannot be read as one.
  root.Write("var/lib/docker/containers/" + odd + "/config.v2.json/x", "");
  CHECK(store.Lookup("docker", bad, 2).metadata == nullptr);
  CHECK(store.errors().parse == 1);
  CHECK(store.Lookup("docker", odd, 2).metadata == nullptr);
  CHECK(store.errors().io == 1);
  CHECK(store.errors().permission == 0);  // root reads anything; tests/reliability shows it
}

TEST_CASE("metadata store: Podman containers named from containers/storage's lists") {
  FixtureProcfs root;
  WritePodmanStorage(root);
  MetadataPaths paths;
  paths.rootfs = root.root();
  MetadataStore store(paths);

  auto web = store.Lookup("podman", kPodmanWeb, 10);
  REQUIRE(web.metadata != nullptr);
  CHECK(web.runtime == "podman");
  CHECK(web.metadata->name == "web");                                   // containers.json
  CHECK(web.metadata->image == "docker.io/library/nginx:1.25-alpine");  // its image-name
  CHECK(web.metadata->pod_uid == kPodmanPod);                           // config.json
  CHECK(web.metadata->declared_host[K(NsKind::kNet)] == 0);
  CHECK(web.metadata->stop_signal == 3);  // config.json's org.opencontainers.image.stopSignal

  // Only in the list (no config.json read): named, nothing declared.
  auto cache = store.Lookup("podman", kPodmanCache, 10);
  REQUIRE(cache.metadata != nullptr);
  CHECK(cache.metadata->name == "cache-renamed");
  CHECK(cache.metadata->declared_host[K(NsKind::kPid)] == -1);
  // A --rm container, listed in the run root's volatile-containers.json.
  auto tmp = store.Lookup("podman", kPodmanTmp, 10);
  REQUIRE(tmp.metadata != nullptr);
  CHECK(tmp.metadata->name == "tmp-shell");
  CHECK(tmp.metadata->image == "docker.io/library/busybox:1.36");
  CHECK(store.Lookup("podman", std::string(64, 'f'), 10).metadata == nullptr);

  // The list is read again when it changes: a container made after the first lookups.
  const std::string fresh(64, '9');
  root.Write("var/lib/containers/storage/overlay-containers/containers.json",
             R"([{"id":")" + fresh + R"(","names":["fresh"],"image":"x"}])");
  auto found = store.Lookup("podman", fresh, 11);
  REQUIRE(found.metadata != nullptr);
  CHECK(found.metadata->name == "fresh");

  // Other storage drivers keep the same files in <driver>-containers.
  const std::string vfs(64, '8');
  root.Write("var/lib/containers/storage/vfs-containers/containers.json",
             R"([{"id":")" + vfs + R"(","names":["on-vfs"]}])");
  REQUIRE(store.Lookup("podman", vfs, 12).metadata != nullptr);
  CHECK(store.Lookup("podman", vfs, 12).metadata->name == "on-vfs");
}

TEST_CASE("metadata store: storage and bundle roots come from the paths, globs included") {
  FixtureProcfs root;
  const std::string rootless(64, '7');
  root.Write("home/alice/.local/share/containers/storage/overlay-containers/containers.json",
             R"([{"id":")" + rootless + R"(","names":["alice-web"]}])");
  root.Write("srv/bundles/default/job-1/config.json", R"({"annotations":{"nerdctl/name":"job"}})");
  WritePodmanStorage(root);
  {
    MetadataPaths defaults;  // rootless storage is not looked at unless asked for
    defaults.rootfs = root.root();
    MetadataStore store(defaults);
    CHECK(store.Lookup("podman", rootless, 1).metadata == nullptr);
    CHECK(store.Lookup("containerd", "job-1", 1).metadata == nullptr);
    CHECK_FALSE(store.HasBundle("default", "job-1"));
  }
  MetadataPaths paths;
  paths.rootfs = root.root();
  paths.storage_roots = {"/home/*/.local/share/containers/storage"};
  paths.bundle_roots = {"/srv/bundles"};
  MetadataStore store(paths);
  auto alice = store.Lookup("podman", rootless, 1);
  REQUIRE(alice.metadata != nullptr);
  CHECK(alice.metadata->name == "alice-web");
  CHECK(store.Lookup("podman", kPodmanWeb, 1).metadata == nullptr);  // not in these roots
  auto job = store.Lookup("containerd", "job-1", 1);
  REQUIRE(job.metadata != nullptr);
  CHECK(job.metadata->name == "job");
  CHECK(store.HasBundle("default", "job-1"));

  MetadataPaths none;
  none.rootfs = root.root();
  none.storage_roots.clear();
  none.bundle_roots.clear();
  MetadataStore off(none);
  CHECK(off.Lookup("podman", kPodmanWeb, 1).metadata == nullptr);
}

TEST_CASE("metadata store: confirms Docker ids and containerd bundles from their files") {
  FixtureProcfs root;
  const std::string id(64, 'd');
  root.Write("var/lib/docker/containers/" + id + "/config.v2.json", "{}");
  root.Write("run/containerd/io.containerd.runtime.v2.task/default/svc/config.json", "{}");
  MetadataPaths paths;
  paths.rootfs = root.root();
  MetadataStore store(paths);
  CHECK(store.Confirms("docker", "my-parent", id));
  CHECK(store.Confirms("docker", "..", id));  // any parent: --cgroup-parent is free
  CHECK_FALSE(store.Confirms("docker", "my-parent", std::string(64, 'e')));
  CHECK_FALSE(store.Confirms("docker", "x", "../../etc"));
  CHECK(store.Confirms("containerd", "default", "svc"));
  CHECK_FALSE(store.Confirms("containerd", "other", "svc"));
  CHECK_FALSE(store.Confirms("containerd", "..", "svc"));
  CHECK_FALSE(store.Confirms("podman", "default", "svc"));  // nothing to confirm for the others
}

TEST_CASE("metadata store: Docker's data-root from its daemon.json unless given") {
  FixtureProcfs root;
  const std::string id(64, 'a');
  root.Write("etc/docker/daemon.json", Fixture("docker/daemon.json"));
  root.Write("srv/docker/containers/" + id + "/config.v2.json", kDockerConfig);
  MetadataPaths paths;
  paths.rootfs = root.root();
  {
    MetadataStore store(paths);
    CHECK(store.docker_root() == "/srv/docker");
    auto found = store.Lookup("docker", id, 1);
    REQUIRE(found.metadata != nullptr);
    CHECK(found.metadata->name == "db");
    CHECK(store.Confirms("docker", "p", id));
  }
  paths.docker_root = "/var/lib/docker";  // given: daemon.json is not read
  MetadataStore given(paths);
  CHECK(given.docker_root() == "/var/lib/docker");
  CHECK(given.Lookup("docker", id, 1).metadata == nullptr);

  root.Write("etc/docker/daemon.json", "{broken");
  paths.docker_root.clear();
  MetadataStore broken(paths);
  CHECK(broken.docker_root() == "/var/lib/docker");
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
  CHECK(app.metadata->stop_signal == 15);  // libpod's config "stopSignal"

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
  // What `podman stop` sends is libpod's number; the OCI annotation is only its copy.
  root.Write(graph + "overlay-containers/" + kPlain + "/userdata/config.json",
             R"({"annotations":{"org.opencontainers.image.stopSignal":"10"}})");
  MetadataStore fresh(paths);
  CHECK(fresh.Lookup("podman", kPlain, 10).metadata->stop_signal == 15);
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
