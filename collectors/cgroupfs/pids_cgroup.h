// Files of the cgroup pids controller (same format on v1 and v2): pids.current, pids.max,
// pids.events.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "collectors/base/expected.h"

namespace cproc {

Expected<uint64_t> ParsePidsCurrent(std::string_view text);

// "max" (no limit) is nullopt.
Expected<std::optional<uint64_t>> ParsePidsMax(std::string_view text);

// The "max" line of pids.events: how many forks failed because the limit was reached.
Expected<uint64_t> ParsePidsEventsMax(std::string_view text);

}  // namespace cproc
