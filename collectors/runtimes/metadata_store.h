// Finds and caches each container's metadata in the files its runtime keeps (no runtime socket,
// no network). A container whose files are not there yet is retried later; a lookup never
// blocks a scan for long: a few small local files per new container.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "collectors/runtimes/libpod_state.h"
#include "collectors/runtimes/runtime_metadata.h"
#include "collectors/snapshot.h"

namespace cproc {

// OCI bundles: <root>/<containerd namespace>/<id>/config.json (containerd, Docker's own
// containerd, k3s/rke2).
const std::vector<std::string>& DefaultBundleRoots();
// containers/storage (CRI-O and Podman, as root): <root>/<driver>-containers/ holds
// containers.json and <id>/userdata/config.json; the run root may hold volatile-containers.json
// and CRI-O's bundles; Podman's graph root holds libpod/bolt_state.db (its pods' names).
const std::vector<std::string>& DefaultStorageRoots();

struct MetadataPaths {
  std::string rootfs = "/";  // the host's root (node_exporter's --path.rootfs): "/host/root"
  // Docker's data-root on the host. Empty: the "data-root" of <rootfs>/etc/docker/daemon.json,
  // else /var/lib/docker (looked up once, when the store is made).
  std::string docker_root;
  // Host paths; a root may hold glob patterns (glob(7)), e.g. the rootless Podman storage of
  // every user, /home/*/.local/share/containers/storage: every matching directory is trusted
  // to name the containers it lists, so list the roots of the machine's own runtimes first.
  std::vector<std::string> bundle_roots = DefaultBundleRoots();
  std::vector<std::string> storage_roots = DefaultStorageRoots();
  double retry_seconds = 30;
};

// Owns what it says: a lookup is read after the scan that made it may have freed its inputs.
struct MetadataLookup {
  const ContainerMetadata* metadata = nullptr;  // null: nothing found (yet); the store's entry
  std::string runtime;  // the runtime whose files named it (may correct the layout's guess)
  // False while a write is in flight: a Podman container already in containers.json that
  // libpod's state (readable, so it will) does not know yet, so its pod is not known yet.
  bool complete = true;
};

class MetadataStore {
 public:
  explicit MetadataStore(MetadataPaths paths);

  MetadataLookup Lookup(std::string_view runtime, const std::string& id, double now_seconds);

  // For layout rows that need confirmation (container_layouts.h, LayoutConfirmer): whether
  // `runtime`'s files know container `id` under cgroup parent `parent`. containerd: a bundle in
  // namespace `parent`; docker: <docker-root>/containers/<id>/config.v2.json, whatever the
  // parent (--cgroup-parent is free). Other runtimes: false.
  bool Confirms(std::string_view runtime, std::string_view parent, std::string_view id) const;

  // Whether containerd keeps a bundle for container `id` in namespace `ns` (confirms the
  // generic "/<namespace>/<id>" cgroup layout).
  bool HasBundle(std::string_view ns, std::string_view id) const;

  // Drops entries not looked up since the previous call: containers that are gone.
  void ForgetUnused();

  std::size_t size() const { return entries_.size(); }
  const RuntimeFileErrors& errors() const { return errors_; }
  const std::string& docker_root() const { return paths_.docker_root; }  // as resolved

 private:
  // Kept across scans, so it owns every byte: never a view into a scan's Container (whose
  // strings are freed with its snapshot).
  struct Entry {
    bool found = false;
    ContainerMetadata metadata;
    std::string runtime;
    double next_retry = 0;
    bool used = false;
    // Podman: found, but no libpod state database knew it yet (its pod would be unnamed).
    bool pod_pending = false;
    bool state_expected = false;  // a libpod state was readable when it did not know the container
  };
  // One parsed containers.json, kept until the file changes (it is rewritten whenever a
  // container is made or removed, and may list thousands).
  struct StorageList {
    uint64_t inode = 0;
    int64_t size = -1;
    int64_t mtime_ns = -1;
    std::unordered_map<std::string, StorageContainer> by_id;
  };
  // A file's version: Podman rewrites its state database in place.
  struct FileStamp {
    uint64_t inode = 0;
    int64_t size = -1;
    int64_t mtime_ns = -1;
    bool operator==(const FileStamp&) const = default;
  };
  // One libpod state database (<storage root>/libpod/bolt_state.db) as last read.
  struct LibpodDb {
    FileStamp read;     // the version last read whole, parsed or not: not read again
    bool good = false;  // `state` holds a parse (maybe of an earlier version)
    LibpodState state;
    double retry_after = 0;  // it changed while being read: read it again from then on
  };

  bool FromDocker(const std::string& id, Entry& entry) const;
  bool FromBundles(const std::string& id, Entry& entry) const;
  bool FromStorage(const std::string& id, Entry& entry);
  const StorageContainer* Listed(const std::string& list_path, const std::string& id);
  // Podman's pod of container `id` (pod_uid, pod_name; its name when none is known yet) from the
  // state databases under the storage roots; true when one knows the container. `unsettled`:
  // a database changed while it was read (the last good read was used).
  // `any_state`: some state database could be read (one that does not know the container yet
  // will, once Podman's write is in).
  bool FromLibpod(const std::string& id, Entry& entry, double now_seconds, bool& unsettled,
                  bool& any_state);
  const LibpodState* LibpodAt(const std::string& path, double now_seconds, bool& unsettled);
  std::string Host(const std::string& path) const;
  // <docker-root>/containers/<id> on this machine: config.v2.json and hostconfig.json.
  std::string DockerContainerDir(const std::string& id) const;
  std::vector<std::string> HostRoots(const std::vector<std::string>& roots) const;
  std::string FindDockerRoot() const;

  MetadataPaths paths_;
  mutable RuntimeFileErrors errors_;                      // lookups are const, counting is not
  std::unordered_map<std::string, Entry> entries_;        // by "<runtime>://<id>"
  std::unordered_map<std::string, StorageList> lists_;    // by the list's path on this machine
  std::unordered_map<std::string, LibpodDb> libpod_dbs_;  // by the file's path on this machine
};

}  // namespace cproc
