// Process events and a container as the event tests need them (collectors/events/): the fields
// the ledger reads, the rest defaulted.
#pragma once

#include <cstdint>
#include <string>

#include "collectors/events/proc_event.h"
#include "collectors/snapshot.h"

namespace cproc::testing {

// A Docker container whose cgroup is /docker/<id>; `init_pid` 0: none known.
inline Container DockerContainer(const std::string& id, int32_t init_pid) {
  Container c;
  c.runtime = "docker";
  c.id = id;
  c.cgroup = "/docker/" + id;
  c.init.pid = init_pid;
  c.init.is_namespace_init = init_pid != 0;
  return c;
}

inline ProcEvent ForkEvent(int32_t parent, int32_t child) {
  ProcEvent e;
  e.kind = ProcEventKind::kFork;
  e.parent_pid = e.parent_tgid = parent;
  e.pid = e.tgid = child;
  return e;
}

inline ProcEvent ExecEvent(int32_t pid) {
  ProcEvent e;
  e.kind = ProcEventKind::kExec;
  e.pid = e.tgid = pid;
  return e;
}

// `exit_code` as the kernel sends it: a wait(2) status (status << 8, or the signal).
inline ProcEvent ExitEvent(int32_t pid, uint32_t exit_code) {
  ProcEvent e;
  e.kind = ProcEventKind::kExit;
  e.pid = e.tgid = pid;
  e.exit_code = exit_code;
  e.exit_outcome = DecodeExitCode(exit_code);
  return e;
}

}  // namespace cproc::testing
