// Every row and trap of the layout table in docs/ARCHITECTURE.md "Runtime layouts", as data:
// paths a runtime really creates (falco, netdata, cAdvisor and podman test vectors), and the
// paths that look alike but are not containers.
#include "collectors/runtimes/container_layouts.h"

#include <doctest/doctest.h>

#include <set>
#include <string>
#include <tuple>

using namespace cproc;

namespace {

const std::string kId = "7951fb549ab99e0722a949b6c121634e1f3a36b5bacbe5392991e3b12251e6b8";
const std::string kUid = "ac04f3f2-1f2c-11e9-b015-1ebee232acfa";
const std::string kUidSystemd = "ac04f3f2_1f2c_11e9_b015_1ebee232acfa";
const std::string kStaticUid = "bd12dd3393227d950605a2444b13c27a";
const std::string kPodId = "71b289d2028f1c5a5557efaee6f352615311e199997f0ec2fa5b579876eb9e07";
const std::string kRootless = "/user.slice/user-1000.slice/user@1000.service";

const std::string kBurstableSystemd =
    "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + kUidSystemd + ".slice";
const std::string kBestEffortSystemd =
    "/kubepods.slice/kubepods-besteffort.slice/"
    "kubepods-besteffort-pod" +
    kUidSystemd + ".slice";

struct Positive {
  std::string layout;
  std::string path;
  std::string runtime;
  std::string id;
  std::string cgroup;
  std::string pod_uid = "";
};

// What a host's runtimes would answer for the rows that need their files: Docker knows kId and
// containerd the bundles of the falco vectors, nothing else. Records what it was asked.
struct FakeHost {
  std::set<std::tuple<std::string, std::string, std::string>> asked;
  LayoutConfirmer confirmer() {
    return [this](std::string_view runtime, std::string_view parent, std::string_view id) {
      asked.emplace(std::string(runtime), std::string(parent), std::string(id));
      if (runtime == "docker") return id == kId;
      if (runtime != "containerd") return false;
      const std::pair<std::string_view, std::string_view> bundles[] = {
          {"default", "test_container"},
          {"my_very_long_namespace-1.5", "test_container"},
          {"k8s.io", "my-test_container"},
          {"my.namespace", "container.name"},
          {"default", "a"}};
      for (const auto& [ns, ctr] : bundles) {
        if (parent == ns && id == ctr) return true;
      }
      return false;
    };
  }
};

// Says yes to everything: a path that must be rejected by its shape alone is run with this.
bool ConfirmAnything(std::string_view, std::string_view, std::string_view) { return true; }

void CheckPositive(const Positive& c, const LayoutConfirmer& confirm) {
  CAPTURE(c.path);
  auto match = MatchContainer(c.path, DefaultContainerLayouts(), confirm);
  REQUIRE_MESSAGE(match.has_value(), "no layout matched " << c.path);
  CHECK(match->layout == c.layout);
  CHECK(match->runtime == c.runtime);
  CHECK(match->id == c.id);
  CHECK(match->cgroup == c.cgroup);
  CHECK(match->pod_uid == c.pod_uid);
}

}  // namespace

TEST_CASE("layouts: one positive case per runtime layout (research §b)") {
  const std::string c64(64, 'c');
  const Positive cases[] = {
      // Docker.
      {"docker-cgroupfs", "/docker/" + kId, "docker", kId, "/docker/" + kId},
      {"docker-systemd", "/system.slice/docker-" + kId + ".scope", "docker", kId,
       "/system.slice/docker-" + kId + ".scope"},
      {"docker-systemd", "/docker.slice/docker-" + kId + ".scope", "docker", kId,
       "/docker.slice/docker-" + kId + ".scope"},
      {"docker-systemd", kRootless + "/user.slice/docker-" + kId + ".scope", "docker", kId,
       kRootless + "/user.slice/docker-" + kId + ".scope"},
      {"docker-systemd", "/custom.slice/docker-" + kId + ".scope", "docker", kId,
       "/custom.slice/docker-" + kId + ".scope"},
      // cri-dockerd: Docker's systemd scope inside a Kubernetes pod slice.
      {"docker-systemd", kBurstableSystemd + "/docker-" + kId + ".scope", "docker", kId,
       kBurstableSystemd + "/docker-" + kId + ".scope", kUid},
      // containerd CRI, systemd driver, every QoS class; static pods have 32-hex UIDs.
      {"containerd-cri-systemd", kBurstableSystemd + "/cri-containerd-" + kId + ".scope",
       "containerd", kId, kBurstableSystemd + "/cri-containerd-" + kId + ".scope", kUid},
      {"containerd-cri-systemd", kBestEffortSystemd + "/cri-containerd-" + kId + ".scope",
       "containerd", kId, kBestEffortSystemd + "/cri-containerd-" + kId + ".scope", kUid},
      {"containerd-cri-systemd",
       "/kubepods.slice/kubepods-pod" + kUidSystemd + ".slice/cri-containerd-" + kId + ".scope",
       "containerd", kId,
       "/kubepods.slice/kubepods-pod" + kUidSystemd + ".slice/cri-containerd-" + kId + ".scope",
       kUid},
      {"containerd-cri-systemd",
       "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + kStaticUid +
           ".slice/cri-containerd-" + kId + ".scope",
       "containerd", kId,
       "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + kStaticUid +
           ".slice/cri-containerd-" + kId + ".scope",
       kStaticUid},
      // kind: a custom kubelet cgroup root.
      {"containerd-cri-systemd",
       "/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-besteffort.slice/"
       "kubelet-kubepods-besteffort-pod" +
           kUidSystemd + ".slice/cri-containerd-" + kId + ".scope",
       "containerd", kId,
       "/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-besteffort.slice/"
       "kubelet-kubepods-besteffort-pod" +
           kUidSystemd + ".slice/cri-containerd-" + kId + ".scope",
       kUid},
      // kubelet on systemd, runc not: v2 (falco containerd_unknown) and v1 forms.
      {"containerd-cri-misconfigured",
       "/kubepods-burstable-pod" + kUidSystemd + ".slice:cri-containerd:" + kId, "containerd", kId,
       "/kubepods-burstable-pod" + kUidSystemd + ".slice:cri-containerd:" + kId, kUid},
      {"containerd-cri-misconfigured",
       "/kubepods-burstable-pod" + kStaticUid + ".slice:cri-containerd:" + kId, "containerd", kId,
       "/kubepods-burstable-pod" + kStaticUid + ".slice:cri-containerd:" + kId, kStaticUid},
      {"containerd-cri-misconfigured",
       "/system.slice/containerd.service/kubepods-burstable-pod" + kUidSystemd +
           ".slice:cri-containerd:" + kId,
       "containerd", kId,
       "/system.slice/containerd.service/kubepods-burstable-pod" + kUidSystemd +
           ".slice:cri-containerd:" + kId,
       kUid},
      // Kubernetes cgroupfs driver, every QoS class.
      {"kubepods-cgroupfs", "/kubepods/besteffort/pod" + kUid + "/" + kId, "containerd", kId,
       "/kubepods/besteffort/pod" + kUid + "/" + kId, kUid},
      {"kubepods-cgroupfs", "/kubepods/burstable/pod" + kUid + "/" + kId, "containerd", kId,
       "/kubepods/burstable/pod" + kUid + "/" + kId, kUid},
      {"kubepods-cgroupfs", "/kubepods/pod" + kUid + "/" + kId, "containerd", kId,
       "/kubepods/pod" + kUid + "/" + kId, kUid},
      // CRI-O; a systemd sandbox may lack .scope (cAdvisor #3538).
      {"crio-cgroupfs", "/kubepods/burstable/pod" + kUid + "/crio-" + kId, "cri-o", kId,
       "/kubepods/burstable/pod" + kUid + "/crio-" + kId, kUid},
      {"crio-systemd", kBurstableSystemd + "/crio-" + kId + ".scope", "cri-o", kId,
       kBurstableSystemd + "/crio-" + kId + ".scope", kUid},
      {"crio-cgroupfs", kBestEffortSystemd + "/crio-" + kId, "cri-o", kId,
       kBestEffortSystemd + "/crio-" + kId, kUid},
      // Podman, root and rootless, with and without the /container child.
      {"podman-systemd", "/machine.slice/libpod-" + kId + ".scope", "podman", kId,
       "/machine.slice/libpod-" + kId + ".scope"},
      {"podman-systemd", "/machine.slice/libpod-" + kId + ".scope/container", "podman", kId,
       "/machine.slice/libpod-" + kId + ".scope"},
      {"podman-systemd", kRootless + "/user.slice/libpod-" + kId + ".scope/container", "podman",
       kId, kRootless + "/user.slice/libpod-" + kId + ".scope"},
      {"podman-cgroupfs", kRootless + "/libpod-" + kId, "podman", kId,
       kRootless + "/libpod-" + kId},
      {"podman-cgroupfs", "/system.slice/libpod-" + kId, "podman", kId,
       "/system.slice/libpod-" + kId},
      // Podman pods: the pod id comes from the pod's slice (or cgroupfs directory).
      {"podman-systemd",
       "/machine.slice/machine-libpod_pod_" + kPodId + ".slice/libpod-" + c64 + ".scope", "podman",
       c64, "/machine.slice/machine-libpod_pod_" + kPodId + ".slice/libpod-" + c64 + ".scope",
       kPodId},
      {"podman-systemd",
       kRootless + "/user.slice/user-libpod_pod_" + kPodId + ".slice/libpod-" + c64 +
           ".scope/container",
       "podman", c64,
       kRootless + "/user.slice/user-libpod_pod_" + kPodId + ".slice/libpod-" + c64 + ".scope",
       kPodId},
      {"podman-cgroupfs", "/libpod_parent/" + kPodId + "/libpod-" + c64, "podman", c64,
       "/libpod_parent/" + kPodId + "/libpod-" + c64, kPodId},
      // Podman --cgroups=split (quadlet): the payload below the unit's own cgroup.
      {"podman-split",
       "/system.slice/system-ceph-f952f5be.slice/ceph-f952f5be@mon.a.service/libpod-payload-" + kId,
       "podman", kId,
       "/system.slice/system-ceph-f952f5be.slice/ceph-f952f5be@mon.a.service/libpod-payload-" +
           kId},
      {"podman-split-systemd", "/system.slice/app.service/libpod-payload-" + kId + ".scope",
       "podman", kId, "/system.slice/app.service/libpod-payload-" + kId + ".scope"},
      {"podman-cgroupfs", "/libpod_parent/libpod-" + kId, "podman", kId,
       "/libpod_parent/libpod-" + kId},
      // nerdctl, root and rootless.
      {"nerdctl-systemd", "/system.slice/nerdctl-" + kId + ".scope", "containerd", kId,
       "/system.slice/nerdctl-" + kId + ".scope"},
      {"nerdctl-systemd", kRootless + "/user.slice/nerdctl-" + kId + ".scope", "containerd", kId,
       kRootless + "/user.slice/nerdctl-" + kId + ".scope"},
      // LXC, systemd-nspawn.
      {"lxc-legacy", "/lxc/web01", "lxc", "web01", "/lxc/web01"},
      {"lxc-payload", "/lxc.payload.web01/init.scope", "lxc", "web01", "/lxc.payload.web01"},
      {"systemd-nspawn", "/machine.slice/systemd-nspawn@debian\\x2dbox.service/payload",
       "systemd-nspawn", "debian-box", "/machine.slice/systemd-nspawn@debian\\x2dbox.service"},
      {"systemd-nspawn", "/machine.slice/systemd-nspawn@box.service", "systemd-nspawn", "box",
       "/machine.slice/systemd-nspawn@box.service"},
      // Nested (DinD, kind): the innermost container wins.
      {"docker-cgroupfs", "/docker/" + kId + "/docker/" + std::string(64, 'b'), "docker",
       std::string(64, 'b'), "/docker/" + kId + "/docker/" + std::string(64, 'b')},
      {"containerd-cri-systemd",
       "/docker/" + kId + kBurstableSystemd + "/cri-containerd-" + c64 + ".scope", "containerd",
       c64, "/docker/" + kId + kBurstableSystemd + "/cri-containerd-" + c64 + ".scope", kUid},
      // Podman inside Docker: the Docker id above is not a pod.
      {"podman-cgroupfs", "/docker/" + kId + "/libpod_parent/libpod-" + c64, "podman", c64,
       "/docker/" + kId + "/libpod_parent/libpod-" + c64},
      // systemd inside a container.
      {"docker-cgroupfs", "/docker/" + kId + "/init.scope", "docker", kId, "/docker/" + kId},
      {"docker-systemd", "/system.slice/docker-" + kId + ".scope/system.slice/cron.service",
       "docker", kId, "/system.slice/docker-" + kId + ".scope"},
      // Relative to a cgroup namespace (the reader's root is another container's cgroup).
      {"docker-systemd", "/../../system.slice/docker-" + kId + ".scope", "docker", kId,
       "/../../system.slice/docker-" + kId + ".scope"},
      {"containerd-cri-systemd",
       "/../../kubepods-besteffort-pod" + kUidSystemd + ".slice/cri-containerd-" + kId + ".scope",
       "containerd", kId,
       "/../../kubepods-besteffort-pod" + kUidSystemd + ".slice/cri-containerd-" + kId + ".scope",
       kUid},
  };
  for (const Positive& c : cases) {
    CheckPositive(c, nullptr);
    // The rows that need no confirmation never ask, and answer the same with a host to ask.
    FakeHost host;
    CheckPositive(c, host.confirmer());
    CHECK(host.asked.empty());
  }
}

TEST_CASE("layouts: rows that need the runtime's files match only what those files confirm") {
  const Positive cases[] = {
      // Docker --cgroup-parent with the cgroupfs driver, AWS ECS, and /docker/<id> seen from
      // another container's cgroup namespace.
      {"docker-cgroup-parent", "/my-parent/" + kId, "docker", kId, "/my-parent/" + kId},
      {"docker-cgroup-parent", "/ecs/3f1a2b/" + kId, "docker", kId, "/ecs/3f1a2b/" + kId},
      {"docker-cgroup-parent", "/../" + kId, "docker", kId, "/../" + kId},
      // containerd without CRI (falco's vectors).
      {"containerd-namespaced", "/default/test_container", "containerd", "test_container",
       "/default/test_container"},
      {"containerd-namespaced", "/my_very_long_namespace-1.5/test_container", "containerd",
       "test_container", "/my_very_long_namespace-1.5/test_container"},
      {"containerd-namespaced", "/k8s.io/my-test_container", "containerd", "my-test_container",
       "/k8s.io/my-test_container"},
      {"containerd-namespaced", "/my.namespace/container.name", "containerd", "container.name",
       "/my.namespace/container.name"},
      {"containerd-namespaced", "/default/a", "containerd", "a", "/default/a"},
  };
  for (const Positive& c : cases) {
    CAPTURE(c.path);
    FakeHost host;
    CheckPositive(c, host.confirmer());
    CHECK_FALSE(host.asked.empty());
    // Without the files (no confirmer, or one that knows nothing) they are not containers.
    CHECK_FALSE(MatchContainer(c.path, DefaultContainerLayouts()).has_value());
    CHECK_FALSE(
        MatchContainer(c.path, DefaultContainerLayouts(),
                       [](std::string_view, std::string_view, std::string_view) { return false; })
            .has_value());
  }
  // Docker is asked about the id, whatever the parent; containerd about (namespace, id).
  FakeHost host;
  REQUIRE(MatchContainer("/my-parent/" + kId, DefaultContainerLayouts(), host.confirmer()));
  CHECK(host.asked.count({"docker", "my-parent", kId}) == 1);
  CHECK(host.asked.count({"containerd", "my-parent", kId}) == 1);
}

TEST_CASE("layouts: things that are never containers, whatever the runtimes' files say") {
  // Rejected by their shape alone: run with a confirmer that says yes to everything, so a row
  // that relied on its confirmation for them would fail here.
  const std::string cases[] = {
      "/",
      "",
      "/docker",
      "/docker/",
      "/init.scope",
      "/user.slice/user-1000.slice/user@1000.service/init.scope",
      "/system.slice/docker.service",
      "/system.slice/containerd.service",
      "/system.slice/crio.service",
      "/system.slice/var-lib-docker-overlay2-" + kId + "-merged.mount",
      "/system.slice/run-docker-netns-1234.mount",
      "/system.slice/run-containerd-io.containerd.runtime.v2.task-k8s.io-" + kId + "-rootfs.mount",
      "/system.slice/docker-" + kId,  // systemd form without .scope
      "/system.slice/docker-" + kId + ".scope.mount",
      "/system.slice/docker-" + kId + "0.scope",  // id too long
      "/system.slice/docker-" + kId.substr(0, 63) + ".scope",
      // Runtime monitors: CRI-O's conmon (systemd and cgroupfs), Podman's (root and rootless).
      kBurstableSystemd + "/crio-conmon-" + kId + ".scope",
      "/machine.slice/libpod-conmon-" + kId + ".scope",
      kRootless + "/user.slice/libpod-conmon-" + kId + ".scope",
      kRootless + "/libpod-" + kId + "1234567890abcdef",  // falco: id too long
      kRootless + "/libpod-" + kId.substr(0, 63) + "g",   // falco: not hex
      kBurstableSystemd,                                  // the pod, not a container
      "/machine.slice/machine-libpod_pod_" + kPodId + ".slice",
      "/lxc.monitor.web01",
      "/lxc/",
      "/lxc/bad name",
      "/machine.slice/systemd-nspawn@debian.service/supervisor",
      "/machine.slice/other@debian.service",
      // systemd units are never containerd ids (falco filters the same suffixes).
      "/default/x.service",
      "/default/some_short_id.slice",
      "/default/some_short_id.scope",
      "/namespace/.service",
      "/user.slice/user-0.slice/session-1.scope",
      "/system.slice/cron.service",
  };
  for (const std::string& path : cases) {
    CAPTURE(path);
    CHECK_FALSE(MatchContainer(path, DefaultContainerLayouts()).has_value());
    CHECK_FALSE(MatchContainer(path, DefaultContainerLayouts(), ConfirmAnything).has_value());
  }
}

TEST_CASE("layouts: things that are containers only if a runtime's files said so") {
  // Shaped like the generic rows (a bare 64-hex id, /<name>/<name>): a host whose runtimes do
  // not know them (FakeHost) must not report them; a runtime that did would make them its own.
  const std::string cases[] = {
      "/docker/" + kId.substr(0, 63),     // not Docker's (63 digits)
      "/docker/" + std::string(64, 'g'),  // not hex
      "/docker/" + std::string(64, 'A'),  // ids are lower case
      "/my-parent/" + std::string(64, 'e'),
      "/kubepods/besteffort/pod" + kUid,                         // the pod, not a container
      "/kubepods/burstable/pod" + kUid + "/crio-conmon-" + kId,  // CRI-O's cgroupfs monitor
      "/libpod_parent/" + kPodId + "/conmon",                    // a Podman cgroupfs pod's conmon
      "/process_api/b4e8490a48a598fca851c3ae36996345",           // this CI host's own cgroup
      "/default/service.container",
  };
  for (const std::string& path : cases) {
    CAPTURE(path);
    FakeHost host;
    CHECK_FALSE(MatchContainer(path, DefaultContainerLayouts()).has_value());
    CHECK_FALSE(MatchContainer(path, DefaultContainerLayouts(), host.confirmer()).has_value());
    CHECK(MatchContainer(path, DefaultContainerLayouts(), ConfirmAnything).has_value());
  }
}

TEST_CASE("layouts: pod UIDs from slice and directory names") {
  CHECK(PodUidOfComponent("pod" + kUid) == kUid);
  CHECK(PodUidOfComponent("kubepods-besteffort-pod" + kUidSystemd + ".slice") == kUid);
  CHECK(PodUidOfComponent("kubepods-pod" + kUidSystemd + ".slice") == kUid);
  CHECK(PodUidOfComponent("kubepods-burstable-pod" + kStaticUid + ".slice") == kStaticUid);
  CHECK_FALSE(PodUidOfComponent("kubepods-burstable.slice").has_value());
  CHECK_FALSE(PodUidOfComponent("pod123").has_value());
  CHECK_FALSE(PodUidOfComponent("pod" + std::string(36, 'x')).has_value());
  CHECK_FALSE(PodUidOfComponent("ipod" + kUid).has_value());
}

TEST_CASE("layouts: Podman pod ids from pod slices") {
  CHECK(PodmanPodIdOfComponent("machine-libpod_pod_" + kPodId + ".slice") == kPodId);
  CHECK(PodmanPodIdOfComponent("user-libpod_pod_" + kPodId + ".slice") == kPodId);
  CHECK(PodmanPodIdOfComponent("libpod_pod_" + kPodId + ".slice") == kPodId);
  CHECK(PodmanPodIdOfComponent("custom-nested-libpod_pod_" + kPodId + ".slice") == kPodId);
  CHECK_FALSE(PodmanPodIdOfComponent("machine-libpod_pod_" + kPodId).has_value());  // no .slice
  CHECK_FALSE(PodmanPodIdOfComponent("machine-libpod_pod_" + kPodId.substr(1) + ".slice"));
  CHECK_FALSE(PodmanPodIdOfComponent("xlibpod_pod_" + kPodId + ".slice").has_value());
  CHECK_FALSE(PodmanPodIdOfComponent("machine.slice").has_value());
  // A Kubernetes pod's slice is not a Podman pod, and the other way round.
  CHECK_FALSE(PodmanPodIdOfComponent("kubepods-pod" + kUidSystemd + ".slice").has_value());
  CHECK_FALSE(PodUidOfComponent("machine-libpod_pod_" + kPodId + ".slice").has_value());
}

TEST_CASE("layouts: containers of one Podman pod share its id; other containers have none") {
  const std::string slice = "/machine.slice/machine-libpod_pod_" + kPodId + ".slice";
  auto infra = MatchContainer(slice + "/libpod-" + std::string(64, '1') + ".scope",
                              DefaultContainerLayouts());
  auto app = MatchContainer(slice + "/libpod-" + std::string(64, '2') + ".scope/container",
                            DefaultContainerLayouts());
  auto alone = MatchContainer("/machine.slice/libpod-" + std::string(64, '3') + ".scope",
                              DefaultContainerLayouts());
  REQUIRE(infra);
  REQUIRE(app);
  REQUIRE(alone);
  CHECK(infra->pod_uid == kPodId);
  CHECK(app->pod_uid == kPodId);
  CHECK(infra->id != app->id);
  CHECK(alone->pod_uid.empty());
  // A Docker container under a (strange) Podman pod slice gets no Podman pod.
  auto docker = MatchContainer(slice + "/docker-" + kId + ".scope", DefaultContainerLayouts());
  REQUIRE(docker);
  CHECK(docker->pod_uid.empty());
}

TEST_CASE("layouts: unknown paths that look like containers are noticed") {
  CHECK(LooksLikeUnknownContainer("/some-runtime/ctr-" + kId));
  // A bare id no runtime confirms (an unknown runtime's, or Docker's without its files).
  CHECK(LooksLikeUnknownContainer("/my-parent/" + kId));
  CHECK_FALSE(
      LooksLikeUnknownContainer("/system.slice/var-lib-docker-overlay2-" + kId + "-merged.mount"));
  CHECK_FALSE(LooksLikeUnknownContainer("/machine.slice/libpod-conmon-" + kId + ".scope"));
  CHECK_FALSE(LooksLikeUnknownContainer(kBurstableSystemd + "/crio-conmon-" + kId + ".scope"));
  CHECK_FALSE(LooksLikeUnknownContainer("/libpod_parent/" + kPodId + "/conmon"));
  CHECK_FALSE(LooksLikeUnknownContainer("/machine.slice/machine-libpod_pod_" + kPodId + ".slice"));
  CHECK_FALSE(LooksLikeUnknownContainer("/system.slice/cron.service"));
  CHECK_FALSE(LooksLikeUnknownContainer("/docker/" + kId.substr(0, 63)));
}

TEST_CASE("layouts: a new runtime is one row of data") {
  std::vector<ContainerLayout> layouts = DefaultContainerLayouts();
  layouts.insert(layouts.begin(), {.runtime = "mesos",
                                   .name = "mesos",
                                   .id = ContainerLayout::Id::kName,
                                   .parent_rule = ContainerLayout::Parent::kLiteral,
                                   .parent = "mesos"});
  auto match = MatchContainer("/mesos/3e4f1c2a-task", layouts);
  REQUIRE(match.has_value());
  CHECK(match->runtime == "mesos");
  CHECK_FALSE(MatchContainer("/mesos/3e4f1c2a-task", DefaultContainerLayouts()).has_value());
}

TEST_CASE("layouts: every row has a unique name and a runtime") {
  std::set<std::string_view> names;
  for (const ContainerLayout& layout : DefaultContainerLayouts()) {
    CAPTURE(layout.name);
    CHECK_FALSE(layout.runtime.empty());
    CHECK(names.insert(layout.name).second);
  }
  // The generic rows are the last ones, so every specific row is tried first.
  const auto& layouts = DefaultContainerLayouts();
  REQUIRE(layouts.size() >= 2);
  CHECK(layouts[layouts.size() - 1].needs_confirmation);
  CHECK(layouts[layouts.size() - 2].needs_confirmation);
}
