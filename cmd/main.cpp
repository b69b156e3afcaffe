// cproc_exporter: flags -> config -> logging -> scan thread + HTTP -> wait for a signal.
#include <signal.h>
#include <sys/resource.h>

#include <cstdio>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "cmd/ps_command.h"
#include "exporter/build_info.h"
#include "exporter/flags.h"
#include "exporter/http_server.h"
#include "exporter/logging.h"
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

int Serve(const cproc::Config& config) {
  // Block the signals we wait for before any thread starts, so every thread inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  RaiseDescriptorLimit();
  cproc::ScannerOptions scanner_options;
  scanner_options.procfs = config.path_procfs;
  scanner_options.sysfs = config.path_sysfs;
  scanner_options.revalidate_every = config.scan_revalidate_every;
  scanner_options.self_ns = cproc::ReadSelfNamespaces();
  scanner_options.metadata.rootfs = config.path_rootfs;
  scanner_options.metadata.docker_root = config.runtime_docker_root;
  cproc::ScanLoop loop(
      std::make_unique<cproc::Scanner>(std::move(scanner_options)), config.scan_interval,
      cproc::FamilyOptions{.namespace_sharing_allow = config.namespace_sharing_allow});

  cproc::HttpServerOptions http;
  http.listen_address = config.web_listen_address;
  http.telemetry_path = config.web_telemetry_path;
  http.max_requests = config.web_max_requests;
  http.request_timeout_ms = static_cast<int>(config.web_request_timeout.count());
  http.version = cproc::kVersion;
  http.web_config_file = config.web_config_file;
  auto server = cproc::HttpServer::Start(http, [&loop] { return loop.LatestExposition(); });
  if (!server) {
    spdlog::critical("{}", server.error());
    return 1;
  }
  loop.Start();
  spdlog::info("cproc_exporter {} (revision {}) listening on {}, procfs {}, scan every {}ms",
               cproc::kVersion, cproc::kRevision, config.web_listen_address, config.path_procfs,
               config.scan_interval.count());

  for (;;) {
    int signal = 0;
    if (sigwait(&signals, &signal) != 0) continue;
    if (signal == SIGHUP) {
      spdlog::warn("SIGHUP: configuration reload is not supported yet; restart to apply changes");
      continue;
    }
    spdlog::info("received signal {}, shutting down", signal);
    break;
  }
  loop.Stop();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string program = argc > 0 ? argv[0] : "cproc_exporter";
  if (argc > 1 && std::string(argv[1]) == "ps") {
    return cproc::RunPsCommand(program, std::vector<std::string>(argv + 2, argv + argc));
  }
  auto parsed = cproc::ParseCommandLine(std::vector<std::string>(argv + 1, argv + argc));
  if (!parsed) {
    std::fprintf(stderr, "cproc_exporter: %s\n", parsed.error().c_str());
    return 2;
  }
  if (parsed->help) {
    std::fputs(cproc::UsageText(program).c_str(), stdout);
    return 0;
  }
  if (parsed->version) {
    std::printf("cproc_exporter, version %s (revision: %s)\n", cproc::kVersion, cproc::kRevision);
    return 0;
  }
  cproc::SetUpLogging(parsed->config.log_level, parsed->config.log_format);
  try {
    return Serve(parsed->config);
  } catch (const std::exception& e) {
    spdlog::critical("fatal: {}", e.what());
    return 1;
  }
}
