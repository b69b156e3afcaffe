#include "collectors/analysis/init_recognition.h"

#include <doctest/doctest.h>

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
