// pids.current, pids.max and pids.events of the cgroup pids controller.
#include <string>

#include "collectors/cgroupfs/pids_cgroup.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = cproc_fuzz::AsText(data, size);

  if (auto current = cproc::ParsePidsCurrent(text)) {
    auto again = cproc::ParsePidsCurrent(std::to_string(*current) + "\n");
    FUZZ_CHECK(again.ok() && *again == *current);
  } else {
    FUZZ_CHECK(!current.error().empty());
  }

  if (auto limit = cproc::ParsePidsMax(text)) {
    const std::string canonical = limit->has_value() ? std::to_string(**limit) : "max";
    auto again = cproc::ParsePidsMax(canonical + "\n");
    FUZZ_CHECK(again.ok() && *again == *limit);
  } else {
    FUZZ_CHECK(!limit.error().empty());
  }

  if (auto hits = cproc::ParsePidsEventsMax(text)) {
    FUZZ_CHECK(text.find("max") != std::string_view::npos);
    auto again = cproc::ParsePidsEventsMax("max " + std::to_string(*hits) + "\n");
    FUZZ_CHECK(again.ok() && *again == *hits);
  } else {
    FUZZ_CHECK(!hits.error().empty());
  }
  return 0;
}
