// What a SIGHUP does with the re-read settings: which it applies to the running exporter and
// which changed but wait for a restart, as the settings table says (OnSighup). Pure, so that it
// is tested without signals; cmd/main.cpp Reload logs the names.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "cmd/settings/config.h"

namespace cproc {

struct SettingChanges {
  std::vector<std::string_view> live;     // applied by SIGHUP
  std::vector<std::string_view> restart;  // kept at their running values until a restart
};

// The settings whose values differ between `old` and `next`, by name, in the table's order.
SettingChanges ChangedSettings(const Config& old, const Config& next);

// All that Reload hands to the running exporter: the settings the table marks live, and only
// them (tests/unit/cmd/settings/reload_test.cpp holds the two together).
struct LiveSettings {
  std::string log_level;
  std::string log_format;
  std::chrono::milliseconds scan_interval;
  std::vector<std::string> namespace_sharing_allow;

  bool operator==(const LiveSettings&) const = default;
};

LiveSettings LiveSettingsOf(const Config& config);

}  // namespace cproc
