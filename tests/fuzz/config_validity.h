// What every successfully loaded Config must satisfy, whatever the YAML or the flags said.
#pragma once

#include "cmd/settings/config.h"
#include "tests/fuzz/fuzz_check.h"

namespace cproc_fuzz {

inline void CheckConfig(const cproc::Config& c) {
  FUZZ_CHECK(!c.web_listen_address.empty());
  FUZZ_CHECK(!c.web_telemetry_path.empty() && c.web_telemetry_path.front() == '/');
  FUZZ_CHECK(c.web_telemetry_path != "/" && c.web_telemetry_path != "/-/healthy");
  FUZZ_CHECK(c.web_max_requests >= 0 && c.web_max_requests <= 10000);
  FUZZ_CHECK(c.web_request_timeout.count() >= 100);
  FUZZ_CHECK(!c.path_procfs.empty() && !c.path_sysfs.empty());
  FUZZ_CHECK(!c.path_rootfs.empty() && c.path_rootfs.front() == '/');
  FUZZ_CHECK(!c.runtime_docker_root.empty() && c.runtime_docker_root.front() == '/');
  FUZZ_CHECK(c.scan_interval.count() >= 100);
  FUZZ_CHECK(c.scan_revalidate_every >= 1 && c.scan_revalidate_every <= 1000);
  FUZZ_CHECK(c.log_level == "debug" || c.log_level == "info" || c.log_level == "warn" ||
             c.log_level == "error");
  FUZZ_CHECK(c.log_format == "logfmt" || c.log_format == "json");
  for (const auto& pattern : c.namespace_sharing_allow) FUZZ_CHECK(!pattern.empty());
}

}  // namespace cproc_fuzz
