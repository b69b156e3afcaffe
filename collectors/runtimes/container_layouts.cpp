#include "collectors/runtimes/container_layouts.h"

#include <array>

namespace cproc {
namespace {

bool IsLowerHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

bool IsHex64(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!IsLowerHex(c)) return false;
  }
  return true;
}

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

bool IsName(std::string_view s, bool allow_escapes) {
  if (s.empty() || s.size() > 253) return false;
  for (char c : s) {
    if (!IsNameChar(c) && !(allow_escapes && c == '\\')) return false;
  }
  return true;
}

// The unit types of systemd.unit(5): a component named like this is systemd's, not a runtime's.
bool IsUnitName(std::string_view s) {
  constexpr std::string_view kUnitSuffixes[] = {".service",   ".socket", ".device", ".mount",
                                                ".automount", ".swap",   ".target", ".path",
                                                ".timer",     ".slice",  ".scope"};
  for (std::string_view suffix : kUnitSuffixes) {
    if (s.ends_with(suffix)) return true;
  }
  return false;
}

// A free-form name a runtime chose (a containerd namespace or ctr id): a plain name that is
// neither ".." (a path relative to a cgroup namespace) nor a systemd unit.
bool IsFreeName(std::string_view s) { return s != ".." && IsName(s, false) && !IsUnitName(s); }

// systemd unit names escape '-' and other bytes as \xNN (systemd.unit(5), "String Escaping").
std::string UnescapeUnitName(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size() && s[i + 1] == 'x' && IsLowerHex(s[i + 2]) &&
        IsLowerHex(s[i + 3])) {
      auto nibble = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
      out.push_back(static_cast<char>(nibble(s[i + 2]) * 16 + nibble(s[i + 3])));
      i += 3;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

std::optional<std::string> IdInComponent(const ContainerLayout& layout,
                                         std::string_view component) {
  if (!component.ends_with(layout.suffix)) return std::nullopt;
  component.remove_suffix(layout.suffix.size());
  std::string_view id;
  if (layout.prefix_anywhere) {
    const auto at = component.rfind(layout.prefix);
    if (at == std::string_view::npos || at == 0) return std::nullopt;
    id = component.substr(at + layout.prefix.size());
  } else {
    if (!component.starts_with(layout.prefix)) return std::nullopt;
    id = component.substr(layout.prefix.size());
  }
  switch (layout.id) {
    case ContainerLayout::Id::kHex64:
      if (IsHex64(id)) return std::string(id);
      break;
    case ContainerLayout::Id::kName:
      if (IsName(id, false)) return std::string(id);
      break;
    case ContainerLayout::Id::kUnitName:
      if (IsName(id, true)) return UnescapeUnitName(id);
      break;
    case ContainerLayout::Id::kFreeId:
      if (IsFreeName(id)) return std::string(id);
      break;
  }
  return std::nullopt;
}

bool ParentMatches(const ContainerLayout& layout, std::string_view parent) {
  switch (layout.parent_rule) {
    case ContainerLayout::Parent::kAny:
      return true;
    case ContainerLayout::Parent::kLiteral:
      return parent == layout.parent;
    case ContainerLayout::Parent::kPodUid:
      return PodUidOfComponent(parent).has_value();
    case ContainerLayout::Parent::kNamespace:
      return IsFreeName(parent);
  }
  return false;
}

std::vector<std::string_view> Components(std::string_view path) {
  std::vector<std::string_view> components;
  std::size_t begin = 0;
  while (begin <= path.size()) {
    const std::size_t slash = path.find('/', begin);
    const std::size_t end = slash == std::string_view::npos ? path.size() : slash;
    if (end > begin) components.push_back(path.substr(begin, end - begin));
    if (slash == std::string_view::npos) break;
    begin = slash + 1;
  }
  return components;
}

}  // namespace

const std::vector<ContainerLayout>& DefaultContainerLayouts() {
  using Id = ContainerLayout::Id;
  using Parent = ContainerLayout::Parent;
  using Pod = ContainerLayout::Pod;
  // Rows are tried in order on each component, leaf first; the more specific rows come first.
  static const std::vector<ContainerLayout> kLayouts = {
      // Docker, cgroupfs driver (the default on cgroup v1): /docker/<id>.
      {.runtime = "docker",
       .name = "docker-cgroupfs",
       .parent_rule = Parent::kLiteral,
       .parent = "docker"},
      // systemd driver (default on v2; runc turns "system.slice:docker:<id>" into this unit);
      // also rootless Docker under user@UID.service and cri-dockerd pods.
      {.runtime = "docker", .name = "docker-systemd", .prefix = "docker-", .suffix = ".scope"},
      // containerd CRI, systemd driver: .../kubepods-<qos>-pod<uid>.slice/cri-containerd-<id>.scope
      {.runtime = "containerd",
       .name = "containerd-cri-systemd",
       .prefix = "cri-containerd-",
       .suffix = ".scope"},
      // kubelet on systemd but runc not: the literal cgroupsPath ends up in the path, at the top
      // (v2) or below containerd.service (v1).
      {.runtime = "containerd",
       .name = "containerd-cri-misconfigured",
       .prefix = ":cri-containerd:",
       .prefix_anywhere = true},
      // CRI-O: crio-<id>.scope (systemd) or crio-<id> (cgroupfs; also systemd sandboxes, which may
      // lack .scope). crio-conmon-<id> is the monitor, not the container: "conmon-<id>" is not
      // 64 hex digits, so it never matches.
      {.runtime = "cri-o", .name = "crio-systemd", .prefix = "crio-", .suffix = ".scope"},
      {.runtime = "cri-o", .name = "crio-cgroupfs", .prefix = "crio-"},
      // Kubernetes cgroupfs driver: /kubepods[/<qos>]/pod<uid>/<id> (containerd or cri-dockerd;
      // the runtime's files tell which).
      {.runtime = "containerd", .name = "kubepods-cgroupfs", .parent_rule = Parent::kPodUid},
      // Podman: libpod-<id>.scope[/container] (systemd), libpod-<id> under libpod_parent
      // (cgroupfs), libpod-payload-<id>[.scope] (--cgroups=split, quadlet's default). The pod is
      // the machine-libpod_pod_<id>.slice (user-... rootless) or /libpod_parent/<id> above.
      // libpod-conmon-<id> is the monitor: "conmon-<id>" is not 64 hex digits.
      {.runtime = "podman",
       .name = "podman-systemd",
       .prefix = "libpod-",
       .suffix = ".scope",
       .pod = Pod::kPodman},
      {.runtime = "podman",
       .name = "podman-split-systemd",
       .prefix = "libpod-payload-",
       .suffix = ".scope",
       .pod = Pod::kPodman},
      {.runtime = "podman",
       .name = "podman-split",
       .prefix = "libpod-payload-",
       .pod = Pod::kPodman},
      {.runtime = "podman", .name = "podman-cgroupfs", .prefix = "libpod-", .pod = Pod::kPodman},
      // nerdctl (containerd without CRI), systemd driver, root or rootless (user@UID.service).
      {.runtime = "containerd",
       .name = "nerdctl-systemd",
       .prefix = "nerdctl-",
       .suffix = ".scope"},
      // LXC < 4: /lxc/<name>; LXC >= 4, LXD, Incus: /lxc.payload.<name> (lxc.monitor.<name> is
      // the monitor and has no row).
      {.runtime = "lxc",
       .name = "lxc-legacy",
       .id = Id::kName,
       .parent_rule = Parent::kLiteral,
       .parent = "lxc"},
      {.runtime = "lxc", .name = "lxc-payload", .prefix = "lxc.payload.", .id = Id::kName},
      // systemd-nspawn: /machine.slice/systemd-nspawn@<name>.service[/payload]; the supervisor
      // child is nspawn itself.
      {.runtime = "systemd-nspawn",
       .name = "systemd-nspawn",
       .prefix = "systemd-nspawn@",
       .suffix = ".service",
       .id = Id::kUnitName,
       .parent_rule = Parent::kLiteral,
       .parent = "machine.slice",
       .excluded_child = "supervisor"},
      // containerd without CRI (ctr, the cgroupfs driver): /<namespace>/<id>, any id. Only
      // when containerd keeps a bundle for that namespace and id.
      {.runtime = "containerd",
       .name = "containerd-namespaced",
       .id = Id::kFreeId,
       .parent_rule = Parent::kNamespace,
       .needs_confirmation = true},
      // Docker --cgroup-parent=<path> with the cgroupfs driver: /<path>/<id> (also /docker/<id>
      // seen from another container's cgroup namespace, /../<id>). Last, as the least specific
      // row, and only when Docker's files know the id: a bare 64-hex component is also what
      // unknown runtimes, Podman's cgroupfs pods (/libpod_parent/<pod id>/conmon) and other
      // tools create. Unconfirmed, such a cgroup is counted by LooksLikeUnknownContainer (the
      // unknown-layout self-metric) instead of being reported as a Docker container.
      {.runtime = "docker", .name = "docker-cgroup-parent", .needs_confirmation = true},
  };
  return kLayouts;
}

std::optional<std::string> PodUidOfComponent(std::string_view component) {
  if (component.ends_with(".slice")) component.remove_suffix(6);
  // "pod" at the start (cgroupfs) or after a '-' (systemd slice names).
  std::size_t at = component.starts_with("pod") ? 0 : component.rfind("-pod");
  if (at == std::string_view::npos) return std::nullopt;
  if (at != 0 || !component.starts_with("pod")) ++at;
  std::string uid(component.substr(at + 3));
  for (char& c : uid) {
    if (c == '_') c = '-';
  }
  const bool uuid =
      uid.size() == 36 && uid[8] == '-' && uid[13] == '-' && uid[18] == '-' && uid[23] == '-';
  const bool static_pod = uid.size() == 32;  // mirror pods: a hash without dashes
  if (!uuid && !static_pod) return std::nullopt;
  for (std::size_t i = 0; i < uid.size(); ++i) {
    if (!(IsLowerHex(uid[i]) ||
          (uuid && uid[i] == '-' && (i == 8 || i == 13 || i == 18 || i == 23)))) {
      return std::nullopt;
    }
  }
  return uid;
}

std::optional<std::string> PodmanPodIdOfComponent(std::string_view component) {
  if (!component.ends_with(".slice")) return std::nullopt;
  component.remove_suffix(6);
  constexpr std::string_view kMarker = "libpod_pod_";
  const std::size_t at = component.rfind(kMarker);
  if (at == std::string_view::npos || (at != 0 && component[at - 1] != '-')) return std::nullopt;
  const std::string_view id = component.substr(at + kMarker.size());
  if (!IsHex64(id)) return std::nullopt;
  return std::string(id);
}

std::optional<ContainerMatch> MatchContainer(std::string_view cgroup_path,
                                             const std::vector<ContainerLayout>& layouts,
                                             const LayoutConfirmer& confirm) {
  const std::vector<std::string_view> components = Components(cgroup_path);
  for (std::size_t i = components.size(); i-- > 0;) {
    const std::string_view parent = i > 0 ? components[i - 1] : std::string_view();
    for (const ContainerLayout& layout : layouts) {
      if (!ParentMatches(layout, parent)) continue;
      auto id = IdInComponent(layout, components[i]);
      if (!id) continue;
      if (layout.needs_confirmation && (!confirm || !confirm(layout.runtime, parent, *id))) {
        continue;
      }
      if (!layout.excluded_child.empty() && i + 1 < components.size() &&
          components[i + 1] == layout.excluded_child) {
        return std::nullopt;  // the runtime's own process, below the container's cgroup
      }
      ContainerMatch match;
      match.runtime = std::string(layout.runtime);
      match.layout = std::string(layout.name);
      match.id = std::move(*id);
      const std::size_t end = static_cast<std::size_t>(components[i].data() - cgroup_path.data()) +
                              components[i].size();
      match.cgroup = std::string(cgroup_path.substr(0, end));
      // The pod's cgroup is an ancestor; in the misconfigured "<pod slice>:cri-containerd:<id>"
      // form it is the start of the container's own component.
      const auto colon = components[i].find(':');
      if (auto uid = PodUidOfComponent(components[i].substr(0, colon));
          colon != std::string_view::npos && uid) {
        match.pod_uid = std::move(*uid);
      }
      for (std::size_t k = i; match.pod_uid.empty() && k-- > 0;) {
        if (layout.pod == ContainerLayout::Pod::kKubernetes) {
          if (auto uid = PodUidOfComponent(components[k])) match.pod_uid = std::move(*uid);
        } else if (auto pod = PodmanPodIdOfComponent(components[k])) {
          match.pod_uid = std::move(*pod);
        } else if (k + 1 == i && k > 0 && components[k - 1] == "libpod_parent" &&
                   IsHex64(components[k])) {
          // cgroupfs: /libpod_parent/<pod id>/libpod-<id>. Only directly there: a 64-hex
          // ancestor further up is another runtime's container (Podman in Docker).
          match.pod_uid = std::string(components[k]);
        }
      }
      return match;
    }
  }
  return std::nullopt;
}

bool LooksLikeUnknownContainer(std::string_view cgroup_path) {
  bool hex_run = false;
  for (std::string_view component : Components(cgroup_path)) {
    if (component.ends_with(".mount") || component.find("conmon") != std::string_view::npos) {
      return false;  // overlay mounts and runtime monitors carry ids but are not containers
    }
    if (component.ends_with(".slice")) continue;  // a slice groups containers (a Podman pod's)
    std::size_t run = 0;
    for (char c : component) {
      run = IsLowerHex(c) ? run + 1 : 0;
      if (run == 64) hex_run = true;
    }
  }
  return hex_run;
}

}  // namespace cproc
