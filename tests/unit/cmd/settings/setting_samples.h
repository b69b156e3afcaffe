// A valid value other than the default for every setting of the table, so that the table tests
// can give each one and see what changes. A new setting without a sample fails those tests.
#pragma once

#include <doctest/doctest.h>

#include <map>
#include <string>
#include <string_view>

#include "cmd/settings/config.h"
#include "cmd/settings/settings.h"

namespace cproc::testing {

inline const std::map<std::string_view, std::string_view>& SettingSamples() {
  static const std::map<std::string_view, std::string_view> samples = {
      {"web.listen-address", "127.0.0.1:9999"},
      {"web.telemetry-path", "/m"},
      {"web.max-requests", "5"},
      {"web.request-timeout", "10s"},
      {"web.config.file", "/etc/cproc_exporter/web.yml"},
      {"path.procfs", "/host/proc"},
      {"path.sysfs", "/host/sys"},
      {"path.rootfs", "/host/root"},
      {"runtime.docker-root", "/srv/docker"},
      {"scan.interval", "1s"},
      {"scan.revalidate-every", "7"},
      {"scan.kept-descriptors", "100"},
      {"scan.threads", "3"},
      {"events.source", "off"},
      {"events.buffer-bytes", "65536"},
      {"log.level", "debug"},
      {"log.format", "json"},
      {"config.file", "/etc/cproc_exporter/other.yml"},
      {"namespace-sharing.allow", "node-exporter*"},
      {"runtime.bundle-roots", "/run/x"},
      {"runtime.storage-roots", "/var/lib/x"},
  };
  return samples;
}

inline std::string_view SampleOf(const Setting& setting) {
  const auto found = SettingSamples().find(setting.name);
  REQUIRE_MESSAGE(found != SettingSamples().end(),
                  "no sample value for " << std::string(setting.name));
  return found->second;
}

// The defaults but for `setting`, given its sample as the flag or the file would give it (a list
// as its only entry).
inline Config WithSample(const Setting& setting) {
  Config config;
  if (setting.value.start_list != nullptr) {
    setting.value.start_list(config);
    REQUIRE(setting.value.parse(SampleOf(setting), config).ok());
  } else {
    REQUIRE(ApplySetting(setting, setting.name, SampleOf(setting), config).ok());
  }
  return config;
}

}  // namespace cproc::testing
