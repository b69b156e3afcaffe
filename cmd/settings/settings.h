// Every setting of the exporter, once: its name, help, default, where it may be given, how its
// text becomes a field of Config, and whether SIGHUP applies it. The flag parser, --help, the
// config file reader and the reload decision all read this table (settings.cpp), so a setting
// is added in one row.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "collectors/base/expected.h"

namespace cproc {

struct Config;

// The one setting that names the file the others may come from: the flag parser loads it first.
inline constexpr std::string_view kConfigFileSetting = "config.file";

enum class Where {
  kFlagAndFile,
  kFlagOnly,  // as in node_exporter: the files themselves (web.config.file, config.file)
  kFileOnly,  // lists, which a flag cannot spell
};

enum class OnSighup {
  kLive,     // applied to the running exporter (cmd/main.cpp Reload)
  kRestart,  // bound at start (a socket, a scanner's paths): a change waits for a restart
};

// How a setting's text is checked, written into its field of Config, and compared.
struct SettingValue {
  // Checks `text` and writes it into the field; a refusal says what was expected ("a
  // directory"). A list takes one entry per call, appended.
  Expected<bool> (*parse)(std::string_view text, Config& config);
  bool (*same)(const Config& a, const Config& b);
  // Lists only (YAML sequences): empties the field before its entries are parsed into it; what
  // the list holds and what each entry must be, for the errors ("patterns", "non-empty strings").
  void (*start_list)(Config& config) = nullptr;
  std::string_view list_of = {};
  std::string_view entries = {};
};

// A row leaves out what has a default here; the compiler asks for the rest (-Wextra).
struct Setting {
  // The flag without its dashes. In the file, the part before the first dot is the section and
  // the rest the key, both written with '_' for '-' (YamlName) though either is accepted.
  std::string_view name;
  std::string_view help;
  // Parsed into every new Config; "" leaves the field empty (a list: the built-in one).
  std::string_view default_value = {};
  bool default_in_help = false;  // the help explains a default found at run time
  Where where = Where::kFlagAndFile;
  OnSighup on_sighup = OnSighup::kRestart;
  SettingValue value;
  // Set when the setting is given (flag or file), for a default that means "look it up".
  bool Config::*given = nullptr;
};

// In the order of --help and of the file's "known: ..." list.
std::span<const Setting> Settings();

// By its flag name ("scan.interval"); nullptr if there is none.
const Setting* FindSetting(std::string_view name);

// As the file and the documentation write it: "web.listen_address".
std::string YamlName(const Setting& setting);

// Parses `text` into `config`. A refusal is one line naming the setting as `shown_as` (the flag
// "--scan.interval", or the file's spelling) and what was expected.
Expected<bool> ApplySetting(const Setting& setting, std::string_view shown_as,
                            std::string_view text, Config& config);

}  // namespace cproc
