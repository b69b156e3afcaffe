#include "cmd/ps_command.h"

#include <unistd.h>

#include <cstdio>
#include <string_view>

#include "cmd/logging.h"
#include "cmd/scanner_setup.h"
#include "cmd/settings/flags.h"
#include "collectors/procfs/environ_reader.h"
#include "collectors/procfs/inner_pid.h"
#include "collectors/scan/scanner.h"
#include "exporter/report/container_report.h"
#include "exporter/report/terminal_escape.h"

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
    "  --container X      only the container named X (or with id or runtime://id X); when\n"
    "                     none is, those whose name or id starts with X\n"
    "  --env              with --container matching exactly one container, as root at a\n"
    "                     terminal: the init's environment (control characters escaped) and\n"
    "                     root filesystem path (never exported as metrics or over HTTP)\n"
    "Path flags (--path.procfs, --path.sysfs, --path.rootfs, --runtime.docker-root,\n"
    "--config.file) work as for the exporter.\n";

// The init's environment, for an operator at a terminal only. `init` is the process as the
// scan saw it: the scan is over by now, so its pid may have been reused.
int PrintEnvironment(const std::string& procfs, const Container& c, const Process& init) {
  if (::geteuid() != 0 || ::isatty(STDOUT_FILENO) == 0) {
    std::fprintf(stderr, "ps --env: only for root with a terminal on stdout (it shows secrets)\n");
    return 2;
  }
  const std::string dir = procfs + "/" + std::to_string(init.pid);
  const std::string name = EscapeForTerminal(c.name);
  // The init may have exited since the scan and its pid been given to an unrelated process (a
  // host process, another container's): printing that one's secrets as this container's would
  // be worse than printing nothing.
  std::string environ_text;
  switch (ReadEnvironmentOf(procfs, init.pid, init.start_ticks, environ_text)) {
    case EnvironmentRead::kOk:
      break;
    case EnvironmentRead::kNotThatProcess:
      std::fprintf(stderr,
                   "ps --env: PID %d is no longer the init of container %s (it exited after the "
                   "scan; the pid may now belong to another process): nothing printed, run it "
                   "again\n",
                   init.pid, name.c_str());
      return 1;
    case EnvironmentRead::kExitedDuringRead:
      std::fprintf(stderr,
                   "ps --env: the init of container %s (PID %d) exited while its environment was "
                   "read: nothing printed, run it again\n",
                   name.c_str(), init.pid);
      return 1;
    case EnvironmentRead::kUnreadable:
      std::fprintf(stderr, "ps --env: cannot read %s/environ\n", dir.c_str());
      return 1;
  }
  // A container controls these bytes: escape sequences in them must not reach the terminal.
  std::printf(
      "root filesystem: %s/root\n"
      "environment of PID %d, one variable a line (control characters and invalid UTF-8 as "
      "\\xHH, a backslash as \\\\):\n",
      dir.c_str(), init.pid);
  std::size_t start = 0;
  while (start < environ_text.size()) {
    std::size_t end = environ_text.find('\0', start);
    if (end == std::string::npos) end = environ_text.size();
    const std::string line =
        EscapeForTerminal(std::string_view(environ_text).substr(start, end - start));
    std::printf("  %s\n", line.c_str());
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
  if (parsed->version) {
    std::fputs(VersionLine().c_str(), stdout);
    return 0;
  }
  const Config& config = parsed->config;
  // On stderr, so `ps --json | jq` sees only JSON; a one-shot scan: only problems are worth a line.
  SetUpLogging("warn", "logfmt");
  Scanner scanner(ScannerOptionsFor(config));
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
    // Secrets of one container, so it must be the one meant: a query that could mean several
    // (a name that is also another's id prefix) is refused, never resolved to one of them.
    selected = ContainersQueryCouldMean(snapshot, options.container);
    if (selected.size() > 1) {
      std::fprintf(stderr,
                   "cproc_exporter ps: --env: '%s' matches %zu containers; name exactly one, "
                   "e.g. by its runtime://id:\n",
                   EscapeForTerminal(options.container).c_str(), selected.size());
      for (std::size_t index : selected) {
        const Container& c = snapshot.containers[index];
        std::fprintf(stderr, "  %s  %s\n", EscapeForTerminal(c.container_id()).c_str(),
                     EscapeForTerminal(c.name).c_str());
      }
      return 2;
    }
    const Container& c = snapshot.containers[selected.front()];
    const Process* init = c.init.pid == 0 ? nullptr : FindProcess(snapshot.processes, c.init.pid);
    if (init == nullptr) {
      std::fprintf(stderr, "cproc_exporter ps: container has no live init\n");
      return 1;
    }
    return PrintEnvironment(config.path_procfs, c, *init);
  }
  if (options.json) {
    std::fputs(RenderContainersJson(snapshot, selected).c_str(), stdout);
  } else if (options.tree) {
    const InnerPidLookup inner_pid = [&](int32_t pid) {
      return ReadInnerPid(config.path_procfs, pid);
    };
    std::fputs(RenderContainerTrees(snapshot, selected, inner_pid).c_str(), stdout);
  } else {
    std::fputs(RenderContainerTable(snapshot, selected).c_str(), stdout);
  }
  return 0;
}

}  // namespace cproc
