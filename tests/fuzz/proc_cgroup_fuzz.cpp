// /proc/PID/cgroup: "hierarchy:controllers:path" per line; the path may hold ':' and " (deleted)".
#include <string>

#include "collectors/procfs/proc_cgroup.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = cproc_fuzz::AsText(data, size);
  auto parsed = cproc::ParseProcCgroup(text);
  if (!parsed) {
    FUZZ_CHECK(!parsed.error().empty());
    return 0;
  }
  FUZZ_CHECK(!parsed->empty());
  std::string text2;
  for (const cproc::CgroupLine& line : *parsed) {
    FUZZ_CHECK(!line.path.empty() && line.path.front() == '/');
    FUZZ_CHECK(line.controllers.find(':') == std::string::npos);
    FUZZ_CHECK(line.path.find('\n') == std::string::npos);
    FUZZ_CHECK(line.unified() == (line.hierarchy == 0 && line.controllers.empty()));
    // Every comma-separated controller is found, and the empty name only if listed empty.
    std::string_view rest = line.controllers;
    while (!rest.empty()) {
      const auto comma = rest.find(',');
      const std::string_view name = rest.substr(0, comma);
      FUZZ_CHECK(line.HasController(name));
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    }
    text2 += std::to_string(line.hierarchy) + ":" + line.controllers + ":" + line.path +
             (line.deleted ? " (deleted)" : "") + "\n";
  }
  auto again = cproc::ParseProcCgroup(text2);
  FUZZ_CHECK(again.ok() && again->size() == parsed->size());
  for (std::size_t i = 0; i < parsed->size(); ++i) {
    const auto& a = (*parsed)[i];
    const auto& b = (*again)[i];
    FUZZ_CHECK(a.hierarchy == b.hierarchy && a.controllers == b.controllers && a.path == b.path &&
               a.deleted == b.deleted);
  }
  return 0;
}
