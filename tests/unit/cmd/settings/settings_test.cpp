// The settings table itself: every row is complete, and the flags, --help and the config file
// all know every setting it has, by the one name the row gives.
#include "cmd/settings/settings.h"

#include <doctest/doctest.h>

#include <set>
#include <string>
#include <vector>

#include "cmd/settings/config.h"
#include "cmd/settings/flags.h"
#include "cmd/settings/reload.h"
#include "tests/support/temp_file.h"
#include "tests/unit/cmd/settings/setting_samples.h"

using namespace cproc;
using testing::SampleOf;
using testing::TempFile;
using testing::WithSample;

namespace {

bool IsList(const Setting& setting) { return setting.value.start_list != nullptr; }

// All that differs from the defaults, live or not.
std::vector<std::string_view> ChangedFromDefaults(const Config& config) {
  SettingChanges changes = ChangedSettings(Config{}, config);
  changes.live.insert(changes.live.end(), changes.restart.begin(), changes.restart.end());
  return changes.live;
}

// The setting in the file's layout: section, then key, as README.md "Config file" shows.
std::string YamlFileOf(const Setting& setting, std::string_view value) {
  const std::string yaml = YamlName(setting);
  const auto dot = yaml.find('.');
  const std::string quoted = "'" + std::string(value) + "'";
  return yaml.substr(0, dot) + ":\n  " + yaml.substr(dot + 1) + ": " +
         (IsList(setting) ? "[" + quoted + "]" : quoted) + "\n";
}

}  // namespace

TEST_CASE("settings table: names are unique, and so are their spellings in the file") {
  std::set<std::string_view> names;
  std::set<std::string> yaml_names;
  for (const Setting& setting : Settings()) {
    CAPTURE(std::string(setting.name));
    CHECK(names.insert(setting.name).second);
    CHECK(yaml_names.insert(YamlName(setting)).second);
    CHECK(FindSetting(setting.name) == &setting);
    CHECK(YamlName(setting).find('-') == std::string::npos);
    CHECK(YamlName(setting).find('.') != std::string::npos);  // a section and a key
  }
  CHECK(FindSetting("no.such-setting") == nullptr);
  REQUIRE(FindSetting(kConfigFileSetting) != nullptr);
  CHECK(FindSetting(kConfigFileSetting)->where == Where::kFlagOnly);
}

TEST_CASE("settings table: every setting has help, a sample, and a default that parses") {
  const Config defaults;
  for (const Setting& setting : Settings()) {
    CAPTURE(std::string(setting.name));
    CHECK(setting.help.size() > 10);
    CHECK(setting.help.back() == '.');
    REQUIRE((setting.value.parse != nullptr && setting.value.same != nullptr));
    if (IsList(setting)) {
      // A list's default is unset (the built-in list) or empty; never text.
      CHECK(setting.default_value.empty());
      CHECK_FALSE(setting.value.list_of.empty());
      CHECK_FALSE(setting.value.entries.empty());
      CHECK(setting.where == Where::kFileOnly);
    } else {
      // The default is what a new Config holds, and it parses back to the same value.
      Config parsed;
      const auto applied = ApplySetting(setting, setting.name, setting.default_value, parsed);
      REQUIRE_MESSAGE(applied.ok(), applied.error());
      CHECK(setting.value.same(parsed, defaults));
    }
    // The sample differs from the default in this setting and no other.
    CHECK(ChangedFromDefaults(WithSample(setting)) == std::vector{setting.name});
  }
  CHECK_FALSE(defaults.runtime_docker_root_given);  // a default is not given
}

TEST_CASE("settings table: every setting the file may hold is read from its YAML key") {
  for (const Setting& setting : Settings()) {
    CAPTURE(std::string(setting.name));
    TempFile file(YamlFileOf(setting, SampleOf(setting)));
    CAPTURE(YamlFileOf(setting, SampleOf(setting)));
    auto parsed = ParseCommandLine({"--config.file=" + file.path()});
    if (setting.where == Where::kFlagOnly) {
      REQUIRE_FALSE(parsed.ok());
      CHECK(parsed.error().find("unknown setting '" + YamlName(setting) + "'") !=
            std::string::npos);
      continue;
    }
    REQUIRE_MESSAGE(parsed.ok(), (parsed.ok() ? "" : parsed.error()));
    Config expected = WithSample(setting);
    expected.config_file = file.path();
    CHECK(ChangedSettings(expected, parsed->config).live.empty());
    CHECK(ChangedSettings(expected, parsed->config).restart.empty());
  }
}

TEST_CASE("settings table: every setting a flag may give is a flag, and in --help") {
  const std::string usage = UsageText("cproc_exporter");
  for (const Setting& setting : Settings()) {
    CAPTURE(std::string(setting.name));
    const std::string flag = "--" + std::string(setting.name);
    if (setting.where == Where::kFileOnly) {
      CHECK(usage.find(flag) == std::string::npos);
      auto refused = ParseCommandLine({flag + "=" + std::string(SampleOf(setting))});
      REQUIRE_FALSE(refused.ok());
      CHECK(refused.error().find("unknown flag " + flag) != std::string::npos);
      continue;
    }
    std::string line = flag + "=VALUE\n          " + std::string(setting.help);
    if (!setting.default_value.empty() && !setting.default_in_help) {
      line += " (default: " + std::string(setting.default_value) + ")";
    }
    CHECK(usage.find(line + "\n") != std::string::npos);
    if (setting.name == kConfigFileSetting) continue;  // it loads the file: config_file_test.cpp
    auto parsed = ParseCommandLine({flag + "=" + std::string(SampleOf(setting))});
    REQUIRE_MESSAGE(parsed.ok(), (parsed.ok() ? "" : parsed.error()));
    CHECK(ChangedFromDefaults(parsed->config) == std::vector{setting.name});
  }
}
