// The typed settings and the runtime file locations the scanner is given (MetadataPathsOf).
#include "cmd/settings/config.h"

#include <doctest/doctest.h>

#include <algorithm>

#include "cmd/settings/flags.h"
#include "collectors/runtimes/metadata_store.h"
#include "tests/support/temp_file.h"

using namespace cproc;

using testing::TempFile;

TEST_CASE("config file: runtime file locations are lists, with the built-in ones by default") {
  auto defaults = ParseCommandLine({});
  REQUIRE(defaults.ok());
  CHECK_FALSE(defaults->config.runtime_bundle_roots.has_value());
  CHECK_FALSE(defaults->config.runtime_storage_roots.has_value());
  CHECK_FALSE(defaults->config.runtime_docker_root_given);
  const MetadataPaths built_in = MetadataPathsOf(defaults->config);
  CHECK(built_in.bundle_roots == DefaultBundleRoots());
  CHECK(built_in.storage_roots == DefaultStorageRoots());
  CHECK(built_in.docker_root.empty());  // found from daemon.json by the store
  CHECK(built_in.rootfs == "/");
  CHECK(std::find(DefaultBundleRoots().begin(), DefaultBundleRoots().end(),
                  "/run/containerd/io.containerd.runtime.v2.task") != DefaultBundleRoots().end());
  CHECK(std::find(DefaultStorageRoots().begin(), DefaultStorageRoots().end(),
                  "/var/lib/containers/storage") != DefaultStorageRoots().end());

  TempFile file(
      "path:\n  rootfs: /host/root\n"
      "runtime:\n"
      "  docker_root: /srv/docker\n"
      "  bundle_roots:\n"
      "    - /run/containerd/io.containerd.runtime.v2.task\n"
      "    - /var/snap/microk8s/common/run/containerd/io.containerd.runtime.v2.task\n"
      "  storage-roots: [/var/lib/containers/storage, "
      "'/home/*/.local/share/containers/storage']\n");
  auto parsed = ParseCommandLine({"--config.file=" + file.path()});
  REQUIRE_MESSAGE(parsed.ok(), (parsed.ok() ? "" : parsed.error()));
  const Config& c = parsed->config;
  REQUIRE(c.runtime_bundle_roots.has_value());
  CHECK(*c.runtime_bundle_roots ==
        std::vector<std::string>{
            "/run/containerd/io.containerd.runtime.v2.task",
            "/var/snap/microk8s/common/run/containerd/io.containerd.runtime.v2.task"});
  REQUIRE(c.runtime_storage_roots.has_value());
  CHECK(*c.runtime_storage_roots ==
        std::vector<std::string>{"/var/lib/containers/storage",
                                 "/home/*/.local/share/containers/storage"});
  CHECK(c.runtime_docker_root_given);
  const MetadataPaths paths = MetadataPathsOf(c);
  CHECK(paths.rootfs == "/host/root");
  CHECK(paths.docker_root == "/srv/docker");
  CHECK(paths.bundle_roots == *c.runtime_bundle_roots);
  CHECK(paths.storage_roots == *c.runtime_storage_roots);

  // An empty list turns that lookup off; the flag alone also counts as given.
  TempFile off("runtime:\n  bundle_roots: []\n");
  auto none = ParseCommandLine({"--config.file=" + off.path(), "--runtime.docker-root=/d"});
  REQUIRE(none.ok());
  CHECK(MetadataPathsOf(none->config).bundle_roots.empty());
  CHECK(MetadataPathsOf(none->config).storage_roots == DefaultStorageRoots());
  CHECK(MetadataPathsOf(none->config).docker_root == "/d");
}
