// Which cgroup paths are containers. Every runtime layout is one row of data (a table in
// container_layouts.cpp); matching is one generic routine over path components.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cproc {

// What one runtime's container cgroup component looks like.
struct ContainerLayout {
  std::string_view runtime;   // "docker", used in container_id = "<runtime>://<id>"
  std::string_view name;      // the row's name, for tests and logs ("docker-systemd")
  std::string_view prefix;    // literal before the id in the component: "docker-"
  std::string_view suffix;    // literal after the id: ".scope"
  std::string_view parent;    // required parent component ("docker"), empty for any
  enum class Id { kHex64 } id = Id::kHex64;
};

const std::vector<ContainerLayout>& DefaultContainerLayouts();

struct ContainerMatch {
  std::string_view runtime;
  std::string id;
  std::string cgroup;  // the path up to and including the container's component
};

// Scans the path's components from the leaf up and returns the innermost container, so that
// cgroups a container creates below its own (systemd inside, DinD) still resolve to it.
std::optional<ContainerMatch> MatchContainer(std::string_view cgroup_path,
                                             const std::vector<ContainerLayout>& layouts);

}  // namespace cproc
