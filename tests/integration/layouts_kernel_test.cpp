// Every runtime layout on the real kernel: a process placed in a cgroup the kernel created with
// exactly that runtime's path, in the v1 pids hierarchy and in the unified (v2) one, must
// resolve to the right runtime, id, layout and pod UID; look-alikes must not. The paths are the
// runtimes' own (no test prefix); random ids, UIDs and names keep them apart from anything real,
// a cgroup that already exists is never joined, and only directories made here are removed.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "collectors/cgroupfs/cgroup_namespace_root.h"
#include "collectors/scan/scanner.h"
#include "collectors/snapshot.h"
#include "tests/integration/kernel_fixture.h"
#include "tests/integration/scan_helpers.h"
#include "tests/integration/skip.h"
#include "tests/support/fixture_procfs.h"

using namespace cproc;
using cproc::testing::FixtureProcfs;
using cproc::testing::kernel::CgroupHierarchies;
using cproc::testing::kernel::Cgroups;
using cproc::testing::kernel::ContainerOf;
using cproc::testing::kernel::ErrnoText;
using cproc::testing::kernel::FakeContainer;
using cproc::testing::kernel::FakeContainerSpec;
using cproc::testing::kernel::FindProcess;
using cproc::testing::kernel::Hierarchies;
using cproc::testing::kernel::MakeCgroup;
using cproc::testing::kernel::RandomHex;
using cproc::testing::kernel::ScopedCgroup;

namespace {

struct Ids {
  std::string id = RandomHex(64);
  std::string pod = RandomHex(64);  // a Podman pod
  std::string uid = RandomHex(8) + "-" + RandomHex(4) + "-" + RandomHex(4) + "-" + RandomHex(4) +
                    "-" + RandomHex(12);
  std::string uid_;  // as systemd slices spell it
  std::string static_uid = RandomHex(32);
  // A user nobody is: user-<uid>.slice and user@<uid>.service are made here, not systemd's.
  std::string user = std::to_string(2000000000 + std::stoul(RandomHex(6), nullptr, 16));
  std::string name = "cproc-" + RandomHex(8);  // LXC and nspawn machines
  Ids() {
    uid_ = uid;
    for (char& c : uid_) c = c == '-' ? '_' : c;
  }
  std::string rootless() const {
    return "/user.slice/user-" + user + ".slice/user@" + user + ".service";
  }
};

struct LayoutCase {
  std::string layout;   // expected row
  std::string path;     // cgroup path to create, as /proc/PID/cgroup prints it
  std::string runtime;  // expected runtime
  std::string id;       // expected id
  std::string pod_uid;  // expected pod UID ("" for none)
  // A cgroup of someone else's that this path would go inside (e.g. containerd.service): the
  // case is skipped when it already exists, so a real service's cgroup is never touched.
  std::string must_be_absent = "";
};

// "{id}" in a path and its expected id is a fresh 64-hex id per case, "{name}" a fresh name:
// the cases are placed at once, so no two may be the same container.
std::vector<LayoutCase> Cases() {
  const Ids i;
  const std::string burstable =
      "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + i.uid_ + ".slice";
  const std::string besteffort =
      "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" + i.uid_ + ".slice";
  const std::string guaranteed = "/kubepods.slice/kubepods-pod" + i.uid_ + ".slice";
  const std::string static_pod =
      "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + i.static_uid + ".slice";
  const std::string podman_pod = "/machine.slice/machine-libpod_pod_" + i.pod + ".slice";
  const std::string id = "{id}";
  std::vector<LayoutCase> cases = {
      {"docker-cgroupfs", "/docker/" + id, "docker", id, ""},
      {"docker-systemd", "/system.slice/docker-" + id + ".scope", "docker", id, ""},
      {"docker-systemd", i.rootless() + "/user.slice/docker-" + id + ".scope", "docker", id, ""},
      {"docker-systemd", burstable + "/docker-" + id + ".scope", "docker", id,
       i.uid},  // cri-dockerd
      {"containerd-cri-systemd", guaranteed + "/cri-containerd-" + id + ".scope", "containerd", id,
       i.uid},
      {"containerd-cri-systemd", burstable + "/cri-containerd-" + id + ".scope", "containerd", id,
       i.uid},
      {"containerd-cri-systemd", besteffort + "/cri-containerd-" + id + ".scope", "containerd", id,
       i.uid},
      {"containerd-cri-systemd", static_pod + "/cri-containerd-" + id + ".scope", "containerd", id,
       i.static_uid},
      {"containerd-cri-misconfigured",
       "/kubepods-besteffort-pod" + i.uid_ + ".slice:cri-containerd:" + id, "containerd", id,
       i.uid},
      {"containerd-cri-misconfigured",
       "/system.slice/containerd.service/kubepods-burstable-pod" + i.uid_ +
           ".slice:cri-containerd:" + id,
       "containerd", id, i.uid, "/system.slice/containerd.service"},
      {"kubepods-cgroupfs", "/kubepods/pod" + i.uid + "/" + id, "containerd", id, i.uid},
      {"kubepods-cgroupfs", "/kubepods/burstable/pod" + i.uid + "/" + id, "containerd", id, i.uid},
      {"kubepods-cgroupfs", "/kubepods/besteffort/pod" + i.uid + "/" + id, "containerd", id, i.uid},
      {"crio-systemd", burstable + "/crio-" + id + ".scope", "cri-o", id, i.uid},
      {"crio-cgroupfs", "/kubepods/burstable/pod" + i.uid + "/crio-" + id, "cri-o", id, i.uid},
      {"podman-systemd", "/machine.slice/libpod-" + id + ".scope/container", "podman", id, ""},
      {"podman-systemd", podman_pod + "/libpod-" + id + ".scope/container", "podman", id, i.pod},
      {"podman-systemd", i.rootless() + "/user.slice/libpod-" + id + ".scope", "podman", id, ""},
      {"podman-systemd",
       i.rootless() + "/user.slice/user-libpod_pod_" + i.pod + ".slice/libpod-" + id + ".scope",
       "podman", id, i.pod},
      {"podman-split", "/system.slice/" + i.name + ".service/libpod-payload-" + id, "podman", id,
       ""},
      {"podman-split-systemd",
       "/system.slice/" + i.name + ".service/libpod-payload-" + id + ".scope", "podman", id, ""},
      {"podman-cgroupfs", "/libpod_parent/libpod-" + id, "podman", id, ""},
      {"podman-cgroupfs", "/libpod_parent/" + i.pod + "/libpod-" + id, "podman", id, i.pod},
      {"nerdctl-systemd", "/system.slice/nerdctl-" + id + ".scope", "containerd", id, ""},
      {"nerdctl-systemd", i.rootless() + "/user.slice/nerdctl-" + id + ".scope", "containerd", id,
       ""},
      {"lxc-legacy", "/lxc/cproc-{name}", "lxc", "cproc-{name}", ""},
      {"lxc-payload", "/lxc.payload.cproc-{name}", "lxc", "cproc-{name}", ""},
      {"systemd-nspawn", "/machine.slice/systemd-nspawn@cproc\\x2d{name}.service/payload",
       "systemd-nspawn", "cproc-{name}", ""},
  };
  const auto fill = [](std::string& text, const std::string& key, const std::string& value) {
    for (std::size_t at = text.find(key); at != std::string::npos; at = text.find(key)) {
      text.replace(at, key.size(), value);
    }
  };
  for (LayoutCase& c : cases) {
    const std::string fresh_id = RandomHex(64), fresh_name = RandomHex(8);
    for (std::string* text : {&c.path, &c.id}) {
      fill(*text, "{id}", fresh_id);
      fill(*text, "{name}", fresh_name);
    }
  }
  return cases;
}

struct NegativeCase {
  NegativeCase(std::string p, bool unknown = false) : path(std::move(p)), unknown_layout(unknown) {}
  NegativeCase(const char* p) : NegativeCase(std::string(p)) {}
  std::string path;
  bool unknown_layout;  // counted by the unknown-layout self-metric
};

// Not containers, whatever their shape suggests. Exact names such as /init.scope exist on a
// systemd host: then the case is skipped (never joined).
std::vector<NegativeCase> NegativeCases() {
  const Ids i;
  const std::string burstable =
      "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + i.uid_ + ".slice";
  return {
      "/system.slice/var-lib-docker-overlay2-" + i.id + "-merged.mount",
      "/system.slice/run-docker-netns-" + RandomHex(12) + ".mount",
      "/system.slice/docker.service",
      "/system.slice/containerd.service",
      "/init.scope",
      i.rootless() + "/init.scope",
      burstable + "/crio-conmon-" + i.id + ".scope",
      "/kubepods/burstable/pod" + i.uid + "/crio-conmon-" + i.id,
      "/machine.slice/libpod-conmon-" + i.id + ".scope",
      i.rootless() + "/user.slice/libpod-conmon-" + i.id + ".scope",
      "/libpod_parent/" + i.pod + "/conmon",
      "/lxc.monitor." + i.name,
      "/machine.slice/systemd-nspawn@" + i.name + ".service/supervisor",
      "/docker/" + i.id.substr(0, 63),
      // A bare id no runtime's files know: an unknown runtime's, counted as such.
      {"/" + i.name + "/" + i.id, true},
  };
}

bool Exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

// An init in its own PID, UTS, IPC and mount namespaces (net left out: it is the slowest to
// tear down, and attribution does not look at it) in `cgroup`; null (and a failed CHECK) if
// the kernel refused.
std::unique_ptr<FakeContainer> StartIn(const ScopedCgroup& cgroup) {
  FakeContainerSpec spec;
  spec.namespaces = CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNS;
  spec.zombie = false;
  spec.sleeper = false;
  spec.cgroups = {&cgroup};
  auto started = FakeContainer::Start(spec);
  CHECK_MESSAGE(started.ok(), (started.ok() ? "" : started.error()));
  return started.ok() ? std::move(started).value() : nullptr;
}

std::shared_ptr<const Snapshot> ScanWith(ScannerOptions options) {
  Scanner scanner(std::move(options));
  auto scanned = scanner.Scan();
  CHECK_MESSAGE(scanned.ok(), (scanned.ok() ? "" : scanned.error()));
  return scanned.ok() ? *scanned : nullptr;
}

// One case's cgroup and process; the process goes first.
struct Placed {
  std::unique_ptr<ScopedCgroup> cgroup;
  std::unique_ptr<FakeContainer> fake;
};

// Removes in the reverse order of creation: a cgroup made inside another case's goes first.
struct Placements {
  std::vector<Placed> items;
  Placements() = default;
  Placements(const Placements&) = delete;
  Placements& operator=(const Placements&) = delete;
  ~Placements() {
    while (!items.empty()) items.pop_back();
  }
  // Null (and a failed CHECK) if the kernel refused.
  const FakeContainer* Place(const std::string& root, const std::string& path) {
    auto cgroup = ScopedCgroup::Create(root, path);
    CHECK_MESSAGE(cgroup.ok(), (cgroup.ok() ? "" : cgroup.error()));
    if (!cgroup.ok()) return nullptr;
    Placed placed{std::move(cgroup).value(), nullptr};
    placed.fake = StartIn(*placed.cgroup);
    const FakeContainer* fake = placed.fake.get();
    items.push_back(std::move(placed));
    return fake;
  }
};

// Every case at once and one scan (a host may run 10,000 processes: a scan is not free), then
// each case checked on its own, so one that fails does not hide the others.
void CheckHierarchy(const std::string& root, const std::string& hierarchy) {
  CAPTURE(hierarchy);
  const std::vector<LayoutCase> cases = Cases();
  const std::vector<NegativeCase> negatives = NegativeCases();
  // What exists before anything is made here: those are someone else's and never joined.
  std::vector<bool> skip_case, skip_negative;
  for (const LayoutCase& c : cases) {
    skip_case.push_back(!c.must_be_absent.empty() && Exists(root + c.must_be_absent));
  }
  for (const NegativeCase& n : negatives) skip_negative.push_back(Exists(root + n.path));

  Placements placements;
  std::vector<const FakeContainer*> negative_fakes(negatives.size(), nullptr);
  for (std::size_t k = 0; k < negatives.size(); ++k) {
    CAPTURE(negatives[k].path);
    if (skip_negative[k]) {
      SKIP_PART(root << negatives[k].path << " exists on this host");
      continue;
    }
    negative_fakes[k] = placements.Place(root, negatives[k].path);
  }
  std::vector<const FakeContainer*> fakes(cases.size(), nullptr);
  for (std::size_t k = 0; k < cases.size(); ++k) {
    CAPTURE(cases[k].path);
    if (skip_case[k]) {
      SKIP_PART(root << cases[k].must_be_absent << " is a real service's cgroup");
      continue;
    }
    fakes[k] = placements.Place(root, cases[k].path);
  }

  auto snap = ScanWith(ScannerOptions{});
  REQUIRE(snap != nullptr);
  std::size_t checked = 0;
  for (std::size_t k = 0; k < cases.size(); ++k) {
    const LayoutCase& c = cases[k];
    CAPTURE(c.path);
    if (fakes[k] == nullptr) {
      CHECK(skip_case[k]);  // not skipped: placing it failed (reported above)
      continue;
    }
    const Container* container = ContainerOf(*snap, fakes[k]->init());
    CHECK_MESSAGE(container != nullptr, "not attributed to a container");
    if (container == nullptr) continue;
    CHECK(container->layout == c.layout);
    CHECK(container->runtime == c.runtime);
    CHECK(container->id == c.id);
    CHECK(container->pod_uid == c.pod_uid);
    CHECK(container->init.pid == fakes[k]->init());
    CHECK(container->init.is_namespace_init);
    ++checked;
  }
  CHECK(checked + 1 >= cases.size());  // at most the one inside containerd.service is skipped
  for (std::size_t k = 0; k < negatives.size(); ++k) {
    CAPTURE(negatives[k].path);
    if (negative_fakes[k] == nullptr) continue;
    const Process* p = FindProcess(*snap, negative_fakes[k]->init());
    CHECK(p != nullptr);
    if (p == nullptr) continue;
    CHECK(p->container == kNoContainer);
    if (negatives[k].unknown_layout) CHECK(snap->stats.unknown_layout_processes >= 1);
  }
}

}  // namespace

TEST_CASE("kernel: every runtime layout resolves in the v1 pids hierarchy") {
  const CgroupHierarchies& h = Hierarchies();
  if (h.v1_pids.empty()) {
    SKIP_CASE("no cgroup v1 pids hierarchy on this host (pure cgroup v2)");
  }
  CheckHierarchy(h.v1_pids, "v1 pids");
}

TEST_CASE("kernel: every runtime layout resolves in the unified (v2) hierarchy") {
  const CgroupHierarchies& h = Hierarchies();
  if (h.v2.empty()) {
    SKIP_CASE("no cgroup v2 hierarchy mounted on this host");
  }
  CheckHierarchy(h.v2, "v2");
}

TEST_CASE("kernel: containerd's /<namespace>/<id> is a container only with its bundle") {
  const CgroupHierarchies& h = Hierarchies();
  const std::string root = h.v1_pids.empty() ? h.v2 : h.v1_pids;
  if (root.empty()) {
    SKIP_CASE("neither a v1 pids nor a v2 hierarchy (only v1 name=systemd?)");
  }
  const std::string ns = "cproc-it-" + RandomHex(6);
  const std::string id = "svc_" + RandomHex(5);
  const auto cgroup = MakeCgroup(root, "/" + ns + "/" + id);
  auto fake = StartIn(*cgroup);
  REQUIRE(fake != nullptr);

  FixtureProcfs bundles;  // stands in for /run/containerd/io.containerd.runtime.v2.task
  ScannerOptions options;
  options.metadata.bundle_roots = {bundles.root()};
  {
    auto snap = ScanWith(options);
    REQUIRE(snap != nullptr);
    const Process* p = FindProcess(*snap, fake->init());
    REQUIRE(p != nullptr);
    CHECK(p->container == kNoContainer);
  }
  bundles.Write(ns + "/" + id + "/config.json", R"({"annotations":{"nerdctl/name":"api"}})");
  auto snap = ScanWith(options);
  REQUIRE(snap != nullptr);
  const Container* c = ContainerOf(*snap, fake->init());
  REQUIRE_MESSAGE(c != nullptr, "not attributed once the bundle exists");
  CHECK(c->runtime == "containerd");
  CHECK(c->layout == "containerd-namespaced");
  CHECK(c->id == id);
  CHECK(c->name == "api");
}

// Needs the scanner's LayoutConfirmer to ask MetadataStore::Confirms (not only containerd).
TEST_CASE("kernel: a bare id under any --cgroup-parent is Docker's only when Docker knows it") {
  const CgroupHierarchies& h = Hierarchies();
  const std::string root = h.v2.empty() ? h.v1_pids : h.v2;
  if (root.empty()) {
    SKIP_CASE("neither a v1 pids nor a v2 hierarchy");
  }
  const std::string id = RandomHex(64);
  const auto cgroup = MakeCgroup(root, "/cproc-parent-" + RandomHex(6) + "/" + id);
  auto fake = StartIn(*cgroup);
  REQUIRE(fake != nullptr);

  FixtureProcfs host_root;  // --path.rootfs, with Docker's files for this one container
  ScannerOptions options;
  options.metadata.rootfs = host_root.root();
  {
    auto snap = ScanWith(options);
    REQUIRE(snap != nullptr);
    const Process* p = FindProcess(*snap, fake->init());
    REQUIRE(p != nullptr);
    CHECK(p->container == kNoContainer);
    CHECK(snap->stats.unknown_layout_processes >= 1);
  }
  host_root.Write("var/lib/docker/containers/" + id + "/config.v2.json",
                  R"({"Name":"/custom-parent","Config":{"Image":"busybox"}})");
  auto snap = ScanWith(options);
  REQUIRE(snap != nullptr);
  const Container* c = ContainerOf(*snap, fake->init());
  REQUIRE_MESSAGE(c != nullptr, "not attributed although Docker's files know it");
  CHECK(c->runtime == "docker");
  CHECK(c->layout == "docker-cgroup-parent");
  CHECK(c->name == "custom-parent");
}

namespace {

// A forked child that is moved into `cgroup`, then runs `setup` there (async-signal-safe calls
// only: this process has threads) and waits to be killed; killed and reaped by pid when
// destroyed. error() says why not when `setup` failed or the child never got that far.
class CgroupChild {
 public:
  CgroupChild(const ScopedCgroup& cgroup, const std::function<bool()>& setup,
              const std::string& what) {
    int go[2], ready[2];
    if (::pipe2(go, O_CLOEXEC) != 0 || ::pipe2(ready, O_CLOEXEC) != 0) {
      error_ = ErrnoText("pipe2");
      return;
    }
    pid_ = ::fork();
    if (pid_ == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      char byte = 0;
      if (::read(go[0], &byte, 1) != 1) ::_exit(1);
      if (!setup()) ::_exit(2);
      if (::write(ready[1], "r", 1) != 1) ::_exit(3);
      for (int i = 0; i < 1000000; ++i) ::pause();
      ::_exit(0);
    }
    ::close(go[0]);
    ::close(ready[1]);
    if (pid_ < 0) {
      error_ = ErrnoText("fork");
    } else if (auto moved = cgroup.AddProcess(pid_); !moved.empty()) {
      error_ = moved;
    } else if (::write(go[1], "g", 1) != 1) {
      error_ = ErrnoText("write");
    } else {
      struct pollfd wait_ready {
        ready[0], POLLIN, 0
      };
      char byte = 0;
      if (::poll(&wait_ready, 1, 5000) != 1 || ::read(ready[0], &byte, 1) != 1) {
        error_ = "the child could not " + what;
      }
    }
    ::close(go[1]);
    ::close(ready[0]);
  }
  ~CgroupChild() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  CgroupChild(const CgroupChild&) = delete;
  CgroupChild& operator=(const CgroupChild&) = delete;

  pid_t pid() const { return pid_; }
  const std::string& error() const { return error_; }

 private:
  pid_t pid_ = -1;
  std::string error_;
};

// A process that moves into `cgroup` and then unshares its cgroup namespace, which is then
// rooted there, as a container's private cgroup namespace is (Docker's default on v2).
std::unique_ptr<CgroupChild> HoldCgroupNamespace(const ScopedCgroup& cgroup) {
  return std::make_unique<CgroupChild>(
      cgroup, [] { return ::unshare(CLONE_NEWCGROUP) == 0; }, "unshare its cgroup namespace");
}

// One scan made on a thread that joined `holder`'s cgroup namespace: /proc/PID/cgroup is shown
// relative to the reading thread's namespace, so this is what an exporter in that container
// reads. (Namespaces are per thread: the test's other threads keep the host's.)
std::shared_ptr<const Snapshot> ScanFromCgroupNamespaceOf(pid_t holder, std::string& error,
                                                          ScannerOptions options = {}) {
  std::shared_ptr<const Snapshot> result;
  std::thread scanner_thread([&] {
    const std::string path = "/proc/" + std::to_string(holder) + "/ns/cgroup";
    Fd ns(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!ns.valid() || ::setns(ns.get(), CLONE_NEWCGROUP) != 0) {
      error = ErrnoText("setns " + path);
      return;
    }
    Scanner scanner(std::move(options));
    auto scanned = scanner.Scan();
    if (scanned.ok()) {
      result = *scanned;
    } else {
      error = scanned.error();
    }
  });
  scanner_thread.join();
  return result;
}

}  // namespace

TEST_CASE("kernel: seen from another container's cgroup namespace, paths are ../-relative") {
  const CgroupHierarchies& h = Hierarchies();
  if (h.v2.empty()) {
    SKIP_CASE("no cgroup v2 hierarchy (private cgroup namespaces are a v2 default)");
  }
  const Ids i;
  const std::string observer_path = "/system.slice/docker-" + RandomHex(64) + ".scope";
  const std::string systemd_id = RandomHex(64), cri_id = RandomHex(64), cgroupfs_id = RandomHex(64);
  const std::string pod_slice =
      "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" + i.uid_ + ".slice";
  struct Target {
    std::string path;      // on the host
    std::string relative;  // as the observer reads it
    std::string layout;
    std::string id;
    std::string pod_uid;
  };
  const Target targets[] = {
      {"/system.slice/docker-" + systemd_id + ".scope", "/../docker-" + systemd_id + ".scope",
       "docker-systemd", systemd_id, ""},
      {pod_slice + "/cri-containerd-" + cri_id + ".scope",
       "/../.." + pod_slice + "/cri-containerd-" + cri_id + ".scope", "containerd-cri-systemd",
       cri_id, i.uid},
      {"/docker/" + cgroupfs_id, "/../../docker/" + cgroupfs_id, "docker-cgroupfs", cgroupfs_id,
       ""},
  };

  const auto observer_cgroup = MakeCgroup(h.v2, observer_path);
  Cgroups cgroups;
  std::vector<std::unique_ptr<FakeContainer>> containers;  // after their cgroups: gone first
  for (const Target& t : targets) {
    cgroups.push_back(MakeCgroup(h.v2, t.path));
    containers.push_back(StartIn(*cgroups.back()));
    REQUIRE(containers.back() != nullptr);
  }
  const auto holder = HoldCgroupNamespace(*observer_cgroup);
  REQUIRE_MESSAGE(holder->error().empty(), holder->error());

  std::string error;
  auto inside = ScanFromCgroupNamespaceOf(holder->pid(), error);
  REQUIRE_MESSAGE(inside != nullptr, error);
  auto outside = ScanWith(ScannerOptions{});
  REQUIRE(outside != nullptr);
  for (std::size_t k = 0; k < std::size(targets); ++k) {
    const Target& t = targets[k];
    CAPTURE(t.relative);
    const Container* seen = ContainerOf(*inside, containers[k]->init());
    const Container* host_view = ContainerOf(*outside, containers[k]->init());
    CHECK(seen != nullptr);
    CHECK(host_view != nullptr);
    if (seen == nullptr || host_view == nullptr) continue;
    CHECK(seen->cgroup == t.relative);  // the namespace took effect: the kernel wrote "/.."
    CHECK(host_view->cgroup == t.path);
    CHECK(seen->layout == t.layout);
    CHECK(seen->id == t.id);
    CHECK(seen->pod_uid == t.pod_uid);
  }
  // The observer's own cgroup is the root of its namespace, "/": without knowing where that is
  // rooted, the exporter's own container cannot be told from the host...
  const Process* self = FindProcess(*inside, holder->pid());
  REQUIRE(self != nullptr);
  CHECK(self->container == kNoContainer);
  const Container* self_outside = ContainerOf(*outside, holder->pid());
  REQUIRE(self_outside != nullptr);
  // ... and with the root (what FindOwnCgroupNamespaceRoot finds at start, checked against the
  // real binary by e2e_own_cgroup_namespace) it is recognised as from the host, while the other
  // containers' paths stay what the kernel wrote.
  ScannerOptions rooted;
  rooted.own_cgroup_root = observer_path;
  auto inside_rooted = ScanFromCgroupNamespaceOf(holder->pid(), error, rooted);
  REQUIRE_MESSAGE(inside_rooted != nullptr, error);
  const Container* self_inside = ContainerOf(*inside_rooted, holder->pid());
  REQUIRE(self_inside != nullptr);
  CHECK(self_inside->id == self_outside->id);
  CHECK(self_inside->cgroup == observer_path);
  CHECK(self_inside->layout == "docker-systemd");
  for (std::size_t k = 0; k < std::size(targets); ++k) {
    const Container* seen = ContainerOf(*inside_rooted, containers[k]->init());
    REQUIRE(seen != nullptr);
    CHECK(seen->cgroup == targets[k].relative);
    CHECK(seen->id == targets[k].id);
  }
}

namespace {

// A process in `cgroup` that joins the network, IPC and UTS namespaces of `target`, as the
// members of a Podman pod join its infra container's (and --net=container:X does for net).
std::unique_ptr<CgroupChild> JoinNamespaces(const ScopedCgroup& cgroup, pid_t target,
                                            bool ipc_and_uts) {
  const auto paths = cproc::testing::kernel::internal::NsPathsToJoin(
      target, CLONE_NEWNET | (ipc_and_uts ? CLONE_NEWIPC | CLONE_NEWUTS : 0));
  return std::make_unique<CgroupChild>(
      cgroup, [&] { return cproc::testing::kernel::internal::JoinNamespaces(paths) == nullptr; },
      "join the namespaces of " + std::to_string(target));
}

}  // namespace

TEST_CASE("kernel: the containers of one Podman pod are peers, not foreign; outsiders are") {
  const CgroupHierarchies& h = Hierarchies();
  const std::string root = h.v2.empty() ? h.v1_pids : h.v2;
  if (root.empty()) {
    SKIP_CASE("neither a v1 pids nor a v2 hierarchy");
  }
  const std::string pod = RandomHex(64);
  const std::string infra_id = RandomHex(64), member_id = RandomHex(64),
                    outsider_id = RandomHex(64);
  const std::string slice = "/machine.slice/machine-libpod_pod_" + pod + ".slice";
  const auto infra_cgroup = MakeCgroup(root, slice + "/libpod-" + infra_id + ".scope");
  const auto member_cgroup = MakeCgroup(root, slice + "/libpod-" + member_id + ".scope");
  const auto outsider_cgroup = MakeCgroup(root, "/machine.slice/libpod-" + outsider_id + ".scope");

  FakeContainerSpec spec;  // the infra container: its own net, IPC, UTS (and PID, mount)
  spec.zombie = false;
  spec.sleeper = false;
  spec.cgroups = {infra_cgroup.get()};
  auto infra = FakeContainer::Start(spec);
  REQUIRE_MESSAGE(infra.ok(), (infra.ok() ? "" : infra.error()));
  const auto member = JoinNamespaces(*member_cgroup, (*infra)->init(), /*ipc_and_uts=*/true);
  REQUIRE_MESSAGE(member->error().empty(), member->error());
  const auto outsider = JoinNamespaces(*outsider_cgroup, (*infra)->init(), /*ipc_and_uts=*/false);
  REQUIRE_MESSAGE(outsider->error().empty(), outsider->error());

  auto snap = ScanWith(ScannerOptions{});
  REQUIRE(snap != nullptr);
  const Container* infra_c = ContainerOf(*snap, (*infra)->init());
  const Container* member_c = ContainerOf(*snap, member->pid());
  const Container* outsider_c = ContainerOf(*snap, outsider->pid());
  REQUIRE((infra_c != nullptr && member_c != nullptr && outsider_c != nullptr));
  CHECK(infra_c->id == infra_id);
  CHECK(member_c->id == member_id);
  CHECK(infra_c->pod_uid == pod);
  CHECK(member_c->pod_uid == pod);
  CHECK(outsider_c->pod_uid.empty());
  const auto k = [](NsKind kind) { return static_cast<std::size_t>(kind); };
  // net: all three share it; only the outsider is foreign to the pod's members.
  CHECK(member_c->sharing.peers[k(NsKind::kNet)] == 2);
  CHECK(member_c->sharing.foreign_peers[k(NsKind::kNet)] == 1);
  CHECK(infra_c->sharing.foreign_peers[k(NsKind::kNet)] == 1);
  CHECK(outsider_c->sharing.foreign_peers[k(NsKind::kNet)] == 2);
  // ipc and uts: the pod's own.
  for (NsKind kind : {NsKind::kIpc, NsKind::kUts}) {
    CHECK(member_c->sharing.peers[k(kind)] == 1);
    CHECK(member_c->sharing.foreign_peers[k(kind)] == 0);
    CHECK(infra_c->sharing.foreign_peers[k(kind)] == 0);
  }
}

TEST_CASE("kernel: in the host's cgroup namespace no root is added to the paths read") {
  if (Hierarchies().v2.empty()) {
    SKIP_CASE("no cgroup v2 hierarchy");
  }
  // This test runs in the host's cgroup namespace: what it reads for itself is its host path,
  // found at once (no walk). A private namespace is e2e_own_cgroup_namespace's case.
  CHECK(FindOwnCgroupNamespaceRoot("/sys") == "");
  // A sysfs without a cgroup2 mount: nothing can be told, so nothing is added.
  CHECK(FindOwnCgroupNamespaceRoot("/nonexistent") == "");
}
