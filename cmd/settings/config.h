// Settings of the exporter. Defaults < YAML config file < command-line flags.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/base/expected.h"

namespace cproc {

struct MetadataPaths;  // collectors/runtimes/metadata_store.h

struct Config {
  std::string web_listen_address = ":19256";
  std::string web_telemetry_path = "/metrics";
  int web_max_requests = 40;
  // Below Prometheus' default 10s scrape timeout, so a slow client holding a worker is dropped
  // before a scrape it delays would time out.
  std::chrono::milliseconds web_request_timeout{5000};
  std::string web_config_file;  // exporter-toolkit web config: TLS and basic auth
  std::string path_procfs = "/proc";
  std::string path_sysfs = "/sys";
  std::string path_rootfs = "/";  // the host's root, where runtimes keep their files
  std::string runtime_docker_root = "/var/lib/docker";
  // Whether runtime.docker-root was set (flag or file); if not, Docker's own daemon.json under
  // path.rootfs says where its data-root is (collectors/runtimes/metadata_store.h).
  bool runtime_docker_root_given = false;
  // Where containerd-style OCI bundles and containers/storage (CRI-O, Podman) live on the host.
  // Unset: the built-in lists (DefaultBundleRoots, DefaultStorageRoots); an empty list turns
  // the lookup off. YAML only: runtime: {bundle_roots: [...], storage_roots: [...]}.
  std::optional<std::vector<std::string>> runtime_bundle_roots;
  std::optional<std::vector<std::string>> runtime_storage_roots;
  std::chrono::milliseconds scan_interval{5000};
  uint32_t scan_revalidate_every = 20;
  std::string log_level = "info";     // debug, info, warn, error
  std::string log_format = "logfmt";  // logfmt, json
  std::string config_file;
  // Glob patterns (fnmatch) on the container name or id whose namespace sharing is expected:
  // node agents such as this exporter. YAML only: namespace_sharing: {allow: [...]}.
  std::vector<std::string> namespace_sharing_allow;
};

// Parses a Prometheus-style duration: "5s", "1m30s", "250ms", "1h".
Expected<std::chrono::milliseconds> ParseDuration(std::string_view text);

// One setting by its flag name without the leading dashes ("scan.interval"), from text.
// Both the YAML loader and the flag parser go through here, so they validate the same way.
Expected<bool> ApplySetting(Config& config, std::string_view name, std::string_view value);

// Reads a YAML config file into `config`. Errors name the file, line and what was expected.
Expected<bool> LoadConfigFile(const std::string& path, Config& config);

// Where the scanner looks for the runtimes' files (path.rootfs, runtime.*), built-in defaults
// for what the config leaves unset.
MetadataPaths MetadataPathsOf(const Config& config);

}  // namespace cproc
