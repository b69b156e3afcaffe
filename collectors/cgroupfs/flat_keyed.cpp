#include "collectors/cgroupfs/flat_keyed.h"

#include <string>

#include "collectors/base/parse_util.h"

namespace cproc {

Expected<uint64_t> ParseFlatKeyedCount(std::string_view file, std::string_view text,
                                       std::string_view key) {
  for (std::size_t number = 1; !text.empty(); ++number) {
    const std::string_view line = NextToken(text, '\n');
    std::string_view rest = line;
    if (NextToken(rest, ' ') != key) continue;
    if (auto value = ParseNumber<uint64_t>(TrimSpace(rest))) return *value;
    return Error{std::string(file) + ":" + std::to_string(number) + ": expected '" +
                 std::string(key) + " <count>', got '" + std::string(line) + "'"};
  }
  return Error{std::string(file) + ": no '" + std::string(key) + "' line"};
}

}  // namespace cproc
