#include "collectors/analysis/init_recognition.h"

#include <doctest/doctest.h>

#include <csignal>
#include <string>

using cproc::RecogniseInit;

TEST_CASE("inits are recognised by executable first, then by name") {
  struct Case {
    const char* exe;
    const char* comm;
    const char* init;
  };
  const Case cases[] = {
      {"docker-init", "docker-init", "docker-init"},  // docker run --init
      {"tini", "tini", "tini"},
      {"tini-static", "tini-static", "tini"},
      {"dumb-init", "dumb-init", "dumb-init"},
      {"catatonit", "catatonit", "catatonit"},
      {"podman-init", "podman-init", "catatonit"},
      {"pause", "pause", "pause"},
      {"s6-svscan", "s6-svscan", "s6"},
      {"runsvdir", "runsvdir", "runit"},
      {"systemd", "systemd", "systemd"},             // /sbin/init resolves to systemd
      {"systemd", "init", "systemd"},                // exe decides over the name
      {"python3.11", "supervisord", "supervisord"},  // script: comm is the script's name
      {"busybox", "init", "init"},                   // busybox init applet
      {"", "tini", "tini"},                          // exe unreadable (no CAP_SYS_PTRACE)
      {"busybox", "sleep", "none"},                  // the classic mistake: sleep as PID 1
      {"busybox", "sh", "none"},
      {"bash", "bash", "none"},
      {"node", "node", "none"},
      {"java", "java", "none"},
      {"", "", "none"},
      {"tinix", "tinix", "none"},  // whole names only
      // A script named like an init is not one: its interpreter neither reaps nor forwards.
      {"bash", "init", "none"},
      {"dash", "tini", "none"},
      {"python3.11", "systemd", "none"},
      {"busybox", "tini", "none"},  // busybox has no tini applet
      {"", "init", "init"},         // unreadable exe: the name is all there is
  };
  for (const Case& c : cases) {
    CAPTURE(std::string(c.exe));
    CAPTURE(std::string(c.comm));
    CHECK(RecogniseInit(c.exe, c.comm) == c.init);
  }
}

TEST_CASE("which recognised inits forward a signal whatever their masks show") {
  using cproc::ForwardsSignal;
  for (const char* init : {"tini", "docker-init", "dumb-init", "catatonit", "pause", "s6", "runit",
                           "systemd", "init", "supervisord"}) {
    CAPTURE(init);
    CHECK(ForwardsSignal(init, SIGTERM));  // what handles_sigterm has always assumed
    CHECK_FALSE(ForwardsSignal(init, SIGKILL));
    CHECK_FALSE(ForwardsSignal(init, SIGSTOP));
    CHECK_FALSE(ForwardsSignal(init, 0));
    CHECK_FALSE(ForwardsSignal(init, 65));
  }
  CHECK_FALSE(ForwardsSignal("none", SIGTERM));
  for (const char* init : {"tini", "docker-init"}) {
    CAPTURE(init);
    for (int signal : {SIGHUP, SIGINT, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH, SIGPWR, 37, 64}) {
      CAPTURE(signal);
      CHECK(ForwardsSignal(init, signal));
    }
    for (int signal :
         {SIGFPE, SIGILL, SIGSEGV, SIGBUS, SIGABRT, SIGTRAP, SIGSYS, SIGTTIN, SIGTTOU, SIGCHLD}) {
      CAPTURE(signal);
      CHECK_FALSE(ForwardsSignal(init, signal));
    }
  }
  CHECK(ForwardsSignal("dumb-init", SIGUSR1));
  CHECK(ForwardsSignal("dumb-init", 31));
  CHECK_FALSE(ForwardsSignal("dumb-init", 34));
  CHECK_FALSE(ForwardsSignal("dumb-init", SIGCHLD));
  CHECK(ForwardsSignal("catatonit", SIGUSR1));
  CHECK(ForwardsSignal("catatonit", 40));
  CHECK_FALSE(ForwardsSignal("catatonit", SIGCHLD));
  CHECK_FALSE(ForwardsSignal("systemd", 37));  // its signalfd mask shows it instead
  CHECK_FALSE(ForwardsSignal("pause", SIGUSR1));
}
