#include "cmd/settings/reload.h"

#include "cmd/settings/settings.h"

namespace cproc {

SettingChanges ChangedSettings(const Config& old, const Config& next) {
  SettingChanges changes;
  for (const Setting& setting : Settings()) {
    const bool same = setting.value.same(old, next) &&
                      (setting.given == nullptr || old.*setting.given == next.*setting.given);
    if (same) continue;
    (setting.on_sighup == OnSighup::kLive ? changes.live : changes.restart).push_back(setting.name);
  }
  return changes;
}

LiveSettings LiveSettingsOf(const Config& config) {
  return {.log_level = config.log_level,
          .log_format = config.log_format,
          .scan_interval = config.scan_interval,
          .namespace_sharing_allow = config.namespace_sharing_allow};
}

}  // namespace cproc
