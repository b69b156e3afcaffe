// The btime line of /proc/stat: boot time in unix seconds, to turn start ticks into wall time.
#pragma once

#include <cstdint>
#include <string_view>

#include "collectors/base/expected.h"

namespace cproc {

Expected<uint64_t> ParseBootTime(std::string_view proc_stat_text);

}  // namespace cproc
