#include "collectors/metadata_store.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <mutex>

#include <spdlog/spdlog.h>

#include "collectors/proc_files.h"

namespace cproc {
namespace {

constexpr std::size_t kMaxMetadataBytes = 4 << 20;  // runtime files are KiB; refuse anything odd

bool ReadSmall(const std::string& path, std::string& out) {
  const ReadResult result = ReadFileAt(AT_FDCWD, path.c_str(), out, kMaxMetadataBytes);
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
  return result == ReadResult::kOk;
}

std::vector<std::string> Subdirectories(const std::string& dir) {
  std::vector<std::string> names;
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return names;
  while (const dirent* entry = ::readdir(d)) {
    if (entry->d_name[0] != '.') names.emplace_back(entry->d_name);
  }
  ::closedir(d);
  return names;
}

bool SafeId(const std::string& id) {
  return !id.empty() && id.find('/') == std::string::npos && id != "." && id != "..";
}

}  // namespace

std::string MetadataStore::Host(const std::string& path) const {
  if (paths_.rootfs.empty() || paths_.rootfs == "/") return path;
  return paths_.rootfs + path;
}

bool MetadataStore::FromDocker(const std::string& id, Entry& entry) const {
  const std::string dir = Host(paths_.docker_root) + "/containers/" + id;
  std::string config, hostconfig;
  if (!ReadSmall(dir + "/config.v2.json", config)) return false;
  if (!ReadSmall(dir + "/hostconfig.json", hostconfig)) hostconfig.clear();
  auto parsed = ParseDockerMetadata(config, hostconfig);
  if (!parsed) return false;
  entry.metadata = std::move(*parsed);
  entry.runtime = "docker";
  return true;
}

bool MetadataStore::FromBundles(const std::string& id, Entry& entry) const {
  std::string config;
  for (const std::string& root : paths_.bundle_roots) {
    const std::string host_root = Host(root);
    for (const std::string& ns : Subdirectories(host_root)) {
      if (!ReadSmall(host_root + "/" + ns + "/" + id + "/config.json", config)) continue;
      auto parsed = ParseOciConfig(config);
      if (!parsed) continue;
      entry.metadata = std::move(*parsed);
      return true;
    }
  }
  return false;
}

bool MetadataStore::FromStorage(const std::string& id, Entry& entry) const {
  std::string config;
  for (const std::string& root : paths_.storage_roots) {
    if (!ReadSmall(Host(root) + "/overlay-containers/" + id + "/userdata/config.json", config)) {
      continue;
    }
    auto parsed = ParseOciConfig(config);
    if (!parsed) continue;
    entry.metadata = std::move(*parsed);
    return true;
  }
  return false;
}

bool MetadataStore::HasBundle(std::string_view ns, std::string_view id) const {
  const std::string ns_name(ns), id_name(id);
  if (!SafeId(ns_name) || !SafeId(id_name)) return false;
  for (const std::string& root : paths_.bundle_roots) {
    const std::string path = Host(root) + "/" + ns_name + "/" + id_name + "/config.json";
    if (::access(path.c_str(), F_OK) == 0) return true;
  }
  return false;
}

MetadataLookup MetadataStore::Lookup(std::string_view runtime, const std::string& id,
                                     double now_seconds) {
  auto [it, inserted] = entries_.try_emplace(std::string(runtime) + "://" + id);
  Entry& entry = it->second;
  entry.used = true;
  if (!entry.found && (inserted || now_seconds >= entry.next_retry) && SafeId(id)) {
    entry.runtime = runtime;
    if (runtime == "docker") {
      entry.found = FromDocker(id, entry) || FromBundles(id, entry);
    } else if (runtime == "containerd") {
      // A bare id under kubepods may be cri-dockerd's: Docker's files settle it.
      entry.found = FromBundles(id, entry) || FromDocker(id, entry);
    } else if (runtime == "cri-o" || runtime == "podman") {
      entry.found = FromStorage(id, entry) || FromBundles(id, entry);
    }
    entry.next_retry = now_seconds + paths_.retry_seconds;
  }
  return MetadataLookup{entry.found ? &entry.metadata : nullptr, entry.runtime};
}

void MetadataStore::ForgetUnused() {
  std::erase_if(entries_, [](const auto& item) { return !item.second.used; });
  for (auto& [key, entry] : entries_) entry.used = false;
}

}  // namespace cproc
