#include "cmd/settings/flags.h"

#include <array>
#include <string_view>
#include <utility>

#include "exporter/build_info.h"

namespace cproc {
namespace {

struct FlagSpec {
  std::string_view name;
  std::string_view help;
};

// Defaults are printed from a default Config so the help text cannot drift from the code.
constexpr std::array<FlagSpec, 14> kFlags = {{
    {"web.listen-address", "Address on which to expose metrics and the web interface."},
    {"web.telemetry-path", "Path under which to expose metrics."},
    {"web.max-requests", "Maximum number of parallel scrape requests; 0 means no limit."},
    {"web.request-timeout", "Time after which a slow HTTP client is disconnected."},
    {"web.config.file",
     "Web configuration file (exporter-toolkit format) for TLS and basic "
     "authentication."},
    {"path.procfs", "procfs mountpoint (the host's /proc, e.g. /host/proc in a container)."},
    {"path.sysfs", "sysfs mountpoint (the host's /sys, e.g. /host/sys in a container)."},
    {"path.rootfs",
     "The host's root filesystem, where container runtimes keep their files "
     "(e.g. /host/root in a container)."},
    {"runtime.docker-root",
     "Docker's data-root on the host (names and images of containers) (default: the data-root "
     "of daemon.json in <path.rootfs>/etc/docker, else /var/lib/docker)."},
    {"scan.interval", "How often /proc is scanned; scrapes serve the latest scan."},
    {"scan.revalidate-every",
     "Re-read the cgroup and mount namespace of known processes every N scans (all "
     "namespaces every 4N); a process that execs is re-read at once."},
    {"log.level", "Only log messages with the given severity or above: debug, info, warn, error."},
    {"log.format", "Output format of log messages: logfmt or json."},
    {"config.file", "YAML configuration file; flags given on the command line override it."},
}};

std::string DefaultOf(std::string_view name) {
  const Config d;
  if (name == "web.listen-address") return d.web_listen_address;
  if (name == "web.telemetry-path") return d.web_telemetry_path;
  if (name == "web.max-requests") return std::to_string(d.web_max_requests);
  if (name == "web.request-timeout") return std::to_string(d.web_request_timeout.count()) + "ms";
  if (name == "path.procfs") return d.path_procfs;
  if (name == "path.sysfs") return d.path_sysfs;
  if (name == "path.rootfs") return d.path_rootfs;
  // runtime.docker-root: found on the host when not given (its help says how).
  if (name == "scan.interval") return std::to_string(d.scan_interval.count()) + "ms";
  if (name == "scan.revalidate-every") return std::to_string(d.scan_revalidate_every);
  if (name == "log.level") return d.log_level;
  if (name == "log.format") return d.log_format;
  return "";
}

bool Known(std::string_view name) {
  for (const FlagSpec& flag : kFlags) {
    if (flag.name == name) return true;
  }
  return false;
}

}  // namespace

Expected<CommandLine> ParseCommandLine(const std::vector<std::string>& args) {
  CommandLine result;
  std::vector<std::pair<std::string, std::string>> given;
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
    std::string name, value;
    if (const auto eq = arg.find('='); eq != std::string_view::npos) {
      name = std::string(arg.substr(0, eq));
      value = std::string(arg.substr(eq + 1));
    } else {
      name = std::string(arg);
      if (!Known(name)) return Error{"unknown flag --" + name + " (see --help)"};
      if (i + 1 >= args.size()) return Error{"flag --" + name + " needs a value"};
      // Like kingpin: the next argument is a value only if it is not itself a flag, so
      // `--path.procfs --help` asks for help instead of scanning a /proc called "--help".
      if (const std::string& next = args[i + 1]; next.size() > 1 && next.front() == '-') {
        return Error{"flag --" + name + " needs a value, got the flag '" + next + "' (write --" +
                     name + "=VALUE for a value starting with '-')"};
      }
      value = args[++i];
    }
    if (!Known(name)) return Error{"unknown flag --" + name + " (see --help)"};
    given.emplace_back(std::move(name), std::move(value));
  }
  for (const auto& [name, value] : given) {
    if (name != "config.file") continue;
    result.config.config_file = value;
    if (auto loaded = LoadConfigFile(value, result.config); !loaded) return Error{loaded.error()};
  }
  for (const auto& [name, value] : given) {
    if (name == "config.file") continue;
    if (auto applied = ApplySetting(result.config, name, value); !applied) {
      // "... for scan.interval: ..." reads "... for --scan.interval: ..." on the command line.
      std::string message = applied.error();
      if (const auto at = message.find(" for " + name); at != std::string::npos) {
        message.insert(at + 5, "--");
      }
      return Error{std::move(message)};
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
  for (const FlagSpec& flag : kFlags) {
    std::string line = "      --" + std::string(flag.name) + "=VALUE";
    text += line + "\n          " + std::string(flag.help);
    const std::string d = DefaultOf(flag.name);
    if (!d.empty()) text += " (default: " + d + ")";
    text += "\n";
  }
  return text;
}

}  // namespace cproc
