#include "cmd/settings/settings.h"

#include <algorithm>
#include <array>

#include "cmd/settings/config.h"
#include "cmd/settings/setting_values.h"

namespace cproc {
namespace {

using namespace setting_values;

// Not the landing page (/) nor the health check (/-/healthy), which the HTTP server serves.
bool TelemetryPath(std::string_view path) {
  return Absolute(path) && path != "/" && path != "/-/healthy";
}

// The documented settings: README.md "Flags" and "Config file".
constexpr std::array kSettings = {
    Setting{.name = "web.listen-address",
            .help = "Address on which to expose metrics and the web interface.",
            .default_value = ":19256",
            .value = Text<&Config::web_listen_address, NotEmpty, "host:port or :port">},
    Setting{.name = "web.telemetry-path",
            .help = "Path under which to expose metrics.",
            .default_value = "/metrics",
            .value = Text<&Config::web_telemetry_path, TelemetryPath,
                          "a path starting with '/' other than / and /-/healthy">},
    Setting{
        .name = "web.max-requests",
        .help = "Maximum number of parallel scrape requests; 0 means no limit.",
        .default_value = "40",
        .value =
            Integer<&Config::web_max_requests, 0, 10000, "an integer from 0 (no limit) to 10000">},
    // Below Prometheus' default 10s scrape timeout, so a slow client holding a worker is dropped
    // before a scrape it delays would time out. civetweb takes it at start only.
    Setting{
        .name = "web.request-timeout",
        .help = "Time after which a slow HTTP client is disconnected.",
        .default_value = "5000ms",
        .value =
            Duration<&Config::web_request_timeout, 100, kHourMs, "a duration from 100ms to 1h">},
    Setting{.name = "web.config.file",
            .help = "Web configuration file (exporter-toolkit format) for TLS and basic "
                    "authentication.",
            .where = Where::kFlagOnly,
            .value = Text<&Config::web_config_file, AnyText, "">},
    Setting{.name = "path.procfs",
            .help = "procfs mountpoint (the host's /proc, e.g. /host/proc in a container).",
            .default_value = "/proc",
            .value = Directory<&Config::path_procfs>},
    Setting{.name = "path.sysfs",
            .help = "sysfs mountpoint (the host's /sys, e.g. /host/sys in a container).",
            .default_value = "/sys",
            .value = Directory<&Config::path_sysfs>},
    Setting{.name = "path.rootfs",
            .help = "The host's root filesystem, where container runtimes keep their files "
                    "(e.g. /host/root in a container).",
            .default_value = "/",
            .value = AbsoluteDirectory<&Config::path_rootfs>},
    // Not given, Docker's own daemon.json under path.rootfs says where its data-root is
    // (collectors/runtimes/metadata_store.h), hence runtime_docker_root_given.
    Setting{.name = "runtime.docker-root",
            .help = "Docker's data-root on the host (names and images of containers) (default: "
                    "the data-root of daemon.json in <path.rootfs>/etc/docker, else "
                    "/var/lib/docker).",
            .default_value = "/var/lib/docker",
            .default_in_help = true,
            .value = AbsoluteDirectory<&Config::runtime_docker_root>,
            .given = &Config::runtime_docker_root_given},
    Setting{.name = "scan.interval",
            .help = "How often /proc is scanned; scrapes serve the latest scan.",
            .default_value = "5000ms",
            .on_sighup = OnSighup::kLive,
            .value = Duration<&Config::scan_interval, 100, 24 * kHourMs,
                              "a duration from 100ms to 24h, e.g. 5s">},
    Setting{.name = "scan.revalidate-every",
            .help = "Re-read the cgroup and mount namespace of known processes every N scans "
                    "(all namespaces every 4N); a process that execs is re-read at once.",
            .default_value = "20",
            .value = Integer<&Config::scan_revalidate_every, 1, 1000, "an integer from 1 to 1000">},
    // Memory against CPU: each kept descriptor pins ~6 KiB of kernel memory and saves an open and
    // a close per scan (docs/PERFORMANCE.md "Kept descriptors"). Opened at a process's first
    // read: a restart setting.
    Setting{
        .name = "scan.kept-descriptors",
        .help = "Keep at most N descriptors open between scans (stat of each process, "
                "cgroup files), each about 6 KiB of kernel memory in the exporter's memory "
                "cgroup; processes beyond them are opened and read every scan, at more CPU. "
                "Also bounded by RLIMIT_NOFILE.",
        .default_value = "4096",
        .value =
            Integer<&Config::scan_kept_descriptors, 0, 1 << 20, "an integer from 0 to 1048576">},
    // Wall time for CPU (docs/PERFORMANCE.md "Threads"); the readers are set up at start: a
    // restart setting.
    Setting{.name = "scan.threads",
            .help = "Threads that read /proc in a scan of 2,000 processes or more, at most the "
                    "CPUs the exporter may run on: a shorter scan for more CPU.",
            .default_value = "1",
            .value = Integer<&Config::scan_threads, 1, 64, "an integer from 1 to 64">},
    // Binds a socket and a thread at start: a restart setting.
    Setting{.name = "events.source",
            .help = "Process lifecycle events between scans from the kernel's process events "
                    "connector: auto (when CAP_NET_ADMIN and the host's PID and network "
                    "namespaces allow; the log says why not) or off.",
            .default_value = "auto",
            .value = OneOf<&Config::events_source, "auto off">},
    // The kernel drops what does not fit while the reader is descheduled; each event is a
    // 76-byte message and the kernel charges about twice its size.
    Setting{.name = "events.buffer-bytes",
            .help = "Receive buffer of the process events socket: a burst larger than it is "
                    "lost (and counted in cproc_events_lost_total).",
            .default_value = "1048576",
            .value = Integer<&Config::events_buffer_bytes, 4096, 1 << 28,
                             "an integer from 4096 to 268435456">},
    Setting{.name = "log.level",
            .help = "Only log messages with the given severity or above: debug, info, warn, "
                    "error.",
            .default_value = "info",
            .on_sighup = OnSighup::kLive,
            .value = OneOf<&Config::log_level, "debug info warn error">},
    Setting{.name = "log.format",
            .help = "Output format of log messages: logfmt or json.",
            .default_value = "logfmt",
            .on_sighup = OnSighup::kLive,
            .value = OneOf<&Config::log_format, "logfmt json">},
    // SIGHUP re-reads the file it names, but the name itself comes from the command line.
    Setting{.name = kConfigFileSetting,
            .help = "YAML configuration file; flags given on the command line override it.",
            .where = Where::kFlagOnly,
            .value = Text<&Config::config_file, AnyText, "">},
    Setting{.name = "namespace-sharing.allow",
            .help = "Glob patterns (fnmatch) on the container name or id whose namespace "
                    "sharing is expected: node agents such as this exporter.",
            .where = Where::kFileOnly,
            .on_sighup = OnSighup::kLive,
            .value = PatternList<&Config::namespace_sharing_allow>},
    // Unset, the built-in lists (DefaultBundleRoots, DefaultStorageRoots); [] turns it off.
    Setting{.name = "runtime.bundle-roots",
            .help = "Where containerd-style OCI bundles live on the host (under path.rootfs).",
            .where = Where::kFileOnly,
            .value = PathList<&Config::runtime_bundle_roots>},
    Setting{.name = "runtime.storage-roots",
            .help = "Where containers/storage (CRI-O, Podman) lives on the host (under "
                    "path.rootfs).",
            .where = Where::kFileOnly,
            .value = PathList<&Config::runtime_storage_roots>},
};

}  // namespace

std::span<const Setting> Settings() { return kSettings; }

const Setting* FindSetting(std::string_view name) {
  const auto* found = std::find_if(kSettings.begin(), kSettings.end(),
                                   [&](const Setting& setting) { return setting.name == name; });
  return found == kSettings.end() ? nullptr : found;
}

std::string YamlName(const Setting& setting) {
  std::string yaml(setting.name);
  std::replace(yaml.begin(), yaml.end(), '-', '_');
  return yaml;
}

Expected<bool> ApplySetting(const Setting& setting, std::string_view shown_as,
                            std::string_view text, Config& config) {
  if (auto parsed = setting.value.parse(text, config); !parsed) {
    return Error{"invalid value '" + std::string(text) + "' for " + std::string(shown_as) +
                 ": expected " + parsed.error()};
  }
  if (setting.given != nullptr) config.*setting.given = true;
  return true;
}

}  // namespace cproc
