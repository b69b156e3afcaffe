// Settings of the exporter. Defaults < YAML config file < command-line flags.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cproc {

struct MetadataPaths;  // collectors/runtimes/metadata_store.h

// The typed result of the settings. What each field means, its default and how it is checked
// are in the settings table (cmd/settings/settings.cpp), by the field's dotted name:
// web_listen_address is web.listen-address.
struct Config {
  Config();  // the table's defaults

  std::string web_listen_address;
  std::string web_telemetry_path;
  int web_max_requests = 0;
  std::chrono::milliseconds web_request_timeout{0};
  std::string web_config_file;
  std::string path_procfs;
  std::string path_sysfs;
  std::string path_rootfs;
  std::string runtime_docker_root;
  bool runtime_docker_root_given = false;  // not given: Docker's daemon.json says
  // Unset: the built-in lists (DefaultBundleRoots, DefaultStorageRoots).
  std::optional<std::vector<std::string>> runtime_bundle_roots;
  std::optional<std::vector<std::string>> runtime_storage_roots;
  std::chrono::milliseconds scan_interval{0};
  uint32_t scan_revalidate_every = 0;
  uint32_t scan_kept_descriptors = 0;
  uint32_t scan_threads = 0;
  std::string events_source;
  int events_buffer_bytes = 0;
  std::string log_level;
  std::string log_format;
  std::string config_file;
  std::vector<std::string> namespace_sharing_allow;
};

// Where the scanner looks for the runtimes' files (path.rootfs, runtime.*), built-in defaults
// for what the config leaves unset.
MetadataPaths MetadataPathsOf(const Config& config);

}  // namespace cproc
