#include "collectors/procfs/boot_time.h"

#include "collectors/base/parse_util.h"

namespace cproc {

Expected<uint64_t> ParseBootTime(std::string_view proc_stat_text) {
  while (!proc_stat_text.empty()) {
    std::string_view line = NextToken(proc_stat_text, '\n');
    if (!line.starts_with("btime ")) continue;
    auto value = ParseNumber<uint64_t>(TrimSpace(line.substr(6)));
    if (!value) return Error{"btime: expected unix seconds"};
    return *value;
  }
  return Error{"no btime line"};
}

}  // namespace cproc
