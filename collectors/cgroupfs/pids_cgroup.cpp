#include "collectors/cgroupfs/pids_cgroup.h"

#include <string>

#include "collectors/base/parse_util.h"
#include "collectors/cgroupfs/flat_keyed.h"

namespace cproc {

Expected<uint64_t> ParsePidsCurrent(std::string_view text) {
  auto value = ParseNumber<uint64_t>(TrimSpace(text));
  if (!value)
    return Error{"expected an unsigned integer, got '" + std::string(TrimSpace(text)) + "'"};
  return *value;
}

Expected<std::optional<uint64_t>> ParsePidsMax(std::string_view text) {
  const std::string_view value = TrimSpace(text);
  if (value == "max") return std::optional<uint64_t>();
  auto limit = ParseNumber<uint64_t>(value);
  if (!limit)
    return Error{"expected 'max' or an unsigned integer, got '" + std::string(value) + "'"};
  return std::optional<uint64_t>(*limit);
}

Expected<uint64_t> ParsePidsEventsMax(std::string_view text) {
  return ParseFlatKeyedCount("pids.events", text, "max");
}

}  // namespace cproc
