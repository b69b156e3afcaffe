// The PID a process has in its own (innermost) PID namespace, for `ps --tree`: the last NSpid
// of /proc/PID/status, read only on demand (the scan does not read status for every process).
#pragma once

#include <cstdint>
#include <string>

namespace cproc {

// 0 when it cannot be read: the process is gone, or the kernel has no NSpid line.
int32_t ReadInnerPid(const std::string& procfs, int32_t pid);

}  // namespace cproc
