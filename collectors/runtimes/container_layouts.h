// Which cgroup paths are containers. Every runtime layout is one row of data (the table in
// container_layouts.cpp, sources in docs/ARCHITECTURE.md "Runtime layouts"); matching is one
// generic routine over path components.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cproc {

// What one runtime's container cgroup component looks like: [prefix]<id>[suffix].
struct ContainerLayout {
  enum class Id : uint8_t {
    kHex64,     // 64 lower-case hex digits (Docker, containerd, CRI-O, Podman)
    kName,      // [A-Za-z0-9._-]+, as LXC container names
    kUnitName,  // a systemd unit instance name: \x2d escapes are undone (nspawn machines)
    // A free-form id ([A-Za-z0-9._-]+, containerd's ctr) that is not a systemd unit name
    // (x.service, x.scope, x.slice, ...): runtimes that use free ids never name their cgroups
    // like units, so a unit is never one of them, whatever a runtime's files say (falco's
    // containerd matcher filters the same suffixes).
    kFreeId,
  };
  enum class Parent : uint8_t {
    kAny,
    kLiteral,  // the parent component must equal `parent`
    kPodUid,   // the parent component is a Kubernetes pod cgroup (pod<uid>)
    // The parent is a plain name that is not a systemd unit nor "..": a containerd namespace
    // ("default", "k8s.io"); a top-level component has none.
    kNamespace,
  };
  // Where the container's pod comes from (ContainerMatch::pod_uid).
  enum class Pod : uint8_t {
    kKubernetes,  // an ancestor pod<uid> or kubepods-<qos>-pod<uid>.slice (kubelet)
    kPodman,      // an ancestor <parent>-libpod_pod_<id>.slice, or /libpod_parent/<id> (cgroupfs)
  };

  std::string_view runtime = {};  // "docker", used in container_id = "<runtime>://<id>"
  std::string_view name = {};     // the row's name, for tests and logs ("docker-systemd")
  std::string_view prefix = {};   // literal before the id in the component: "docker-"
  std::string_view suffix = {};   // literal after the id: ".scope"
  Id id = Id::kHex64;
  Parent parent_rule = Parent::kAny;
  std::string_view parent = {};  // for Parent::kLiteral
  // The prefix may follow other text, as in the misconfigured "…slice:cri-containerd:<id>".
  bool prefix_anywhere = false;
  // A child cgroup of the container that holds the runtime's own process, not the payload
  // (systemd-nspawn's "supervisor").
  std::string_view excluded_child = {};
  // Too generic to trust on its own (containerd's "/<namespace>/<id>", Docker's bare id under
  // any --cgroup-parent): matches only when the runtime's files confirm it (LayoutConfirmer).
  bool needs_confirmation = false;
  Pod pod = Pod::kKubernetes;
};

// Asked for rows with needs_confirmation: does `runtime` have a container `id` whose cgroup
// parent component is `parent`? (I/O lives in the caller; results are cached per cgroup.)
using LayoutConfirmer =
    std::function<bool(std::string_view runtime, std::string_view parent, std::string_view id)>;

const std::vector<ContainerLayout>& DefaultContainerLayouts();

// Cached across scans (one per distinct cgroup file text), so it owns its strings rather than
// viewing the layout row it came from.
struct ContainerMatch {
  std::string runtime;
  std::string layout;  // the row's name
  std::string id;
  std::string cgroup;  // the path up to and including the container's component
  // The pod from an ancestor cgroup: a Kubernetes pod UID ('_' turned back to '-'), or a Podman
  // pod id. Containers of one pod share namespaces by design (namespace_sharing.cpp).
  std::string pod_uid;
};

// Scans the path's components from the leaf up and returns the innermost container, so that
// cgroups a container creates below its own (systemd inside, DinD, kind) still resolve to it.
std::optional<ContainerMatch> MatchContainer(std::string_view cgroup_path,
                                             const std::vector<ContainerLayout>& layouts,
                                             const LayoutConfirmer& confirm = nullptr);

// True for paths no row matched that still look like a container (a 64-hex run in a component
// that is not a known non-container: a .mount unit, a conmon monitor, a .slice such as a Podman
// pod's): counted so users can report layouts we do not know yet. A bare 64-hex id that no
// runtime's files confirm (an unknown runtime's, or Docker's without readable files) lands here.
bool LooksLikeUnknownContainer(std::string_view cgroup_path);

// The pod UID in one cgroup component: "pod<uuid>" (cgroupfs) or
// "kubepods-<qos>-pod<uuid with _>.slice" (systemd); 32-hex static-pod UIDs too.
std::optional<std::string> PodUidOfComponent(std::string_view component);

// The Podman pod id in one cgroup component: "<parent>-libpod_pod_<64 hex>.slice" (systemd:
// machine-libpod_pod_<id>.slice as root, user-libpod_pod_<id>.slice rootless; libpod's
// systemdSliceFromPath). cgroupfs pods (/libpod_parent/<id>) are recognised by MatchContainer.
std::optional<std::string> PodmanPodIdOfComponent(std::string_view component);

}  // namespace cproc
