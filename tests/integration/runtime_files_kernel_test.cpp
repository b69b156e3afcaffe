// Runtime files that other users control: rootless Podman's pidfiles are found only where a user
// owns them, and nothing a user can plant there (a FIFO, a symlink, a device) stalls a scan.
// Root: the files are handed to another uid with chown, as a rootless runtime's are.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

#include "collectors/runtimes/metadata_store.h"
#include "collectors/runtimes/runtime_pidfiles.h"
#include "collectors/scan/scanner.h"
#include "tests/support/fixture_procfs.h"

using namespace cproc;
using cproc::testing::FixtureProcfs;

namespace {

constexpr uid_t kUser = 65534;  // nobody: what a rootless Podman's user would be
const std::string kId = std::string(64, 'e');

// <root>/overlay-containers/<id>/userdata with a pidfile and conmon.pid, owned by `owner`.
std::string Userdata(const FixtureProcfs& rootfs, const std::string& root, const std::string& id,
                     uid_t owner) {
  const std::string base = root + "/overlay-containers";
  rootfs.Write(base.substr(1) + "/" + id + "/userdata/pidfile", "4242\n");
  rootfs.Write(base.substr(1) + "/" + id + "/userdata/conmon.pid", "4241\n");
  const std::filesystem::path top = rootfs.root() + base;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(top)) {
    REQUIRE(::lchown(entry.path().c_str(), owner, owner) == 0);
  }
  REQUIRE(::lchown(top.c_str(), owner, owner) == 0);
  return rootfs.root() + base + "/" + id + "/userdata";
}

}  // namespace

TEST_CASE("pidfiles: found in a user's run root, not in root's, nor through a symlink or FIFO") {
  FixtureProcfs rootfs;
  Userdata(rootfs, "/tmp/podman-run-65534/containers", kId, kUser);
  Userdata(rootfs, "/run/containers/storage", std::string(64, 'f'), 0);  // rootful: cgroups
  const std::string fifo_dir =
      Userdata(rootfs, "/run/user/65534/containers", std::string(64, '1'), kUser);
  REQUIRE(::unlink((fifo_dir + "/pidfile").c_str()) == 0);
  REQUIRE(::mkfifo((fifo_dir + "/pidfile").c_str(), 0644) == 0);
  const std::string link_dir =
      Userdata(rootfs, "/run/user/65535/containers", std::string(64, '2'), kUser);
  REQUIRE(::unlink((link_dir + "/pidfile").c_str()) == 0);
  REQUIRE(::symlink("/etc/hostname", (link_dir + "/pidfile").c_str()) == 0);

  RuntimePidfiles pidfiles(rootfs.root(), DefaultStorageRoots());
  const auto started = std::chrono::steady_clock::now();
  for (int i = 0; i < 3; ++i) {  // the second and third read from the cache
    const std::vector<PidfileContainer>& found = pidfiles.Refresh();
    REQUIRE(found.size() == 1);
    CHECK(found[0].id == kId);
    CHECK(found[0].pid == 4242);
    CHECK(found[0].conmon_pid == 4241);
    CHECK(found[0].owner_uid == kUser);
  }
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(5));
}

TEST_CASE("runtime files: a FIFO where a runtime's list or config belongs does not stall a scan") {
  // A user can create anything under their own storage root, which the default roots include.
  FixtureProcfs fs;
  fs.Stat(1, "init", 'S', 0, 1);
  fs.Cgroup(1, "0::/\n");
  fs.Stat(300, "app", 'S', 1, 50);
  fs.Cgroup(300, "0::/libpod_parent/libpod-" + kId + "\n");
  FixtureProcfs rootfs;
  const std::string run_root = rootfs.root() + "/run/user/65534/containers/overlay-containers";
  std::filesystem::create_directories(run_root + "/" + kId + "/userdata");
  REQUIRE(::mkfifo((run_root + "/volatile-containers.json").c_str(), 0644) == 0);
  REQUIRE(::mkfifo((run_root + "/" + kId + "/userdata/config.json").c_str(), 0644) == 0);
  ScannerOptions options{.procfs = fs.root()};
  options.metadata.rootfs = rootfs.root();
  Scanner scanner(options);
  const auto started = std::chrono::steady_clock::now();
  auto scanned = scanner.Scan();
  REQUIRE(scanned.ok());
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(5));
  REQUIRE((*scanned)->containers.size() == 1);
  CHECK((*scanned)->containers[0].name == kId.substr(0, 12));  // named by nothing, counted
}
