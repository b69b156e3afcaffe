// A snapshot Process as a test needs it: the fields the analyses read, the rest defaulted.
#pragma once

#include <cstdint>

#include "collectors/snapshot.h"

namespace cproc::testing {

inline Process MakeProcess(int32_t pid, int32_t ppid, int32_t container, uint64_t start,
                           char state = 'S', const char* comm = "sleep") {
  Process p;
  p.pid = pid;
  p.ppid = ppid;
  p.container = container;
  p.start_ticks = start;
  p.state_code = state;
  p.state = ProcessStateFromCode(state);
  p.comm = comm;
  return p;
}

}  // namespace cproc::testing
