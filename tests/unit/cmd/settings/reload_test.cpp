// The SIGHUP decision without a signal: which changed settings Reload applies and which need a
// restart, as the settings table marks them.
#include "cmd/settings/reload.h"

#include <doctest/doctest.h>

#include <fstream>
#include <string>
#include <vector>

#include "cmd/settings/flags.h"
#include "cmd/settings/settings.h"
#include "tests/support/temp_file.h"
#include "tests/unit/cmd/settings/setting_samples.h"

using namespace cproc;
using namespace std::chrono_literals;
using testing::TempFile;
using testing::WithSample;

namespace {

using Names = std::vector<std::string_view>;

// What the exporter reads when its config file holds `yaml`, as at start or at a SIGHUP.
Config Loaded(const TempFile& file, const std::string& yaml) {
  std::ofstream(file.path(), std::ios::trunc) << yaml;
  auto parsed = ParseCommandLine({"--config.file=" + file.path(), "--log.level=warn"});
  REQUIRE_MESSAGE(parsed.ok(), (parsed.ok() ? "" : parsed.error()));
  return parsed->config;
}

}  // namespace

TEST_CASE("reload: a changed web.request-timeout needs a restart, it is not dropped silently") {
  TempFile file("");
  const Config running = Loaded(file, "web:\n  request_timeout: 5s\nscan:\n  interval: 5s\n");
  const Config next = Loaded(file, "web:\n  request_timeout: 10s\nscan:\n  interval: 5s\n");
  CHECK(next.web_request_timeout == 10s);
  const SettingChanges changes = ChangedSettings(running, next);
  CHECK(changes.restart == Names{"web.request-timeout"});
  CHECK(changes.live.empty());
}

TEST_CASE("reload: live and restart changes together, in the table's order; none when equal") {
  TempFile file("");
  const Config running = Loaded(file, "scan:\n  interval: 5s\n");
  const Config next = Loaded(file,
                             "path:\n  procfs: /host/proc\nscan:\n  interval: 2s\n"
                             "log:\n  format: json\nnamespace_sharing:\n  allow: [a]\n"
                             "web:\n  max_requests: 3\n");
  const SettingChanges changes = ChangedSettings(running, next);
  CHECK(changes.live == Names{"scan.interval", "log.format", "namespace-sharing.allow"});
  CHECK(changes.restart == Names{"web.max-requests", "path.procfs"});

  // The same settings, the sections in another order.
  const SettingChanges none = ChangedSettings(next, Loaded(file,
                                                           "scan:\n  interval: 2s\n"
                                                           "log:\n  format: json\n"
                                                           "namespace_sharing:\n  allow: [a]\n"
                                                           "path:\n  procfs: /host/proc\n"
                                                           "web:\n  max_requests: 3\n"));
  CHECK(none.live.empty());
  CHECK(none.restart.empty());
}

TEST_CASE("reload: runtime.docker-root given with its default value still changes the lookup") {
  // Not given, Docker's daemon.json says where the data-root is; given, it is not read.
  Config given;
  REQUIRE(ApplySetting(*FindSetting("runtime.docker-root"), "--runtime.docker-root",
                       Config{}.runtime_docker_root, given)
              .ok());
  CHECK(ChangedSettings(Config{}, given).restart == Names{"runtime.docker-root"});
}

TEST_CASE("reload: the settings marked live are exactly those Reload applies") {
  // cmd/main.cpp Reload hands the running exporter LiveSettingsOf(next) and nothing else.
  Names live;
  for (const Setting& setting : Settings()) {
    CAPTURE(std::string(setting.name));
    const Config changed = WithSample(setting);
    const bool applied = LiveSettingsOf(changed) != LiveSettingsOf(Config{});
    CHECK(applied == (setting.on_sighup == OnSighup::kLive));
    const SettingChanges changes = ChangedSettings(Config{}, changed);
    CHECK((applied ? changes.live : changes.restart) == Names{setting.name});
    CHECK((applied ? changes.restart : changes.live).empty());
    if (applied) live.push_back(setting.name);
  }
  CHECK(live == Names{"scan.interval", "log.level", "log.format", "namespace-sharing.allow"});
}
