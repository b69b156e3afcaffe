// cgroup "flat keyed" files: one "<key> <value>" per line (the kernel's cgroup-v2.rst, "Interface
// Files"). pids.events, memory.events and cgroup v1's memory.oom_control have this shape.
#pragma once

#include <cstdint>
#include <string_view>

#include "collectors/base/expected.h"

namespace cproc {

// The count on the line whose key is `key`; other keys are skipped (kernels add keys). `file`
// names the file in the error: "memory.events:3: expected 'oom_kill <count>', got ...".
Expected<uint64_t> ParseFlatKeyedCount(std::string_view file, std::string_view text,
                                       std::string_view key);

}  // namespace cproc
