#include "collectors/analysis/init_recognition.h"

#include <algorithm>
#include <array>
#include <csignal>
#include <utility>

#include "collectors/base/signals.h"

namespace cproc {
namespace {

// Program file name -> the init's canonical name. Each of these reaps orphans and forwards or
// handles SIGTERM.
constexpr std::array<std::pair<std::string_view, std::string_view>, 17> kInits = {{
    {"tini", "tini"},
    {"tini-static", "tini"},
    {"docker-init", "docker-init"},  // Docker's bundled tini (docker run --init)
    {"dumb-init", "dumb-init"},
    {"catatonit", "catatonit"},
    {"podman-init", "catatonit"},  // podman run --init bind-mounts catatonit under this name
    {"pause", "pause"},            // Kubernetes sandbox; PID 1 with shareProcessNamespace
    {"s6-svscan", "s6"},
    {"s6-linux-init", "s6"},
    {"runsvdir", "runit"},
    {"runit", "runit"},
    {"systemd", "systemd"},
    {"init", "init"},  // sysvinit, busybox init, openrc's init
    {"openrc-init", "openrc"},
    {"dinit", "dinit"},
    {"supervisord", "supervisord"},
    {"tini-init", "tini"},
}};

std::string_view Lookup(std::string_view name) {
  for (const auto& [program, init] : kInits) {
    if (program == name) return init;
  }
  return {};
}

// tini leaves the synchronous faults and the terminal stops unblocked (its configure_signals)
// and forwards whatever else sigtimedwait returns; SIGCHLD it keeps to reap.
constexpr std::array<int, 10> kTiniKeeps = {SIGFPE,  SIGILL, SIGSEGV, SIGBUS,  SIGABRT,
                                            SIGTRAP, SIGSYS, SIGTTIN, SIGTTOU, SIGCHLD};

}  // namespace

bool ForwardsSignal(std::string_view init, int signal) {
  // SIGKILL and SIGSTOP reach no handler; nothing forwards them.
  if (init == "none" || signal == SIGKILL || signal == SIGSTOP || signal < 1 ||
      signal > kSignalMax) {
    return false;
  }
  if (signal == SIGTERM) return true;
  if (init == "tini" || init == "docker-init") {
    return std::find(kTiniKeeps.begin(), kTiniKeeps.end(), signal) == kTiniKeeps.end();
  }
  // dumb-init waits for signals 1..31 (its MAXSIG) and forwards all but SIGCHLD; catatonit
  // forwards every signal but SIGCHLD.
  if (init == "dumb-init") return signal <= 31 && signal != SIGCHLD;
  if (init == "catatonit") return signal != SIGCHLD;
  return false;
}

std::string_view RecogniseInit(std::string_view exe_basename, std::string_view comm) {
  if (auto init = Lookup(exe_basename); !init.empty()) return init;
  // The name decides only where the executable cannot: an unreadable exe link (any name),
  // busybox (its one init applet), or an interpreter running an init written as a script
  // (supervisord). A shell script that happens to be called "init" or "tini" is not an init:
  // taking its word would hide the PID 1 that neither reaps nor forwards SIGTERM.
  const std::string_view init = Lookup(comm);
  if (init.empty()) return "none";
  if (exe_basename.empty()) return init;
  if (exe_basename == "busybox") return init == "init" ? init : "none";
  return init == "supervisord" ? init : "none";
}

}  // namespace cproc
