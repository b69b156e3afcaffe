#include "collectors/runtimes/metadata_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <mutex>

#include <spdlog/spdlog.h>

#include "collectors/base/proc_files.h"
#include "collectors/runtimes/host_paths.h"

namespace cproc {
namespace {

constexpr std::size_t kMaxMetadataBytes = 4 << 20;  // runtime files are KiB; refuse anything odd
// containers.json lists every container of a storage (~1 KiB each): room for tens of thousands.
constexpr std::size_t kMaxListBytes = 32 << 20;
// libpod's bolt_state.db: a few KiB per container and pod (its JSON configs), in pages.
constexpr std::size_t kMaxLibpodStateBytes = 64 << 20;
// A state database that changed while it was read is read again after this long, not sooner.
constexpr double kUnsettledRetrySeconds = 1;
constexpr char kDefaultDockerRoot[] = "/var/lib/docker";

// Counts what is not "not there (yet)": a runtime's file that exists but cannot be read.
void CountReadError(ReadResult result, const std::string& path, RuntimeFileErrors& errors) {
  if (result == ReadResult::kPermission) ++errors.permission;
  if (result == ReadResult::kIo) ++errors.io;
  if (result == ReadResult::kPermission) {
    // Runtimes keep these files root-only: say so once, not per container and scan.
    static std::once_flag warned;
    std::call_once(warned, [&] {
      spdlog::warn(
          "cannot read {}: permission denied; container names and images need "
          "CAP_DAC_READ_SEARCH (the short id is shown instead)",
          path);
    });
  }
}

bool ReadSmall(const std::string& path, std::string& out, RuntimeFileErrors& errors,
               std::size_t max_bytes = kMaxMetadataBytes) {
  const ReadResult result = ReadRegularFileAt(AT_FDCWD, path.c_str(), out, max_bytes);
  CountReadError(result, path, errors);
  return result == ReadResult::kOk;
}

bool SafeId(const std::string& id) {
  return !id.empty() && id.find('/') == std::string::npos && id != "." && id != "..";
}

}  // namespace

const std::vector<std::string>& DefaultBundleRoots() {
  static const std::vector<std::string> kRoots = {
      "/run/containerd/io.containerd.runtime.v2.task",
      "/run/docker/containerd/daemon/io.containerd.runtime.v2.task",
      "/run/k3s/containerd/io.containerd.runtime.v2.task"};
  return kRoots;
}

const std::vector<std::string>& DefaultStorageRoots() {
  // Rootful graph and run roots, then rootless Podman's run roots ($XDG_RUNTIME_DIR/containers,
  // or /tmp/podman-run-<uid>/containers without it): their pidfiles find containers no cgroup
  // names (runtime_pidfiles.h), their volatile lists name --rm ones.
  static const std::vector<std::string> kRoots = {
      "/run/containers/storage", "/var/lib/containers/storage", "/run/user/*/containers",
      "/tmp/podman-run-*/containers"};
  return kRoots;
}

MetadataStore::MetadataStore(MetadataPaths paths) : paths_(std::move(paths)) {
  if (paths_.docker_root.empty()) paths_.docker_root = FindDockerRoot();
}

std::string MetadataStore::Host(const std::string& path) const {
  return HostPath(paths_.rootfs, path);
}

std::string MetadataStore::DockerContainerDir(const std::string& id) const {
  return Host(paths_.docker_root) + "/containers/" + id;
}

std::vector<std::string> MetadataStore::HostRoots(const std::vector<std::string>& roots) const {
  return ExpandHostRoots(paths_.rootfs, roots);
}

// dockerd's own default unless its config moves it (dockerd(8), "data-root").
std::string MetadataStore::FindDockerRoot() const {
  const std::string path = Host("/etc/docker/daemon.json");
  std::string text;
  if (!ReadSmall(path, text, errors_)) return kDefaultDockerRoot;
  auto root = ParseDockerDataRoot(text);
  if (!root) {
    ++errors_.parse;
    spdlog::warn("{}: {}; looking for Docker's files in {}", path, root.error(),
                 kDefaultDockerRoot);
    return kDefaultDockerRoot;
  }
  if (root->empty()) return kDefaultDockerRoot;
  spdlog::info("Docker's data-root is {} (from {})", *root, path);
  return *root;
}

bool MetadataStore::FromDocker(const std::string& id, Entry& entry) const {
  const std::string dir = DockerContainerDir(id);
  std::string config, hostconfig;
  if (!ReadSmall(dir + "/config.v2.json", config, errors_)) return false;
  if (!ReadSmall(dir + "/hostconfig.json", hostconfig, errors_)) hostconfig.clear();
  auto parsed = ParseDockerMetadata(config, hostconfig);
  if (!parsed) {
    ++errors_.parse;
    return false;
  }
  entry.metadata = std::move(*parsed);
  entry.runtime = "docker";
  return true;
}

bool MetadataStore::FromBundles(const std::string& id, Entry& entry) const {
  std::string config;
  for (const std::string& root : HostRoots(paths_.bundle_roots)) {
    for (const std::string& ns : DirectoryEntries(root)) {
      if (!ReadSmall(root + "/" + ns + "/" + id + "/config.json", config, errors_)) continue;
      auto parsed = ParseOciConfig(config);
      if (!parsed) {
        ++errors_.parse;
        continue;
      }
      entry.metadata = std::move(*parsed);
      return true;
    }
  }
  return false;
}

const StorageContainer* MetadataStore::Listed(const std::string& list_path, const std::string& id) {
  struct stat st {};
  if (::stat(list_path.c_str(), &st) != 0) {
    lists_.erase(list_path);
    return nullptr;
  }
  StorageList& list = lists_[list_path];
  const int64_t mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 +
                           static_cast<int64_t>(st.st_mtim.tv_nsec);
  // Written by an atomic rename: a new inode, size or time means a new list.
  if (list.inode != st.st_ino || list.size != st.st_size || list.mtime_ns != mtime_ns) {
    list = StorageList{};
    std::string text;
    bool current = false;
    if (ReadSmall(list_path, text, errors_, kMaxListBytes)) {
      if (auto parsed = ParseStorageContainers(text)) {
        for (StorageContainer& c : *parsed) list.by_id.emplace(c.id, std::move(c));
        current = true;
      } else {
        ++errors_.parse;
        spdlog::debug("{}: {}", list_path, parsed.error());  // mid-write or odd: read it again
      }
    }
    if (current) {
      list.inode = st.st_ino;
      list.size = st.st_size;
      list.mtime_ns = mtime_ns;
    }
  }
  auto it = list.by_id.find(id);
  return it == list.by_id.end() ? nullptr : &it->second;
}

// containers/storage keeps a container's OCI config in <driver>-containers/<id>/userdata and
// its names in <driver>-containers/[volatile-]containers.json; the two may be under different
// roots (graph root and run root), so every root is looked at before giving up.
bool MetadataStore::FromStorage(const std::string& id, Entry& entry) {
  ContainerMetadata metadata;
  bool have_config = false;
  const StorageContainer* listed = nullptr;
  std::string config;
  for (const std::string& root : HostRoots(paths_.storage_roots)) {
    for (const std::string& dir : DirectoryEntries(root)) {
      if (!dir.ends_with("-containers")) continue;  // overlay-containers, vfs-containers, ...
      const std::string base = root + "/" + dir;
      if (!have_config && ReadSmall(base + "/" + id + "/userdata/config.json", config, errors_)) {
        if (auto parsed = ParseOciConfig(config)) {
          metadata = std::move(*parsed);
          have_config = true;
        } else {
          ++errors_.parse;
        }
      }
      for (const char* list : {"/containers.json", "/volatile-containers.json"}) {
        if (listed == nullptr) listed = Listed(base + list, id);
      }
      if (have_config && listed != nullptr) break;
    }
    if (have_config && listed != nullptr) break;
  }
  if (!have_config && listed == nullptr) return false;
  // The OCI annotations (CRI-O's Kubernetes names) win; Podman has only the list.
  if (listed != nullptr) {
    if (metadata.name.empty()) metadata.name = listed->name;
    if (metadata.image.empty()) metadata.image = listed->image;
  }
  entry.metadata = std::move(metadata);
  return true;
}

// Podman 4 keeps its state in <graph root>/libpod/bolt_state.db (libpod/runtime.go: the
// engine's static dir, <graph root>/libpod by default), rewritten in place by every podman
// command that changes a container or pod. It is read whole, with its version checked before
// and after: a read that overlapped a write may mix pages of two transactions, so it is not
// trusted, the last good read is used and the file is read again at a later lookup.
const LibpodState* MetadataStore::LibpodAt(const std::string& path, double now_seconds,
                                           bool& unsettled) {
  const auto stamp_of = [](const struct stat& st) {
    return FileStamp{.inode = st.st_ino,
                     .size = st.st_size,
                     .mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 +
                                 static_cast<int64_t>(st.st_mtim.tv_nsec)};
  };
  struct stat before {};
  if (::stat(path.c_str(), &before) != 0) {
    const int error = errno;
    const ReadResult result = ClassifyErrno(error);
    if (result == ReadResult::kVanished || error == ENOTDIR) {
      libpod_dbs_.erase(path);  // no Podman state under this root
    } else {
      CountReadError(result, path, errors_);
    }
    return nullptr;
  }
  LibpodDb& db = libpod_dbs_[path];
  const LibpodState* last_good = db.good ? &db.state : nullptr;
  if (db.read == stamp_of(before)) return last_good;
  if (now_seconds < db.retry_after) {
    unsettled = true;
    return last_good;
  }
  Fd fd = OpenRegularFileAt(AT_FDCWD, path.c_str());
  if (!fd.valid()) {
    const ReadResult result = ClassifyErrno(errno);
    if (result != ReadResult::kVanished) CountReadError(result, path, errors_);
    return last_good;
  }
  struct stat opened {};
  struct stat after {};
  std::string bytes;
  const bool stat_opened = ::fstat(fd.get(), &opened) == 0;
  const ReadResult read = PreadWhole(fd.get(), bytes, kMaxLibpodStateBytes);
  if (!stat_opened || ::fstat(fd.get(), &after) != 0) {
    CountReadError(ReadResult::kIo, path, errors_);
    return last_good;
  }
  if (read != ReadResult::kOk) {
    CountReadError(read, path, errors_);  // kIo also when over the size bound
    db.read = stamp_of(after);
    return last_good;
  }
  if (!(stamp_of(opened) == stamp_of(after)) ||
      bytes.size() != static_cast<std::size_t>(after.st_size)) {
    spdlog::debug("{}: changed while being read; using the last good read", path);
    unsettled = true;
    db.retry_after = now_seconds + kUnsettledRetrySeconds;
    return last_good;
  }
  db.read = stamp_of(after);
  auto parsed = ParseLibpodState(bytes);
  if (!parsed) {
    ++errors_.parse;
    static std::once_flag warned;
    bool first = false;
    std::call_once(warned, [&] { first = true; });
    if (first) {
      spdlog::warn("{}: {}; Podman pods are not named from it (retried when it changes)", path,
                   parsed.error());
    } else {
      spdlog::debug("{}: {}", path, parsed.error());
    }
    return last_good;
  }
  if (parsed->skipped > 0) {
    ++errors_.parse;  // the rest is used
    spdlog::debug("{}: {} entries skipped, the first: {}", path, parsed->skipped,
                  parsed->first_problem);
  }
  db.state = std::move(*parsed);
  db.good = true;
  return &db.state;
}

// A Podman pod's name is only in libpod's state; its members' cgroups and OCI configs give its
// id. The infra container is a member like the others.
bool MetadataStore::FromLibpod(const std::string& id, Entry& entry, double now_seconds,
                               bool& unsettled, bool& any_state) {
  for (const std::string& root : HostRoots(paths_.storage_roots)) {
    const LibpodState* state = LibpodAt(root + "/libpod/bolt_state.db", now_seconds, unsettled);
    if (state == nullptr) continue;
    any_state = true;
    auto it = state->containers.find(id);
    if (it == state->containers.end()) continue;
    const LibpodContainer& container = it->second;
    if (entry.metadata.name.empty()) entry.metadata.name = container.name;
    // What `podman stop` sends; the OCI config's annotation is only a copy of it.
    if (container.stop_signal != 0) entry.metadata.stop_signal = container.stop_signal;
    if (!container.pod_id.empty()) {
      entry.metadata.pod_uid = container.pod_id;
      auto pod = state->pod_names.find(container.pod_id);
      entry.metadata.pod_name = pod == state->pod_names.end() ? std::string() : pod->second;
    }
    return true;
  }
  return false;
}

bool MetadataStore::HasBundle(std::string_view ns, std::string_view id) const {
  const std::string ns_name(ns), id_name(id);
  if (!SafeId(ns_name) || !SafeId(id_name)) return false;
  for (const std::string& root : HostRoots(paths_.bundle_roots)) {
    const std::string path = root + "/" + ns_name + "/" + id_name + "/config.json";
    if (::access(path.c_str(), F_OK) == 0) return true;
  }
  return false;
}

bool MetadataStore::Confirms(std::string_view runtime, std::string_view parent,
                             std::string_view id) const {
  if (runtime == "containerd") return HasBundle(parent, id);
  if (runtime != "docker") return false;
  const std::string id_name(id);
  if (!SafeId(id_name)) return false;
  return ::access((DockerContainerDir(id_name) + "/config.v2.json").c_str(), F_OK) == 0;
}

MetadataLookup MetadataStore::Lookup(std::string_view runtime, const std::string& id,
                                     double now_seconds) {
  auto [it, inserted] = entries_.try_emplace(ContainerId(runtime, id));
  Entry& entry = it->second;
  entry.used = true;
  if ((!entry.found || entry.pod_pending) && (inserted || now_seconds >= entry.next_retry) &&
      SafeId(id)) {
    if (!entry.found) {
      entry.runtime = runtime;
      if (runtime == "docker") {
        entry.found = FromDocker(id, entry) || FromBundles(id, entry);
      } else if (runtime == "containerd") {
        // A bare id under kubepods may be cri-dockerd's: Docker's files settle it.
        entry.found = FromBundles(id, entry) || FromDocker(id, entry);
      } else if (runtime == "cri-o" || runtime == "podman") {
        entry.found = FromStorage(id, entry) || FromBundles(id, entry);
      }
    }
    bool unsettled = false;
    if (runtime == "podman") {
      bool any_state = false;
      const bool known = FromLibpod(id, entry, now_seconds, unsettled, any_state);
      entry.found = entry.found || known;
      entry.pod_pending = entry.found && !known;  // asked again at the next retry
      // Incomplete only where a state is there to know it (Podman 5 keeps SQLite, not read
      // here) or will be once Podman's write is in: a database caught mid-write at the first
      // read has no last good read, yet it is there.
      entry.state_expected = any_state || unsettled;
    }
    entry.next_retry =
        now_seconds +
        (unsettled ? std::min(kUnsettledRetrySeconds, paths_.retry_seconds) : paths_.retry_seconds);
  }
  // Files that are not there at all stay so for long (permissions, a wrong root): not waited
  // for. What is waited for is a write in flight: Podman's state lagging its containers.json.
  return MetadataLookup{entry.found ? &entry.metadata : nullptr, entry.runtime,
                        !(entry.found && entry.pod_pending && entry.state_expected)};
}

void MetadataStore::ForgetUnused() {
  std::erase_if(entries_, [](const auto& item) { return !item.second.used; });
  for (auto& [key, entry] : entries_) entry.used = false;
}

}  // namespace cproc
