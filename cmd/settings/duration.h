// Durations as Prometheus writes them, for the settings that are times (scan.interval, ...).
#pragma once

#include <chrono>
#include <string_view>

#include "collectors/base/expected.h"

namespace cproc {

// Parses a Prometheus-style duration: "5s", "1m30s", "250ms", "1h".
Expected<std::chrono::milliseconds> ParseDuration(std::string_view text);

}  // namespace cproc
