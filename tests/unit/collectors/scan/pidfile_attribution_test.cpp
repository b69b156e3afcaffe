// Rootless Podman containers no cgroup names, attributed through the pidfile conmon wrote, and
// only when its process checks out (collectors/runtimes/runtime_pidfiles.h). The process's user
// namespace owner is read with an ioctl on its ns/user: the fixture points that link at this
// test's own namespace, whose owner the test reads the same way.
#include "collectors/scan/pidfile_attribution.h"

#include <doctest/doctest.h>

#include <fcntl.h>
#include <unistd.h>
#include <cstdio>

#include <filesystem>

#include "collectors/base/proc_files.h"
#include "tests/support/fixture_procfs.h"
#include "tests/support/make_process.h"

using namespace cproc;
using cproc::testing::FixtureProcfs;
using cproc::testing::HostNs;

namespace {

const std::string kId(64, 'a');
const std::string kRunRoot = "/run/user/1000/containers";
constexpr int32_t kPid = 4242;
constexpr int32_t kConmon = 4240;
constexpr uint32_t kOwnNs = 4026532500;  // a user namespace that is not the host's

// The owner of this process's user namespace, as the exporter would read it of a container's.
std::optional<uint32_t> OwnUserNamespaceOwner() {
  Fd proc(::open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  uint32_t owner = 0;
  if (!proc.valid() || ReadUserNamespaceOwner(proc.get(), ::getpid(), owner) != ReadResult::kOk) {
    return std::nullopt;
  }
  return owner;
}

// A host where conmon (kConmon) started the container's first process (kPid), as user `owner`.
struct Host {
  explicit Host(uint32_t owner) {
    const std::string userdata = kRunRoot.substr(1) + "/overlay-containers/" + kId + "/userdata/";
    root.Write(userdata + "pidfile", std::to_string(kPid) + "\n");
    root.Write(userdata + "conmon.pid", std::to_string(kConmon) + "\n");
    // root's storage is rootful Podman's and is not looked at: the directory is a user's, the
    // files are `owner`'s (the verdict compares the pidfile's owner with the namespace's).
    if (::geteuid() == 0) {
      REQUIRE(::chown((root.root() + kRunRoot + "/overlay-containers").c_str(), 1000, 1000) == 0);
      for (const char* file : {"pidfile", "conmon.pid"}) {
        const std::string path =
            root.root() + kRunRoot + "/overlay-containers/" + kId + "/userdata/" + file;
        REQUIRE(::chown(path.c_str(), owner, owner) == 0);
      }
    }
    // The process's ns/user: this test's own namespace, so that its owner can be read.
    const std::string ns_dir = proc.root() + "/" + std::to_string(kPid) + "/ns";
    std::filesystem::create_directories(ns_dir);
    REQUIRE(::symlink("/proc/self/ns/user", (ns_dir + "/user").c_str()) == 0);
    host_ns[static_cast<std::size_t>(NsKind::kUser)] =
        NsId{0, static_cast<uint32_t>(HostNs().at("user"))};
  }

  // The one listed process, conmon's child in its own user namespace, unless changed.
  Process Listed() {
    Process p;
    p.pid = kPid;
    p.ppid = kConmon;
    p.start_ticks = 0;  // started at boot_time 0: before the pidfile was written
    NsSet ns{};
    NsOf(ns, NsKind::kUser) = NsId{0, kOwnNs};
    testing::SetNs(ns_sets, p, ns);
    return p;
  }

  uint64_t Attribute(PidfileAttribution& pidfiles, std::vector<Process>& processes,
                     std::vector<const ContainerMatch*>& matches) const {
    Fd proc_fd(::open(proc.root().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    REQUIRE(proc_fd.valid());
    return pidfiles.Attribute(proc_fd.get(), 0, host_ns, processes, ns_sets, matches);
  }

  FixtureProcfs root;
  FixtureProcfs proc;
  NsSet host_ns{};
  std::vector<NsSet> ns_sets;  // the listed processes' namespaces
};

}  // namespace

TEST_CASE("pidfile attribution: conmon's child in its owner's user namespace is the container's") {
  const std::optional<uint32_t> owner = OwnUserNamespaceOwner();
  REQUIRE(owner.has_value());
  if (::geteuid() != 0 && *owner != ::getuid()) {
    // Listed by scripts/test with the run's skips (the unit binary is one ctest test).
    std::printf(
        "SKIPPED PART: pidfile attribution: the files cannot be given to the namespace's owner "
        "without root\n");
    return;
  }
  Host host(*owner);
  PidfileAttribution pidfiles(host.root.root(), {kRunRoot});
  std::vector<Process> processes = {host.Listed()};
  std::vector<const ContainerMatch*> matches = {nullptr};
  CHECK(host.Attribute(pidfiles, processes, matches) == 0);
  REQUIRE(matches[0] != nullptr);
  CHECK(matches[0]->runtime == "podman");
  CHECK(matches[0]->layout == "podman-pidfile");
  CHECK(matches[0]->id == kId);
  CHECK(matches[0]->cgroup.empty());
  CHECK(processes[0].attribution == Attribution::kRuntimeFiles);

  // The next scan: the same match object (it is owned across scans).
  const ContainerMatch* first = matches[0];
  std::vector<const ContainerMatch*> again = {nullptr};
  CHECK(host.Attribute(pidfiles, processes, again) == 0);
  CHECK(again[0] == first);

  SUBCASE("a stopped container's file: its PID is not conmon's child") {
    processes = {host.Listed()};
    processes[0].ppid = 1;
    matches = {nullptr};
    CHECK(host.Attribute(pidfiles, processes, matches) == 0);  // not counted: not running
    CHECK(matches[0] == nullptr);
  }
  SUBCASE("a cgroup that names the container already wins") {
    const ContainerMatch by_cgroup{
        .runtime = "podman", .layout = "podman-systemd", .id = kId, .cgroup = "/x", .pod_uid = {}};
    processes = {host.Listed()};
    matches = {&by_cgroup};
    CHECK(host.Attribute(pidfiles, processes, matches) == 0);
    CHECK(matches[0] == &by_cgroup);
  }
  SUBCASE("a process of the host's user namespace is somebody else's: counted, not attributed") {
    processes = {host.Listed()};
    NsSet ns = NsSetOf(host.ns_sets, processes[0]);
    NsOf(ns, NsKind::kUser) = NsOf(host.host_ns, NsKind::kUser);
    testing::SetNs(host.ns_sets, processes[0], ns);
    matches = {nullptr};
    CHECK(host.Attribute(pidfiles, processes, matches) == 1);
    CHECK(matches[0] == nullptr);
  }
  SUBCASE("a process started after the file was written: its PID was reused") {
    processes = {host.Listed()};
    processes[0].start_ticks = 1ull << 50;
    matches = {nullptr};
    CHECK(host.Attribute(pidfiles, processes, matches) == 1);
    CHECK(matches[0] == nullptr);
  }
  SUBCASE("the pidfile is gone: nothing attributed from it any more") {
    std::filesystem::remove(host.root.root() + kRunRoot + "/overlay-containers/" + kId +
                            "/userdata/pidfile");
    processes = {host.Listed()};
    matches = {nullptr};
    CHECK(host.Attribute(pidfiles, processes, matches) == 0);
    CHECK(matches[0] == nullptr);
  }
}

TEST_CASE("pidfile attribution: an unreadable user namespace is counted, not attributed") {
  Host host(::getuid() == 0 ? 1000 : ::getuid());
  // Link text only (as without CAP_SYS_PTRACE: the owner cannot be asked).
  const std::string link = host.proc.root() + "/" + std::to_string(kPid) + "/ns/user";
  std::filesystem::remove(link);
  REQUIRE(::symlink("user:[4026532500]", link.c_str()) == 0);
  PidfileAttribution pidfiles(host.root.root(), {kRunRoot});
  std::vector<Process> processes = {host.Listed()};
  std::vector<const ContainerMatch*> matches = {nullptr};
  CHECK(host.Attribute(pidfiles, processes, matches) == 1);
  CHECK(matches[0] == nullptr);
  CHECK(processes[0].attribution == Attribution::kNone);

  // No pidfiles at all (no rootless Podman on the host): nothing to count.
  PidfileAttribution none(host.root.root(), {"/run/user/2000/containers"});
  CHECK(host.Attribute(none, processes, matches) == 0);
}
