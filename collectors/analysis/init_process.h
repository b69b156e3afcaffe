// Which process is a container's init (pure; the scanner reads the facts it needs).
//
// Normally it is PID 1 of the container's PID namespace (innermost NSpid 1). A --pid=host
// container, or one sharing another container's PID namespace, has no PID 1 of its own: its
// main process is reported instead and marked as not a namespace init. `docker exec` sessions
// also have a parent outside the container; they start later than the main process, so the
// earliest-started candidate wins among those that are not PID 1.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "collectors/snapshot.h"

namespace cproc {

// For each container (by index): its live processes whose parent is not in the container,
// as indexes into snapshot.processes, earliest started first.
std::vector<std::vector<std::size_t>> InitCandidates(const Snapshot& snapshot);

// What /proc/PID/status and /proc/PID/exe say about one candidate.
struct CandidateFacts {
  bool status_read = false;
  std::vector<int32_t> nspid;  // outermost first
  uint64_t sig_blk = 0;
  uint64_t sig_ign = 0;
  uint64_t sig_cgt = 0;
  std::string exe_basename;  // empty when unreadable
};

// `facts` is parallel to `candidates`. `boot_time_seconds` and `ticks_per_second` convert the
// start time. `declared_stop_signal`: the container's (Container::declared_stop_signal), 0 for
// SIGTERM. Returns an InitProcess with pid 0 when there is no candidate.
InitProcess ChooseInit(const Snapshot& snapshot, const std::vector<std::size_t>& candidates,
                       const std::vector<CandidateFacts>& facts, double boot_time_seconds,
                       double ticks_per_second, int declared_stop_signal = 0);

}  // namespace cproc
