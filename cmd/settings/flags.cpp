#include "cmd/settings/flags.h"

#include <algorithm>
#include <string_view>
#include <utility>

#include "cmd/settings/config_file.h"
#include "cmd/settings/settings.h"
#include "exporter/build_info.h"

namespace cproc {
namespace {

// The settings a flag may give: all but the lists, which only the file can spell.
const Setting* FindFlag(std::string_view name) {
  const Setting* setting = FindSetting(name);
  return setting != nullptr && setting->where != Where::kFileOnly ? setting : nullptr;
}

struct Given {
  const Setting* setting;
  std::string value;
};

}  // namespace

Expected<CommandLine> ParseCommandLine(const std::vector<std::string>& args) {
  CommandLine result;
  std::vector<Given> given;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    if (arg == "--help" || arg == "-h") {
      result.help = true;
      continue;
    }
    if (arg == "--version") {
      result.version = true;
      continue;
    }
    if (!arg.starts_with("--")) {
      return Error{"unexpected argument '" + std::string(arg) + "' (see --help)"};
    }
    arg.remove_prefix(2);
    const auto eq = arg.find('=');
    const std::string name(arg.substr(0, eq));
    const Setting* setting = FindFlag(name);
    if (setting == nullptr) return Error{"unknown flag --" + name + " (see --help)"};
    std::string value;
    if (eq != std::string_view::npos) {
      value = std::string(arg.substr(eq + 1));
    } else {
      if (i + 1 >= args.size()) return Error{"flag --" + name + " needs a value"};
      // Like kingpin: the next argument is a value only if it is not itself a flag, so
      // `--path.procfs --help` asks for help instead of scanning a /proc called "--help".
      if (const std::string& next = args[i + 1]; next.size() > 1 && next.front() == '-') {
        return Error{"flag --" + name + " needs a value, got the flag '" + next + "' (write --" +
                     name + "=VALUE for a value starting with '-')"};
      }
      value = args[++i];
    }
    given.push_back({setting, std::move(value)});
  }
  // The file first, whatever the order on the command line, so that the flags win.
  const auto is_file = [](const Given& flag) { return flag.setting->name == kConfigFileSetting; };
  std::stable_partition(given.begin(), given.end(), is_file);
  for (const auto& flag : given) {
    const Setting& setting = *flag.setting;
    auto applied =
        ApplySetting(setting, "--" + std::string(setting.name), flag.value, result.config);
    if (!applied) return Error{applied.error()};
    if (is_file(flag)) {
      if (auto loaded = LoadConfigFile(flag.value, result.config); !loaded) {
        return Error{loaded.error()};
      }
    }
  }
  return result;
}

std::string VersionLine() {
  return std::string("cproc_exporter, version ") + kVersion + " (revision: " + kRevision + ")\n";
}

std::string UsageText(const std::string& program) {
  std::string text = "usage: " + program + " [<flags>]\n       " + program +
                     " ps [--tree|--json] [--container X] [<flags>]\n\n"
                     "Prometheus exporter of the processes inside every container on this host.\n\n"
                     "Commands:\n"
                     "  (none)  Serve the metrics (the flags below).\n"
                     "  ps      Scan once and print every container: processes by state, PID 1,\n"
                     "          namespace sharing, pids usage; --tree, --json, --container X.\n"
                     "          See `" +
                     program +
                     " ps --help`.\n\n"
                     "Flags:\n"
                     "  -h, --help     Show this help.\n"
                     "      --version  Show the version and exit.\n";
  for (const Setting& setting : Settings()) {
    if (setting.where == Where::kFileOnly) continue;
    text +=
        "      --" + std::string(setting.name) + "=VALUE\n          " + std::string(setting.help);
    if (!setting.default_value.empty() && !setting.default_in_help) {
      text += " (default: " + std::string(setting.default_value) + ")";
    }
    text += "\n";
  }
  return text;
}

}  // namespace cproc
