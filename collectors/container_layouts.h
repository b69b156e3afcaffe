// Which cgroup paths are containers. Every runtime layout is one row of data (the table in
// container_layouts.cpp, sources in ../shared/research/anchors-mission.md §b); matching is one
// generic routine over path components.
#pragma once

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
  };
  enum class Parent : uint8_t {
    kAny,
    kLiteral,  // the parent component must equal `parent`
    kPodUid,   // the parent component is a Kubernetes pod cgroup (pod<uid>)
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
  // Too generic to trust on its own (containerd's "/<namespace>/<id>"): matches only when the
  // runtime's files confirm it (see LayoutConfirmer).
  bool needs_confirmation = false;
};

// Asked for rows with needs_confirmation: does `runtime` have a container `id` whose cgroup
// parent component is `parent`? (I/O lives in the caller; results are cached per cgroup.)
using LayoutConfirmer =
    std::function<bool(std::string_view runtime, std::string_view parent, std::string_view id)>;

const std::vector<ContainerLayout>& DefaultContainerLayouts();

struct ContainerMatch {
  std::string_view runtime;
  std::string_view layout;  // the row that matched
  std::string id;
  std::string cgroup;   // the path up to and including the container's component
  std::string pod_uid;  // Kubernetes pod UID from an ancestor cgroup ('_' turned back to '-')
};

// Scans the path's components from the leaf up and returns the innermost container, so that
// cgroups a container creates below its own (systemd inside, DinD, kind) still resolve to it.
std::optional<ContainerMatch> MatchContainer(std::string_view cgroup_path,
                                             const std::vector<ContainerLayout>& layouts,
                                             const LayoutConfirmer& confirm = nullptr);

// True for paths no row matched that still look like a container (a 64-hex component that is
// not a known non-container such as a .mount unit or a conmon monitor): counted so users can
// report layouts we do not know yet.
bool LooksLikeUnknownContainer(std::string_view cgroup_path);

// The pod UID in one cgroup component: "pod<uuid>" (cgroupfs) or
// "kubepods-<qos>-pod<uuid with _>.slice" (systemd); 32-hex static-pod UIDs too.
std::optional<std::string> PodUidOfComponent(std::string_view component);

}  // namespace cproc
