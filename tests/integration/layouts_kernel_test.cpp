// Every runtime layout on the real kernel: a process placed in a cgroup the kernel created with
// exactly that runtime's path, in the v1 pids hierarchy and in the unified (v2) one, must
// resolve to the right runtime, id, layout and pod UID.
#include <doctest/doctest.h>

#include <random>

#include "collectors/scanner.h"
#include "tests/integration/cgroup_sandbox.h"
#include "tests/support/fixture_procfs.h"

using namespace cproc;
using namespace cproc::testing;

namespace {

std::string RandomHex(std::size_t n) {
  static std::mt19937_64 rng{std::random_device{}()};
  const char* digits = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out.push_back(digits[rng() % 16]);
  return out;
}

struct LayoutCase {
  std::string layout;   // expected row
  std::string path;     // cgroup path to create
  std::string runtime;  // expected runtime
  std::string id;       // expected id
  std::string pod_uid;  // expected pod UID ("" for none)
};

std::vector<LayoutCase> Cases() {
  const std::string id = RandomHex(64);
  const std::string uid = RandomHex(8) + "-" + RandomHex(4) + "-" + RandomHex(4) + "-" +
                          RandomHex(4) + "-" + RandomHex(12);
  std::string uid_ = uid;
  for (char& c : uid_) c = c == '-' ? '_' : c;
  const std::string tag = "cproc-it-" + RandomHex(6);  // keeps our cgroups apart from real ones
  const std::string qos_slice =
      "/" + tag + ".slice/kubepods-burstable.slice/kubepods-burstable-pod" + uid_ + ".slice";
  return {
      {"docker-cgroupfs", "/" + tag + "/docker/" + id, "docker", id, ""},
      {"docker-systemd", "/" + tag + ".slice/docker-" + id + ".scope", "docker", id, ""},
      {"containerd-cri-systemd", qos_slice + "/cri-containerd-" + id + ".scope", "containerd", id,
       uid},
      {"containerd-cri-misconfigured",
       "/" + tag + "/kubepods-besteffort-pod" + uid_ + ".slice:cri-containerd:" + id, "containerd",
       id, uid},
      {"kubepods-cgroupfs", "/" + tag + "/kubepods/besteffort/pod" + uid + "/" + id, "containerd",
       id, uid},
      {"crio-systemd", qos_slice + "/crio-" + id + ".scope", "cri-o", id, uid},
      {"crio-cgroupfs", "/" + tag + "/kubepods/pod" + uid + "/crio-" + id, "cri-o", id, uid},
      {"podman-systemd", "/" + tag + ".slice/libpod-" + id + ".scope/container", "podman", id, ""},
      {"podman-split", "/" + tag + ".slice/app.service/libpod-payload-" + id, "podman", id, ""},
      {"podman-cgroupfs", "/" + tag + "/libpod_parent/libpod-" + id, "podman", id, ""},
      {"nerdctl-systemd", "/" + tag + ".slice/nerdctl-" + id + ".scope", "containerd", id, ""},
      {"lxc-legacy", "/" + tag + "/lxc/web01", "lxc", "web01", ""},
      {"lxc-payload", "/" + tag + "/lxc.payload.web02", "lxc", "web02", ""},
      {"systemd-nspawn", "/" + tag + "/machine.slice/systemd-nspawn@box\\x2d1.service/payload",
       "systemd-nspawn", "box-1", ""},
      {"docker-cgroup-parent", "/" + tag + "/custom-parent/" + id, "docker", id, ""},
  };
}

// Not containers, whatever their shape suggests.
std::vector<std::string> NegativeCases() {
  const std::string id = RandomHex(64);
  const std::string tag = "/cproc-it-" + RandomHex(6);
  return {tag + ".slice/crio-conmon-" + id + ".scope",
          tag + ".slice/libpod-conmon-" + id + ".scope",
          tag + ".slice/docker.service",
          tag + "/lxc.monitor.web01",
          tag + "/machine.slice/systemd-nspawn@box.service/supervisor",
          tag + "/docker/" + id.substr(0, 63)};
}

const Process* Find(const Snapshot& s, int32_t pid) {
  for (const Process& p : s.processes) {
    if (p.pid == pid) return &p;
  }
  return nullptr;
}

void CheckLayoutsIn(const std::string& hierarchy_root, const char* hierarchy_name) {
  for (const LayoutCase& c : Cases()) {
    CAPTURE(hierarchy_name);
    CAPTURE(c.path);
    CgroupDir dir(hierarchy_root, c.path);
    REQUIRE_MESSAGE(dir.ok(), "could not create " << hierarchy_root << c.path);
    IdleChild child;
    REQUIRE(child.pid() > 0);
    REQUIRE(dir.Add(child.pid()));
    Scanner scanner(ScannerOptions{});
    auto scanned = scanner.Scan();
    REQUIRE(scanned.ok());
    const Snapshot& snap = **scanned;
    const Process* p = Find(snap, child.pid());
    REQUIRE(p != nullptr);
    REQUIRE_MESSAGE(p->container != kNoContainer, "not attributed to a container");
    const Container& container = snap.containers[static_cast<std::size_t>(p->container)];
    CHECK(container.layout == c.layout);
    CHECK(container.runtime == c.runtime);
    CHECK(container.id == c.id);
    CHECK(container.pod_uid == c.pod_uid);
    CHECK(container.init.pid == child.pid());
  }
  for (const std::string& path : NegativeCases()) {
    CAPTURE(hierarchy_name);
    CAPTURE(path);
    CgroupDir dir(hierarchy_root, path);
    REQUIRE(dir.ok());
    IdleChild child;
    REQUIRE(dir.Add(child.pid()));
    Scanner scanner(ScannerOptions{});
    auto scanned = scanner.Scan();
    REQUIRE(scanned.ok());
    const Process* p = Find(**scanned, child.pid());
    REQUIRE(p != nullptr);
    CHECK(p->container == kNoContainer);
  }
}

}  // namespace

TEST_CASE("kernel: every runtime layout resolves in the v1 pids hierarchy") {
  const CgroupHierarchies h = CgroupHierarchies::Detect();
  if (h.v1_pids.empty()) {
    MESSAGE("SKIP: no cgroup v1 pids hierarchy on this host (pure cgroup v2)");
    return;
  }
  CheckLayoutsIn(h.v1_pids, "v1 pids");
}

TEST_CASE("kernel: every runtime layout resolves in the unified (v2) hierarchy") {
  const CgroupHierarchies h = CgroupHierarchies::Detect();
  if (h.v2.empty()) {
    MESSAGE("SKIP: no cgroup v2 hierarchy mounted on this host");
    return;
  }
  CheckLayoutsIn(h.v2, "v2");
}

TEST_CASE("kernel: containerd's /<namespace>/<id> is a container only with its bundle") {
  const CgroupHierarchies h = CgroupHierarchies::Detect();
  const std::string root = h.v1_pids.empty() ? h.v2 : h.v1_pids;
  REQUIRE_FALSE(root.empty());
  const std::string ns = "cproc-it-" + RandomHex(6);
  const std::string id = "svc_" + RandomHex(5);
  CgroupDir dir(root, "/" + ns + "/" + id);
  REQUIRE(dir.ok());
  IdleChild child;
  REQUIRE(dir.Add(child.pid()));

  FixtureProcfs bundles;  // stands in for /run/containerd/io.containerd.runtime.v2.task
  ScannerOptions options;
  options.metadata.bundle_roots = {bundles.root()};
  {
    Scanner scanner(options);
    auto scanned = scanner.Scan();
    REQUIRE(scanned.ok());
    CHECK(Find(**scanned, child.pid())->container == kNoContainer);
  }
  bundles.Write(ns + "/" + id + "/config.json", R"({"annotations":{"nerdctl/name":"api"}})");
  Scanner scanner(options);
  auto scanned = scanner.Scan();
  REQUIRE(scanned.ok());
  const Process* p = Find(**scanned, child.pid());
  REQUIRE(p != nullptr);
  REQUIRE(p->container != kNoContainer);
  const Container& c = (*scanned)->containers[static_cast<std::size_t>(p->container)];
  CHECK(c.runtime == "containerd");
  CHECK(c.id == id);
  CHECK(c.name == "api");
}
