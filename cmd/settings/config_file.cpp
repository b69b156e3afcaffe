#include "cmd/settings/config_file.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>

#include "cmd/settings/settings.h"

namespace cproc {
namespace {

// "path:LINE: " of a node, the start of every error.
using LineOf = std::function<std::string(const YAML::Node&)>;

// '_' and '-' spell the same key: listen_address and listen-address both work.
std::string Dashed(std::string key) {
  std::replace(key.begin(), key.end(), '_', '-');
  return key;
}

// Every setting the file may hold, in the file's spelling (web.listen_address), as documented.
std::string KnownInFile() {
  std::string known;
  for (const Setting& setting : Settings()) {
    if (setting.where == Where::kFlagOnly) continue;
    known += (known.empty() ? "" : ", ") + YamlName(setting);
  }
  return known;
}

// A YAML sequence: it replaces the list (unset keeps the built-in one, [] empties it).
Expected<bool> ApplyList(const Setting& setting, const YAML::Node& list, const LineOf& line_of,
                         Config& config) {
  const std::string yaml = YamlName(setting);
  if (!list.IsSequence()) {
    return Error{line_of(list) + "'" + yaml + "' must be a list of " +
                 std::string(setting.value.list_of)};
  }
  setting.value.start_list(config);
  for (const auto& entry : list) {
    if (!entry.IsScalar() || !setting.value.parse(entry.Scalar(), config)) {
      return Error{line_of(entry) + "'" + yaml + "' entries must be " +
                   std::string(setting.value.entries)};
    }
  }
  return true;
}

Expected<bool> ApplyYaml(const YAML::Node& root, const LineOf& line_of, Config& config) {
  // yaml-cpp keeps a repeated key (the last one wins): refused, as a typo that silently loses a
  // setting. '_' and '-' spell the same key.
  std::map<std::string, int> sections_seen;
  for (const auto& section : root) {
    if (!section.first.IsScalar()) return Error{line_of(section.first) + "expected a section name"};
    const std::string section_name = Dashed(section.first.Scalar());
    if (auto [it, first] = sections_seen.emplace(section_name, section.first.Mark().line + 1);
        !first) {
      return Error{line_of(section.first) + "section '" + section.first.Scalar() +
                   "' given twice (first on line " + std::to_string(it->second) + ")"};
    }
    if (!section.second.IsMap()) {
      return Error{line_of(section.first) + "section '" + section.first.Scalar() +
                   "' must be a mapping"};
    }
    std::map<std::string, int> keys_seen;
    for (const auto& item : section.second) {
      if (!item.first.IsScalar()) return Error{line_of(item.first) + "expected a setting name"};
      const std::string key = Dashed(item.first.Scalar());
      // As the user wrote it: the file's spelling, not the flag's.
      const std::string written = section.first.Scalar() + "." + item.first.Scalar();
      if (auto [it, first] = keys_seen.emplace(key, item.first.Mark().line + 1); !first) {
        return Error{line_of(item.first) + "'" + written + "' given twice (first on line " +
                     std::to_string(it->second) + ")"};
      }
      const Setting* setting = FindSetting(section_name + "." + key);
      if (setting == nullptr || setting->where == Where::kFlagOnly) {
        return Error{line_of(item.first) + "unknown setting '" + written +
                     "' (known: " + KnownInFile() + ")"};
      }
      if (setting->value.start_list != nullptr) {
        if (auto applied = ApplyList(*setting, item.second, line_of, config); !applied) {
          return applied;
        }
        continue;
      }
      if (!item.second.IsScalar()) {
        return Error{line_of(item.second) + "'" + written + "' must be a single value"};
      }
      auto applied = ApplySetting(*setting, written, item.second.Scalar(), config);
      if (!applied) return Error{line_of(item.second) + applied.error()};
    }
  }
  return true;
}

}  // namespace

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
  auto line_of = [&](const YAML::Node& node) {
    return path + ":" + std::to_string(node.Mark().line + 1) + ": ";
  };
  if (!root.IsMap()) {
    return Error{line_of(root) + "expected a mapping of sections (web, scan, ...)"};
  }
  // yaml-cpp throws on conversions; nothing may escape (a reload must keep the old config).
  try {
    return ApplyYaml(root, line_of, config);
  } catch (const YAML::Exception& e) {
    return Error{path + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg};
  }
}

}  // namespace cproc
