#include "cmd/settings/config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <sstream>

#include "collectors/base/parse_util.h"
#include "collectors/runtimes/metadata_store.h"

namespace cproc {
namespace {

Error Bad(std::string_view name, std::string_view value, std::string_view expected) {
  return Error{"invalid value '" + std::string(value) + "' for " + std::string(name) +
               ": expected " + std::string(expected)};
}

Expected<bool> SetChoice(std::string& field, std::string_view name, std::string_view value,
                         std::initializer_list<std::string_view> choices) {
  std::string expected = "one of";
  for (std::string_view choice : choices) {
    if (choice == value) {
      field = std::string(value);
      return true;
    }
    expected += ' ';
    expected += choice;
  }
  return Bad(name, value, expected);
}

// The YAML file nests the flag names: "scan.interval" is scan: {interval: ...}.
constexpr std::array<std::string_view, 13> kSettingNames = {
    "web.listen-address", "web.telemetry-path",
    "web.max-requests",   "web.request-timeout",
    "path.procfs",        "path.sysfs",
    "path.rootfs",        "runtime.docker-root",
    "scan.interval",      "scan.revalidate-every",
    "log.level",          "log.format",
    "config.file"};

Expected<bool> ApplyYaml(const YAML::Node& root,
                         const std::function<std::string(const YAML::Node&)>& where,
                         Config& config);

// Settings that are lists, so only in the file: their YAML spelling, and whether each entry must
// be an absolute path (else a non-empty pattern).
struct ListSetting {
  std::string_view name;  // with '-', as the flag names are
  std::string_view yaml;  // as written in the documentation
  bool absolute_paths;
};
constexpr ListSetting kListSettings[] = {
    {"namespace-sharing.allow", "namespace_sharing.allow", false},
    {"runtime.bundle-roots", "runtime.bundle_roots", true},
    {"runtime.storage-roots", "runtime.storage_roots", true},
};

std::vector<std::string>& ListField(Config& config, std::string_view name) {
  if (name == "runtime.bundle-roots") return config.runtime_bundle_roots.emplace();
  if (name == "runtime.storage-roots") return config.runtime_storage_roots.emplace();
  config.namespace_sharing_allow.clear();
  return config.namespace_sharing_allow;
}

}  // namespace

Expected<std::chrono::milliseconds> ParseDuration(std::string_view text) {
  if (text.empty()) return Error{"empty duration"};
  std::chrono::milliseconds total{0};
  std::string_view rest = text;
  while (!rest.empty()) {
    std::size_t digits = 0;
    while (digits < rest.size() && rest[digits] >= '0' && rest[digits] <= '9') ++digits;
    auto number = ParseNumber<uint64_t>(rest.substr(0, digits));
    if (!number || *number > 1'000'000'000) {
      return Error{"invalid duration '" + std::string(text) + "': expected e.g. 5s, 1m30s, 500ms"};
    }
    rest.remove_prefix(digits);
    std::size_t unit_length = 0;
    while (unit_length < rest.size() && (rest[unit_length] < '0' || rest[unit_length] > '9')) {
      ++unit_length;
    }
    const std::string_view unit = rest.substr(0, unit_length);
    rest.remove_prefix(unit_length);
    const auto n = static_cast<int64_t>(*number);
    if (unit == "ms") {
      total += std::chrono::milliseconds(n);
    } else if (unit == "s") {
      total += std::chrono::seconds(n);
    } else if (unit == "m") {
      total += std::chrono::minutes(n);
    } else if (unit == "h") {
      total += std::chrono::hours(n);
    } else {
      return Error{"invalid duration '" + std::string(text) +
                   "': unit must be ms, s, m or h (e.g. 5s, 1m30s, 500ms)"};
    }
    // Each part is at most 1e9 (checked above), so one more part cannot overflow a total that
    // is bounded here.
    if (total > std::chrono::hours(24 * 366 * 100)) {
      return Error{"invalid duration '" + std::string(text.substr(0, 64)) + "': too long"};
    }
  }
  return total;
}

Expected<bool> ApplySetting(Config& config, std::string_view name, std::string_view value) {
  if (name == "web.listen-address") {
    if (value.empty()) return Bad(name, value, "host:port or :port");
    config.web_listen_address = std::string(value);
  } else if (name == "web.telemetry-path") {
    if (value.empty() || value.front() != '/' || value == "/" || value == "/-/healthy") {
      return Bad(name, value, "a path starting with '/' other than / and /-/healthy");
    }
    config.web_telemetry_path = std::string(value);
  } else if (name == "web.max-requests") {
    auto n = ParseNumber<int>(value);
    if (!n || *n < 0 || *n > 10000)
      return Bad(name, value, "an integer from 0 (no limit) to 10000");
    config.web_max_requests = *n;
  } else if (name == "web.request-timeout") {
    auto d = ParseDuration(value);
    if (!d || d->count() < 100 || *d > std::chrono::hours(1)) {
      return Bad(name, value, "a duration from 100ms to 1h");
    }
    config.web_request_timeout = *d;
  } else if (name == "web.config.file") {
    config.web_config_file = std::string(value);
  } else if (name == "path.procfs") {
    if (value.empty()) return Bad(name, value, "a directory");
    config.path_procfs = std::string(value);
  } else if (name == "path.sysfs") {
    if (value.empty()) return Bad(name, value, "a directory");
    config.path_sysfs = std::string(value);
  } else if (name == "path.rootfs") {
    if (value.empty() || value.front() != '/') return Bad(name, value, "an absolute directory");
    config.path_rootfs = std::string(value);
  } else if (name == "runtime.docker-root") {
    if (value.empty() || value.front() != '/') return Bad(name, value, "an absolute directory");
    config.runtime_docker_root = std::string(value);
    config.runtime_docker_root_given = true;
  } else if (name == "scan.interval") {
    auto d = ParseDuration(value);
    if (!d || d->count() < 100 || *d > std::chrono::hours(24)) {
      return Bad(name, value, "a duration from 100ms to 24h, e.g. 5s");
    }
    config.scan_interval = *d;
  } else if (name == "scan.revalidate-every") {
    auto n = ParseNumber<uint32_t>(value);
    if (!n || *n < 1 || *n > 1000) return Bad(name, value, "an integer from 1 to 1000");
    config.scan_revalidate_every = *n;
  } else if (name == "log.level") {
    return SetChoice(config.log_level, name, value, {"debug", "info", "warn", "error"});
  } else if (name == "log.format") {
    return SetChoice(config.log_format, name, value, {"logfmt", "json"});
  } else if (name == "config.file") {
    config.config_file = std::string(value);
  } else {
    return Error{"unknown setting '" + std::string(name) + "'"};
  }
  return true;
}

Expected<bool> LoadConfigFile(const std::string& path, Config& config) {
  std::ifstream file(path);
  if (!file) return Error{path + ": cannot open config file: " + std::strerror(errno)};
  std::stringstream content;
  content << file.rdbuf();
  YAML::Node root;
  try {
    root = YAML::Load(content.str());
  } catch (const YAML::Exception& e) {
    return Error{path + ":" + std::to_string(e.mark.line + 1) + ":" +
                 std::to_string(e.mark.column + 1) + ": invalid YAML: " + e.msg};
  }
  if (root.IsNull()) return true;  // an empty file keeps the defaults
  auto where = [&](const YAML::Node& node) {
    return path + ":" + std::to_string(node.Mark().line + 1) + ": ";
  };
  if (!root.IsMap()) return Error{where(root) + "expected a mapping of sections (web, scan, ...)"};
  // yaml-cpp throws on conversions; nothing may escape (a reload must keep the old config).
  try {
    return ApplyYaml(root, where, config);
  } catch (const YAML::Exception& e) {
    return Error{path + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg};
  }
}

namespace {

Expected<bool> ApplyYaml(const YAML::Node& root,
                         const std::function<std::string(const YAML::Node&)>& where,
                         Config& config) {
  // yaml-cpp keeps a repeated key (the last one wins): refused, as a typo that silently loses a
  // setting. '_' and '-' spell the same key.
  std::map<std::string, int> sections_seen;
  for (const auto& section : root) {
    if (!section.first.IsScalar()) return Error{where(section.first) + "expected a section name"};
    std::string section_name = section.first.Scalar();
    for (char& c : section_name) c = c == '_' ? '-' : c;
    if (auto [it, first] = sections_seen.emplace(section_name, section.first.Mark().line + 1);
        !first) {
      return Error{where(section.first) + "section '" + section.first.Scalar() +
                   "' given twice (first on line " + std::to_string(it->second) + ")"};
    }
    if (!section.second.IsMap()) {
      return Error{where(section.first) + "section '" + section.first.Scalar() +
                   "' must be a mapping"};
    }
    std::map<std::string, int> keys_seen;
    for (const auto& item : section.second) {
      if (!item.first.IsScalar()) return Error{where(item.first) + "expected a setting name"};
      // YAML keys use '_' or '-' freely: listen_address and listen-address both work.
      std::string key = item.first.Scalar();
      for (char& c : key) c = c == '_' ? '-' : c;
      const std::string name = section_name + "." + key;
      // As the user wrote it: the file's spelling, not the flag's.
      const std::string written = section.first.Scalar() + "." + item.first.Scalar();
      if (auto [it, first] = keys_seen.emplace(key, item.first.Mark().line + 1); !first) {
        return Error{where(item.first) + "'" + written + "' given twice (first on line " +
                     std::to_string(it->second) + ")"};
      }
      if (const auto* list = std::find_if(std::begin(kListSettings), std::end(kListSettings),
                                          [&](const ListSetting& l) { return l.name == name; });
          list != std::end(kListSettings)) {
        const std::string yaml_name(list->yaml);
        if (!item.second.IsSequence()) {
          return Error{where(item.second) + "'" + yaml_name + "' must be a list" +
                       (list->absolute_paths ? " of absolute paths" : " of patterns")};
        }
        std::vector<std::string>& field = ListField(config, name);
        for (const auto& entry : item.second) {
          const bool ok = entry.IsScalar() && !entry.Scalar().empty() &&
                          (!list->absolute_paths || entry.Scalar().front() == '/');
          if (!ok) {
            return Error{where(entry) + "'" + yaml_name + "' entries must be " +
                         (list->absolute_paths ? "absolute paths" : "non-empty strings")};
          }
          field.push_back(entry.Scalar());
        }
        continue;
      }
      if (name == "config.file" ||
          std::find(kSettingNames.begin(), kSettingNames.end(), name) == kSettingNames.end()) {
        // Every known setting in the file's spelling (web.listen_address), as documented.
        std::string known;
        for (std::string_view n : kSettingNames) {
          if (n == "config.file") continue;
          std::string yaml(n);
          for (char& c : yaml) c = c == '-' ? '_' : c;
          known += (known.empty() ? "" : ", ") + yaml;
        }
        for (const ListSetting& l : kListSettings) known += ", " + std::string(l.yaml);
        return Error{where(item.first) + "unknown setting '" + written + "' (known: " + known +
                     ")"};
      }
      if (!item.second.IsScalar()) {
        return Error{where(item.second) + "'" + written + "' must be a single value"};
      }
      auto applied = ApplySetting(config, name, item.second.Scalar());
      if (!applied) {
        std::string message = applied.error();  // "... for web.max-requests: ..."
        if (const auto at = message.find(" for " + name); at != std::string::npos) {
          message.replace(at + 5, name.size(), written);
        }
        return Error{where(item.second) + message};
      }
    }
  }
  return true;
}

}  // namespace

MetadataPaths MetadataPathsOf(const Config& config) {
  MetadataPaths paths;
  paths.rootfs = config.path_rootfs;
  // Not given: MetadataStore reads Docker's daemon.json under the rootfs.
  if (config.runtime_docker_root_given) paths.docker_root = config.runtime_docker_root;
  if (config.runtime_bundle_roots) paths.bundle_roots = *config.runtime_bundle_roots;
  if (config.runtime_storage_roots) paths.storage_roots = *config.runtime_storage_roots;
  return paths;
}

}  // namespace cproc
