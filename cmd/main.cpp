// cproc_exporter: flags -> config -> logging -> scan thread + HTTP -> wait for a signal.
#include <signal.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <spdlog/spdlog.h>

#include "cmd/logging.h"
#include "cmd/ps_command.h"
#include "cmd/scanner_setup.h"
#include "cmd/settings/flags.h"
#include "cmd/settings/reload.h"
#include "collectors/events/event_source.h"
#include "exporter/build_info.h"
#include "exporter/http/http_server.h"
#include "exporter/scan_loop.h"

namespace {

// Keeping /proc/PID/stat open between scans needs one descriptor per process.
void RaiseDescriptorLimit() {
  struct rlimit limit {};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
  }
}

double UnixNow() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string Listed(const std::vector<std::string_view>& names) {
  std::string listed;
  for (std::string_view name : names) listed += (listed.empty() ? "" : ", ") + std::string(name);
  return listed.empty() ? "no change" : listed;
}

// SIGHUP: re-read flags and the config file. A bad config keeps the running one (and says so in
// cproc_config_last_reload_successful); settings that bind resources at start need a restart.
// Live settings are compared with the last load, the others with the start, which they keep.
void Reload(const std::vector<std::string>& args, const cproc::Config& started,
            cproc::Config& last_loaded, cproc::ScanLoop& loop) {
  auto parsed = cproc::ParseCommandLine(args);
  if (!parsed) {
    spdlog::error("reload failed, keeping the running configuration: {}", parsed.error());
    loop.SetReloadStatus(false, 0);
    return;
  }
  const cproc::Config& next = parsed->config;
  const cproc::LiveSettings live = cproc::LiveSettingsOf(next);
  cproc::SetUpLogging(live.log_level, live.log_format);
  loop.Reconfigure(live.scan_interval,
                   cproc::FamilyOptions{.namespace_sharing_allow = live.namespace_sharing_allow});
  loop.SetReloadStatus(true, UnixNow());
  const auto applied = cproc::ChangedSettings(last_loaded, next).live;
  const auto waiting = cproc::ChangedSettings(started, next).restart;
  last_loaded = next;
  spdlog::info("configuration reloaded; applied: {}", Listed(applied));
  if (!waiting.empty()) {
    spdlog::warn("changed settings that need a restart (the old values stay until then): {}",
                 Listed(waiting));
  }
}

// The lifecycle counters need the kernel's process events; without them every other metric
// works as before, so a refusal is logged, not fatal.
std::shared_ptr<cproc::EventSource> StartEventSource(const cproc::Config& config) {
  if (config.events_source == "off") {
    spdlog::info("process events off (--events.source=off): lifecycle counters are left out");
    return nullptr;
  }
  cproc::EventSourceOptions options;
  options.procfs = config.path_procfs;
  options.connector.receive_buffer_bytes = config.events_buffer_bytes;
  auto source = cproc::EventSource::Start(options);
  if (!source) {
    spdlog::warn("{}; lifecycle counters are left out (cproc_events_source_active 0)",
                 source.error());
    return nullptr;
  }
  spdlog::info("process events connector subscribed: lifecycle counters between scans");
  return std::shared_ptr<cproc::EventSource>(std::move(*source));
}

cproc::HttpServerOptions HttpOptionsFor(const cproc::Config& config) {
  cproc::HttpServerOptions http;
  http.listen_address = config.web_listen_address;
  http.telemetry_path = config.web_telemetry_path;
  http.max_requests = config.web_max_requests;
  http.request_timeout_ms = static_cast<int>(config.web_request_timeout.count());
  http.version = cproc::kVersion;
  http.web_config_file = config.web_config_file;
  return http;
}

int Serve(const cproc::Config& config, const std::vector<std::string>& args) {
  // Block the signals we wait for before any thread starts, so every thread inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  RaiseDescriptorLimit();
  cproc::ScannerOptions scanner_options = cproc::ScannerOptionsFor(config);
  scanner_options.keep_processes = false;  // the pages count processes per container only
  scanner_options.events = StartEventSource(config);
  const std::shared_ptr<cproc::EventSource> events = scanner_options.events;
  cproc::ScanLoop loop(
      std::make_unique<cproc::Scanner>(std::move(scanner_options)), config.scan_interval,
      cproc::FamilyOptions{.namespace_sharing_allow = config.namespace_sharing_allow});

  auto server =
      cproc::HttpServer::Start(HttpOptionsFor(config), [&loop] { return loop.LatestExposition(); });
  if (!server) {  // checked before: the network refused (port in use, no permission)
    spdlog::error("{}", server.error());
    return 1;
  }
  loop.SetReloadStatus(true, UnixNow());
  loop.Start();
  spdlog::info("cproc_exporter {} (revision {}) listening on {}, procfs {}, scan every {}ms",
               cproc::kVersion, cproc::kRevision, config.web_listen_address, config.path_procfs,
               config.scan_interval.count());

  cproc::Config last_loaded = config;
  for (;;) {
    int signal = 0;
    if (sigwait(&signals, &signal) != 0) continue;
    if (signal == SIGHUP) {
      Reload(args, config, last_loaded, loop);
      continue;
    }
    spdlog::info("received signal {}, shutting down", signal);
    break;
  }
  server->reset();             // no new scrapes
  if (events) events->Stop();  // within one poll wake-up
  // A scan stuck in a read (a hung filesystem under a runtime root) must not keep the daemon from
  // stopping: systemd and the kubelet would SIGKILL it after their timeouts anyway.
  if (!loop.StopWithin(std::chrono::seconds(2))) {
    spdlog::warn("the scan in progress is blocked in a read; exiting without waiting for it");
    spdlog::default_logger()->flush();
    std::_Exit(0);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string program = argc > 0 ? argv[0] : "cproc_exporter";
  if (argc > 1 && std::string(argv[1]) == "ps") {
    return cproc::RunPsCommand(program, std::vector<std::string>(argv + 2, argv + argc));
  }
  const std::vector<std::string> args(argv + 1, argv + argc);
  auto parsed = cproc::ParseCommandLine(args);
  if (!parsed) {
    std::fprintf(stderr, "cproc_exporter: %s\n", parsed.error().c_str());
    return 2;
  }
  if (parsed->help) {
    std::fputs(cproc::UsageText(program).c_str(), stdout);
    return 0;
  }
  if (parsed->version) {
    std::fputs(cproc::VersionLine().c_str(), stdout);
    return 0;
  }
  // A bad listen address or web config file is a bad flag too: one line, status 2, before
  // anything starts.
  if (auto checked = cproc::HttpServer::Check(HttpOptionsFor(parsed->config)); !checked) {
    std::fprintf(stderr, "cproc_exporter: %s\n", checked.error().c_str());
    return 2;
  }
  cproc::SetUpLogging(parsed->config.log_level, parsed->config.log_format);
  try {
    return Serve(parsed->config, args);
  } catch (const std::exception& e) {
    spdlog::error("fatal: {}", e.what());
    return 1;
  }
}
