#include "collectors/container_layouts.h"

#include <doctest/doctest.h>

#include <string>

using namespace cproc;

namespace {

const std::string kId = "7951fb549ab99e0722a949b6c121634e1f3a36b5bacbe5392991e3b12251e6b8";
const std::string kUid = "ac04f3f2-1f2c-11e9-b015-1ebee232acfa";
const std::string kUidSystemd = "ac04f3f2_1f2c_11e9_b015_1ebee232acfa";
const std::string kStaticUid = "bd12dd3393227d950605a2444b13c27a";

struct Positive {
  std::string layout;
  std::string path;
  std::string runtime;
  std::string id;
  std::string cgroup;
  std::string pod_uid = "";
};

}  // namespace

TEST_CASE("layouts: one positive case per runtime layout (research §b)") {
  const std::string burstable_systemd =
      "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + kUidSystemd + ".slice";
  const Positive cases[] = {
      {"docker-cgroupfs", "/docker/" + kId, "docker", kId, "/docker/" + kId},
      {"docker-systemd", "/system.slice/docker-" + kId + ".scope", "docker", kId,
       "/system.slice/docker-" + kId + ".scope"},
      {"docker-systemd",
       "/user.slice/user-1000.slice/user@1000.service/user.slice/docker-" + kId + ".scope",
       "docker", kId,
       "/user.slice/user-1000.slice/user@1000.service/user.slice/docker-" + kId + ".scope"},
      {"docker-cgroup-parent", "/my-parent/" + kId, "docker", kId, "/my-parent/" + kId},
      {"docker-systemd", "/custom.slice/docker-" + kId + ".scope", "docker", kId,
       "/custom.slice/docker-" + kId + ".scope"},
      {"containerd-cri-systemd", burstable_systemd + "/cri-containerd-" + kId + ".scope",
       "containerd", kId, burstable_systemd + "/cri-containerd-" + kId + ".scope", kUid},
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
      {"containerd-cri-misconfigured",
       "/kubepods-burstable-pod" + kUidSystemd + ".slice:cri-containerd:" + kId, "containerd", kId,
       "/kubepods-burstable-pod" + kUidSystemd + ".slice:cri-containerd:" + kId, kUid},
      {"kubepods-cgroupfs", "/kubepods/besteffort/pod" + kUid + "/" + kId, "containerd", kId,
       "/kubepods/besteffort/pod" + kUid + "/" + kId, kUid},
      {"kubepods-cgroupfs", "/kubepods/pod" + kUid + "/" + kId, "containerd", kId,
       "/kubepods/pod" + kUid + "/" + kId, kUid},
      {"crio-cgroupfs", "/kubepods/burstable/pod" + kUid + "/crio-" + kId, "cri-o", kId,
       "/kubepods/burstable/pod" + kUid + "/crio-" + kId, kUid},
      {"crio-systemd", burstable_systemd + "/crio-" + kId + ".scope", "cri-o", kId,
       burstable_systemd + "/crio-" + kId + ".scope", kUid},
      {"podman-systemd", "/machine.slice/libpod-" + kId + ".scope", "podman", kId,
       "/machine.slice/libpod-" + kId + ".scope"},
      {"podman-systemd", "/machine.slice/libpod-" + kId + ".scope/container", "podman", kId,
       "/machine.slice/libpod-" + kId + ".scope"},
      {"podman-systemd",
       "/machine.slice/machine-libpod_pod_" + kId + ".slice/libpod-" + std::string(64, 'c') +
           ".scope",
       "podman", std::string(64, 'c'),
       "/machine.slice/machine-libpod_pod_" + kId + ".slice/libpod-" + std::string(64, 'c') +
           ".scope"},
      {"podman-systemd",
       "/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" + kId +
           ".scope/container",
       "podman", kId,
       "/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" + kId + ".scope"},
      {"podman-split", "/system.slice/app.service/libpod-payload-" + kId, "podman", kId,
       "/system.slice/app.service/libpod-payload-" + kId},
      {"podman-cgroupfs", "/libpod_parent/libpod-" + kId, "podman", kId,
       "/libpod_parent/libpod-" + kId},
      {"nerdctl-systemd", "/system.slice/nerdctl-" + kId + ".scope", "containerd", kId,
       "/system.slice/nerdctl-" + kId + ".scope"},
      {"lxc-legacy", "/lxc/web01", "lxc", "web01", "/lxc/web01"},
      {"lxc-payload", "/lxc.payload.web01/init.scope", "lxc", "web01", "/lxc.payload.web01"},
      {"systemd-nspawn", "/machine.slice/systemd-nspawn@debian\\x2dbox.service/payload",
       "systemd-nspawn", "debian-box", "/machine.slice/systemd-nspawn@debian\\x2dbox.service"},
      // Nested (DinD, kind): the innermost container wins.
      {"docker-cgroupfs", "/docker/" + kId + "/docker/" + std::string(64, 'b'), "docker",
       std::string(64, 'b'), "/docker/" + kId + "/docker/" + std::string(64, 'b')},
      // systemd inside a container.
      {"docker-cgroupfs", "/docker/" + kId + "/init.scope", "docker", kId, "/docker/" + kId},
      // Relative to a cgroup namespace.
      {"docker-systemd", "/../../system.slice/docker-" + kId + ".scope", "docker", kId,
       "/../../system.slice/docker-" + kId + ".scope"},
  };
  for (const Positive& c : cases) {
    CAPTURE(c.path);
    auto match = MatchContainer(c.path, DefaultContainerLayouts());
    REQUIRE(match.has_value());
    CHECK(match->layout == c.layout);
    CHECK(match->runtime == c.runtime);
    CHECK(match->id == c.id);
    CHECK(match->cgroup == c.cgroup);
    CHECK(match->pod_uid == c.pod_uid);
  }
}

TEST_CASE("layouts: things that are never containers") {
  const std::string cases[] = {
      "/",
      "",
      "/docker",
      "/docker/",
      "/init.scope",
      "/system.slice/docker.service",
      "/system.slice/containerd.service",
      "/system.slice/crio.service",
      "/system.slice/var-lib-docker-overlay2-" + kId + "-merged.mount",
      "/system.slice/run-docker-netns-1234.mount",
      "/docker/" + kId.substr(0, 63),     // id too short
      "/docker/" + kId + "0",             // id too long
      "/docker/" + std::string(64, 'g'),  // not hex
      "/docker/" + std::string(64, 'A'),  // ids are lower case
      "/system.slice/docker-" + kId,      // systemd form without .scope
      "/system.slice/docker-" + kId + ".scope.mount",
      "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + kUidSystemd +
          ".slice/crio-conmon-" + kId + ".scope",
      "/machine.slice/libpod-conmon-" + kId + ".scope",
      "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + kUidSystemd +
          ".slice",  // pod, not container
      "/kubepods/besteffort/pod" + kUid,
      "/lxc.monitor.web01",
      "/lxc/",
      "/lxc/bad name",
      "/machine.slice/systemd-nspawn@debian.service/supervisor",
      "/machine.slice/other@debian.service",
      "/default/x.service",
      "/process_api/b4e8490a48a598fca851c3ae36996345",  // this CI host's own cgroup
      "/user.slice/user-0.slice/session-1.scope",
  };
  for (const std::string& path : cases) {
    CAPTURE(path);
    CHECK_FALSE(MatchContainer(path, DefaultContainerLayouts()).has_value());
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

TEST_CASE("layouts: unknown paths that look like containers are noticed") {
  CHECK(LooksLikeUnknownContainer("/some-runtime/ctr-" + kId));
  CHECK_FALSE(
      LooksLikeUnknownContainer("/system.slice/var-lib-docker-overlay2-" + kId + "-merged.mount"));
  CHECK_FALSE(LooksLikeUnknownContainer("/machine.slice/libpod-conmon-" + kId + ".scope"));
  CHECK_FALSE(LooksLikeUnknownContainer("/system.slice/cron.service"));
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

TEST_CASE("layouts: containerd's /<namespace>/<id> only when its bundle confirms it") {
  std::vector<std::pair<std::string, std::string>> asked;
  const LayoutConfirmer confirm = [&](std::string_view runtime, std::string_view parent,
                                      std::string_view id) {
    asked.emplace_back(std::string(parent), std::string(id));
    return runtime == "containerd" && parent == "default" && id == "my-ctr_1.0";
  };
  auto match = MatchContainer("/default/my-ctr_1.0", DefaultContainerLayouts(), confirm);
  REQUIRE(match.has_value());
  CHECK(match->runtime == "containerd");
  CHECK(match->layout == "containerd-namespaced");
  CHECK(match->id == "my-ctr_1.0");
  CHECK_FALSE(MatchContainer("/default/other", DefaultContainerLayouts(), confirm).has_value());
  CHECK_FALSE(MatchContainer("/default/my-ctr_1.0", DefaultContainerLayouts()).has_value());
  CHECK_FALSE(MatchContainer("/system.slice/cron.service", DefaultContainerLayouts(), confirm));
  // A Docker container is recognised by its own row without asking.
  asked.clear();
  CHECK(MatchContainer("/docker/" + kId, DefaultContainerLayouts(), confirm).has_value());
  CHECK(asked.empty());
}
