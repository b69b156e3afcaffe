// /proc/PID/environ of a process, read only if it is still the one the scan saw. For `ps --env`
// at a terminal (cmd/ps_command.cpp) only: the exporter itself never reads environ.
#pragma once

#include <cstdint>
#include <string>

namespace cproc {

enum class EnvironmentRead {
  kOk,
  kNotThatProcess,    // gone, or its pid now belongs to another process (another start time)
  kExitedDuringRead,  // it was the process before the read and was not after it
  kUnreadable,        // it is the process, but environ could not be read
};

// `pid` as found under `procfs`, expected to have started at `start_ticks` (field 22 of its
// stat, as the scan read it). Reads through one descriptor of its /proc/PID directory, which
// stays bound to that process even if the pid is reused, and checks the start time before and
// after reading environ. `out` holds the NUL-separated variables only when kOk.
EnvironmentRead ReadEnvironmentOf(const std::string& procfs, int32_t pid, uint64_t start_ticks,
                                  std::string& out);

}  // namespace cproc
