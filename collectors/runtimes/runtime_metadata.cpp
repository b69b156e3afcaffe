#include "collectors/runtimes/runtime_metadata.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <initializer_list>

#include "collectors/base/signals.h"
#include "collectors/runtimes/container_layouts.h"

namespace cproc {
namespace {

using nlohmann::json;

std::string StringAt(const json& object, std::string_view key) {
  if (!object.is_object()) return {};
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// The first non-empty value among several keys (runtimes name the same fact differently).
std::string FirstOf(const json& object, std::initializer_list<std::string_view> keys) {
  for (std::string_view key : keys) {
    if (std::string value = StringAt(object, key); !value.empty()) return value;
  }
  return {};
}

void SetDeclared(ContainerMetadata& m, NsKind kind, int8_t value) {
  m.declared_host[static_cast<std::size_t>(kind)] = value;
}

// Docker's modes: "host" shares the host's namespace; "", "private", "shareable", "none" and
// "container:<id>" do not.
int8_t HostMode(const std::string& mode) { return mode == "host" ? 1 : 0; }

Expected<json> Parse(std::string_view text, std::string_view what) {
  json parsed = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    return Error{std::string(what) + ": expected a JSON object"};
  }
  return parsed;
}

// Podman's systemd form is "<pod slice>:libpod:<id>", the cgroupfs form a path: any component
// (split at '/' and ':') that is a Podman pod slice.
std::string PodmanPodOfCgroupsPath(std::string_view path) {
  std::size_t begin = 0;
  while (begin < path.size()) {
    const std::size_t end = path.find_first_of("/:", begin);
    const std::string_view part =
        path.substr(begin, end == std::string_view::npos ? std::string_view::npos : end - begin);
    if (auto pod = PodmanPodIdOfComponent(part)) return *pod;
    if (end == std::string_view::npos) break;
    begin = end + 1;
  }
  return {};
}

// A stop signal written as a name or a number, in a string or as a JSON number; 0 when absent
// or not a signal (the runtime falls back to SIGTERM, and so does the exporter). Like other odd
// field values, not a parse error: the rest of the file is good.
int StopSignalAt(const json& object, std::string_view key) {
  if (!object.is_object()) return 0;
  auto it = object.find(key);
  if (it == object.end()) return 0;
  if (it->is_number_unsigned()) {
    const auto number = it->get<uint64_t>();
    return number <= static_cast<uint64_t>(kSignalMax) ? static_cast<int>(number) : 0;
  }
  return it->is_string() ? ParseSignal(it->get_ref<const std::string&>()).value_or(0) : 0;
}

}  // namespace

Expected<ContainerMetadata> ParseDockerMetadata(std::string_view config_v2_json,
                                                std::string_view hostconfig_json) {
  auto config = Parse(config_v2_json, "config.v2.json");
  if (!config) return Error{config.error()};
  ContainerMetadata m;
  m.name = StringAt(*config, "Name");
  if (!m.name.empty() && m.name.front() == '/') m.name.erase(0, 1);
  const json& inner = config->contains("Config") ? (*config)["Config"] : json();
  m.image = StringAt(inner, "Image");
  m.stop_signal = StopSignalAt(inner, "StopSignal");
  // cri-dockerd (Kubernetes on Docker) labels its containers.
  const json& labels = inner.is_object() && inner.contains("Labels") ? inner["Labels"] : json();
  m.pod_name = StringAt(labels, "io.kubernetes.pod.name");
  m.pod_namespace = StringAt(labels, "io.kubernetes.pod.namespace");
  m.pod_uid = StringAt(labels, "io.kubernetes.pod.uid");
  if (std::string k8s_name = StringAt(labels, "io.kubernetes.container.name"); !k8s_name.empty()) {
    m.name = k8s_name;
    m.sandbox = k8s_name == "POD";
  }

  if (hostconfig_json.empty()) return m;
  auto host = Parse(hostconfig_json, "hostconfig.json");
  if (!host) return Error{host.error()};
  SetDeclared(m, NsKind::kPid, HostMode(StringAt(*host, "PidMode")));
  SetDeclared(m, NsKind::kNet, HostMode(StringAt(*host, "NetworkMode")));
  SetDeclared(m, NsKind::kIpc, HostMode(StringAt(*host, "IpcMode")));
  SetDeclared(m, NsKind::kUts, HostMode(StringAt(*host, "UTSMode")));
  SetDeclared(m, NsKind::kMnt, 0);  // Docker always gives a container its own mounts
  if (std::string cgroupns = StringAt(*host, "CgroupnsMode"); !cgroupns.empty()) {
    SetDeclared(m, NsKind::kCgroup, HostMode(cgroupns));
  }
  // "" means the daemon's default, which depends on userns-remap: not declared here.
  if (StringAt(*host, "UsernsMode") == "host") SetDeclared(m, NsKind::kUser, 1);
  return m;
}

Expected<ContainerMetadata> ParseOciConfig(std::string_view config_json) {
  auto config = Parse(config_json, "config.json");
  if (!config) return Error{config.error()};
  ContainerMetadata m;
  const json& annotations = config->contains("annotations") ? (*config)["annotations"] : json();
  m.name = FirstOf(annotations, {"io.kubernetes.cri.container-name", "io.kubernetes.container.name",
                                 "nerdctl/name"});
  m.pod_name = FirstOf(annotations, {"io.kubernetes.cri.sandbox-name", "io.kubernetes.pod.name"});
  m.pod_namespace =
      FirstOf(annotations, {"io.kubernetes.cri.sandbox-namespace", "io.kubernetes.pod.namespace"});
  m.pod_uid = FirstOf(annotations, {"io.kubernetes.cri.sandbox-uid", "io.kubernetes.pod.uid"});
  m.image = FirstOf(annotations, {"io.kubernetes.cri.image-name", "io.kubernetes.cri-o.ImageName",
                                  "org.opencontainers.image.ref.name"});
  const std::string type = FirstOf(
      annotations, {"io.kubernetes.cri.container-type", "io.kubernetes.cri-o.ContainerType"});
  m.sandbox = type == "sandbox";
  if (m.sandbox && m.name.empty()) m.name = "POD";
  for (std::string_view key :
       {"org.opencontainers.image.stopSignal", "io.containerd.image.config.stop-signal"}) {
    if (m.stop_signal == 0) m.stop_signal = StopSignalAt(annotations, key);
  }

  const json& linux = config->contains("linux") ? (*config)["linux"] : json();
  if (m.pod_uid.empty()) m.pod_uid = PodmanPodOfCgroupsPath(StringAt(linux, "cgroupsPath"));
  if (!linux.is_object() || !linux.contains("namespaces") || !linux["namespaces"].is_array()) {
    return m;
  }
  // OCI runtime spec names; a listed kind without "path" is new, with "path" joins another
  // (a sandbox's, usually), and an absent kind is inherited from the runtime: the host's.
  constexpr std::pair<std::string_view, NsKind> kOciKinds[] = {
      {"pid", NsKind::kPid},       {"network", NsKind::kNet}, {"ipc", NsKind::kIpc},
      {"uts", NsKind::kUts},       {"mount", NsKind::kMnt},   {"user", NsKind::kUser},
      {"cgroup", NsKind::kCgroup}, {"time", NsKind::kTime}};
  for (const auto& [oci_name, kind] : kOciKinds) {
    int8_t host = 1;
    for (const json& ns : linux["namespaces"]) {
      if (StringAt(ns, "type") != oci_name) continue;
      const std::string path = StringAt(ns, "path");
      // Joining PID 1's namespace by path is host sharing spelled differently.
      host = path.starts_with("/proc/1/ns/") ? 1 : 0;
    }
    SetDeclared(m, kind, host);
  }
  return m;
}

Expected<std::vector<StorageContainer>> ParseStorageContainers(std::string_view containers_json) {
  json list = json::parse(containers_json, nullptr, /*allow_exceptions=*/false);
  if (list.is_discarded() || !list.is_array()) {
    return Error{"containers.json: expected a JSON array"};
  }
  std::vector<StorageContainer> out;
  out.reserve(list.size());
  for (const json& entry : list) {
    StorageContainer c;
    c.id = StringAt(entry, "id");
    if (c.id.empty()) continue;
    // The metadata is JSON inside a string, written by the runtime that created the container.
    const json metadata = json::parse(StringAt(entry, "metadata"), nullptr, false);
    std::string first_name;
    if (entry.contains("names") && entry["names"].is_array() && !entry["names"].empty() &&
        entry["names"][0].is_string()) {
      first_name = entry["names"][0].get<std::string>();
    }
    c.name = StringAt(metadata, "metadata-name");
    if (c.name.empty()) c.name = first_name;
    if (c.name.empty()) c.name = StringAt(metadata, "name");
    c.image = StringAt(metadata, "image-name");
    out.push_back(std::move(c));
  }
  return out;
}

Expected<std::string> ParseDockerDataRoot(std::string_view daemon_json) {
  auto daemon = Parse(daemon_json, "daemon.json");
  if (!daemon) return Error{daemon.error()};
  std::string root = FirstOf(*daemon, {"data-root", "graph"});
  if (!root.empty() && root.front() != '/') {
    return Error{"daemon.json: data-root '" + root + "' is not an absolute path"};
  }
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  return root;
}

}  // namespace cproc
