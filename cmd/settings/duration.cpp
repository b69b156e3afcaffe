#include "cmd/settings/duration.h"

#include <cstdint>
#include <string>

#include "collectors/base/parse_util.h"

namespace cproc {

Expected<std::chrono::milliseconds> ParseDuration(std::string_view text) {
  if (text.empty()) return Error{"empty duration"};
  std::chrono::milliseconds total{0};
  std::string_view rest = text;
  while (!rest.empty()) {
    std::size_t digits = 0;
    while (digits < rest.size() && rest[digits] >= '0' && rest[digits] <= '9') ++digits;
    auto number = ParseNumber<uint64_t>(rest.substr(0, digits));
    if (!number || *number > 1'000'000'000) {
      return Error{"invalid duration '" + std::string(text) + "': expected e.g. 5s, 1m30s, 500ms"};
    }
    rest.remove_prefix(digits);
    std::size_t unit_length = 0;
    while (unit_length < rest.size() && (rest[unit_length] < '0' || rest[unit_length] > '9')) {
      ++unit_length;
    }
    const std::string_view unit = rest.substr(0, unit_length);
    rest.remove_prefix(unit_length);
    const auto n = static_cast<int64_t>(*number);
    if (unit == "ms") {
      total += std::chrono::milliseconds(n);
    } else if (unit == "s") {
      total += std::chrono::seconds(n);
    } else if (unit == "m") {
      total += std::chrono::minutes(n);
    } else if (unit == "h") {
      total += std::chrono::hours(n);
    } else {
      return Error{"invalid duration '" + std::string(text) +
                   "': unit must be ms, s, m or h (e.g. 5s, 1m30s, 500ms)"};
    }
    // Each part is at most 1e9 (checked above), so one more part cannot overflow a total that
    // is bounded here.
    if (total > std::chrono::hours(24 * 366 * 100)) {
      return Error{"invalid duration '" + std::string(text.substr(0, 64)) + "': too long"};
    }
  }
  return total;
}

}  // namespace cproc
