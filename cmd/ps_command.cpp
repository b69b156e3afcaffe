#include "cmd/ps_command.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>

#include "collectors/proc_files.h"
#include "collectors/proc_status.h"
#include "collectors/scanner.h"
#include "exporter/container_report.h"
#include "exporter/flags.h"
#include "exporter/logging.h"

namespace cproc {
namespace {

struct PsOptions {
  bool tree = false;
  bool json = false;
  bool environment = false;
  std::string container;
  std::vector<std::string> exporter_flags;  // --path.* and --config.file, as for the daemon
};

constexpr const char* kUsage =
    "usage: %s ps [--tree] [--json] [--container NAME|ID] [--env] [--path.procfs=DIR] ...\n\n"
    "Lists every container with its processes by state, PID 1, namespace sharing and pids usage.\n"
    "  --tree             process tree per container (host PID [PID inside] state comm)\n"
    "  --json             the same facts as JSON (as served at /api/v1/containers)\n"
    "  --container X      only the container named X, or whose id starts with X\n"
    "  --env              with --container, as root at a terminal: the init's environment and\n"
    "                     root filesystem path (never exported as metrics or over HTTP)\n"
    "Path flags (--path.procfs, --path.sysfs, --path.rootfs, --runtime.docker-root,\n"
    "--config.file) work as for the exporter.\n";

// The init's environment as /proc/PID/environ holds it, for an operator at a terminal only.
int PrintEnvironment(const std::string& procfs, int32_t pid) {
  if (::geteuid() != 0 || ::isatty(STDOUT_FILENO) == 0) {
    std::fprintf(stderr, "ps --env: only for root with a terminal on stdout (it shows secrets)\n");
    return 2;
  }
  const std::string dir = procfs + "/" + std::to_string(pid);
  std::string environ_text;
  if (ReadFileAt(AT_FDCWD, (dir + "/environ").c_str(), environ_text) != ReadResult::kOk) {
    std::fprintf(stderr, "ps --env: cannot read %s/environ\n", dir.c_str());
    return 1;
  }
  std::printf("root filesystem: %s/root\nenvironment of PID %d:\n", dir.c_str(), pid);
  std::size_t start = 0;
  while (start < environ_text.size()) {
    std::size_t end = environ_text.find('\0', start);
    if (end == std::string::npos) end = environ_text.size();
    std::printf("  %.*s\n", static_cast<int>(end - start), environ_text.data() + start);
    start = end + 1;
  }
  return 0;
}

}  // namespace

int RunPsCommand(const std::string& program, const std::vector<std::string>& args) {
  PsOptions options;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--tree") {
      options.tree = true;
    } else if (arg == "--json") {
      options.json = true;
    } else if (arg == "--env") {
      options.environment = true;
    } else if (arg == "--container" && i + 1 < args.size()) {
      options.container = args[++i];
    } else if (arg.starts_with("--container=")) {
      options.container = arg.substr(12);
    } else if (arg == "--help" || arg == "-h") {
      std::printf(kUsage, program.c_str());
      return 0;
    } else {
      options.exporter_flags.push_back(arg);
    }
  }
  auto parsed = ParseCommandLine(options.exporter_flags);
  if (!parsed) {
    std::fprintf(stderr, "cproc_exporter ps: %s\n", parsed.error().c_str());
    return 2;
  }
  const Config& config = parsed->config;
  // On stderr, so `ps --json | jq` sees only JSON; a one-shot scan: only problems are worth a line.
  SetUpLogging("warn", "logfmt");
  ScannerOptions scanner_options;
  scanner_options.procfs = config.path_procfs;
  scanner_options.sysfs = config.path_sysfs;
  scanner_options.self_ns = ReadSelfNamespaces();
  scanner_options.metadata.rootfs = config.path_rootfs;
  scanner_options.metadata.docker_root = config.runtime_docker_root;
  Scanner scanner(std::move(scanner_options));
  auto scanned = scanner.Scan();
  if (!scanned) {
    std::fprintf(stderr, "cproc_exporter ps: %s\n", scanned.error().c_str());
    return 1;
  }
  const Snapshot& snapshot = **scanned;

  std::vector<std::size_t> selected;
  if (!options.container.empty()) {
    selected = FindContainers(snapshot, options.container);
    if (selected.empty()) {
      std::fprintf(stderr, "cproc_exporter ps: no container named or with id '%s'\n",
                   options.container.c_str());
      return 1;
    }
  } else if (options.environment) {
    std::fprintf(stderr, "cproc_exporter ps: --env needs --container\n");
    return 2;
  }

  if (options.environment) {
    const Container& c = snapshot.containers[selected.front()];
    if (c.init.pid == 0) {
      std::fprintf(stderr, "cproc_exporter ps: container has no live init\n");
      return 1;
    }
    return PrintEnvironment(config.path_procfs, c.init.pid);
  }
  if (options.json) {
    std::fputs(RenderContainersJson(snapshot, selected).c_str(), stdout);
  } else if (options.tree) {
    std::string text;
    const InnerPidLookup inner_pid = [&](int32_t pid) {
      const std::string path = config.path_procfs + "/" + std::to_string(pid) + "/status";
      if (ReadFileAt(AT_FDCWD, path.c_str(), text) != ReadResult::kOk) return int32_t{0};
      auto status = ParseProcStatus(text);
      return status && !status->nspid.empty() ? status->nspid.back() : int32_t{0};
    };
    std::fputs(RenderContainerTrees(snapshot, selected, inner_pid).c_str(), stdout);
  } else {
    std::fputs(RenderContainerTable(snapshot).c_str(), stdout);
  }
  return 0;
}

}  // namespace cproc
