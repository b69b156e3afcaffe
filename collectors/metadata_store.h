// Finds and caches each container's metadata in the files its runtime keeps (no runtime socket,
// no network). A container whose files are not there yet is retried later; a lookup never
// blocks a scan for long: a few small local files per new container.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "collectors/runtime_metadata.h"

namespace cproc {

struct MetadataPaths {
  std::string rootfs = "/";  // the host's root (node_exporter's --path.rootfs): "/host/root"
  std::string docker_root = "/var/lib/docker";
  // OCI bundles: <root>/<containerd namespace>/<id>/config.json.
  std::vector<std::string> bundle_roots = {
      "/run/containerd/io.containerd.runtime.v2.task",
      "/run/docker/containerd/daemon/io.containerd.runtime.v2.task",
      "/run/k3s/containerd/io.containerd.runtime.v2.task"};
  // containers/storage (CRI-O and Podman): <root>/overlay-containers/<id>/userdata/config.json.
  std::vector<std::string> storage_roots = {"/run/containers/storage",
                                            "/var/lib/containers/storage"};
  double retry_seconds = 30;
};

struct MetadataLookup {
  const ContainerMetadata* metadata = nullptr;  // null: nothing found (yet)
  std::string_view runtime;  // the runtime whose files named it (may correct the layout's guess)
};

class MetadataStore {
 public:
  explicit MetadataStore(MetadataPaths paths) : paths_(std::move(paths)) {}

  MetadataLookup Lookup(std::string_view runtime, const std::string& id, double now_seconds);

  // Whether containerd keeps a bundle for container `id` in namespace `ns` (confirms the
  // generic "/<namespace>/<id>" cgroup layout).
  bool HasBundle(std::string_view ns, std::string_view id) const;

  // Drops entries not looked up since the previous call: containers that are gone.
  void ForgetUnused();

  std::size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    bool found = false;
    ContainerMetadata metadata;
    std::string_view runtime;
    double next_retry = 0;
    bool used = false;
  };

  bool FromDocker(const std::string& id, Entry& entry) const;
  bool FromBundles(const std::string& id, Entry& entry) const;
  bool FromStorage(const std::string& id, Entry& entry) const;
  std::string Host(const std::string& path) const;

  MetadataPaths paths_;
  std::unordered_map<std::string, Entry> entries_;  // by "<runtime>://<id>"
};

}  // namespace cproc
