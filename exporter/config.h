// Settings of the exporter. Defaults < YAML config file < command-line flags.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/expected.h"

namespace cproc {

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

}  // namespace cproc
