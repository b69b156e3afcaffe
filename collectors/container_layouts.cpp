#include "collectors/container_layouts.h"

namespace cproc {
namespace {

bool IsLowerHex(std::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

bool IdMatches(ContainerLayout::Id kind, std::string_view id) {
  switch (kind) {
    case ContainerLayout::Id::kHex64: return id.size() == 64 && IsLowerHex(id);
  }
  return false;
}

std::optional<std::string_view> IdInComponent(const ContainerLayout& layout,
                                              std::string_view component) {
  if (component.size() <= layout.prefix.size() + layout.suffix.size()) return std::nullopt;
  if (!component.starts_with(layout.prefix) || !component.ends_with(layout.suffix)) {
    return std::nullopt;
  }
  std::string_view id = component.substr(layout.prefix.size(),
                                         component.size() - layout.prefix.size() - layout.suffix.size());
  if (!IdMatches(layout.id, id)) return std::nullopt;
  return id;
}

}  // namespace

const std::vector<ContainerLayout>& DefaultContainerLayouts() {
  // One row per runtime layout (../shared/research/anchors-mission.md §b). Rows are tried in
  // order on each path component, leaf first.
  static const std::vector<ContainerLayout> kLayouts = {
      // dockerd --exec-opt native.cgroupdriver=cgroupfs (the default on cgroup v1):
      // /docker/<id>
      {.runtime = "docker", .name = "docker-cgroupfs", .prefix = "", .suffix = "",
       .parent = "docker"},
      // systemd driver (the default on cgroup v2): /system.slice/docker-<id>.scope; runc turns
      // cgroupsPath "system.slice:docker:<id>" into this unit name.
      {.runtime = "docker", .name = "docker-systemd", .prefix = "docker-", .suffix = ".scope",
       .parent = ""},
  };
  return kLayouts;
}

std::optional<ContainerMatch> MatchContainer(std::string_view cgroup_path,
                                             const std::vector<ContainerLayout>& layouts) {
  // Components end where a '/' starts; scanning from the leaf finds the innermost container.
  std::size_t end = cgroup_path.size();
  while (end > 0) {
    const std::size_t slash = cgroup_path.rfind('/', end - 1);
    const std::size_t begin = slash == std::string_view::npos ? 0 : slash + 1;
    const std::string_view component = cgroup_path.substr(begin, end - begin);
    std::string_view parent;
    if (slash != std::string_view::npos && slash > 0) {
      const std::size_t parent_slash = cgroup_path.rfind('/', slash - 1);
      const std::size_t parent_begin = parent_slash == std::string_view::npos ? 0 : parent_slash + 1;
      parent = cgroup_path.substr(parent_begin, slash - parent_begin);
    }
    for (const ContainerLayout& layout : layouts) {
      if (!layout.parent.empty() && parent != layout.parent) continue;
      if (auto id = IdInComponent(layout, component)) {
        return ContainerMatch{layout.runtime, std::string(*id),
                              std::string(cgroup_path.substr(0, end))};
      }
    }
    if (slash == std::string_view::npos || slash == 0) break;
    end = slash;
  }
  return std::nullopt;
}

}  // namespace cproc
