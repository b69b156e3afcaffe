// The btime line of /proc/stat.
#include <string>

#include "collectors/procfs/boot_time.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = cproc_fuzz::AsText(data, size);
  auto parsed = cproc::ParseBootTime(text);
  if (!parsed) {
    FUZZ_CHECK(!parsed.error().empty());
    return 0;
  }
  FUZZ_CHECK(text.find("btime ") != std::string_view::npos);
  auto again = cproc::ParseBootTime("cpu  1 2 3\nbtime " + std::to_string(*parsed) + "\n");
  FUZZ_CHECK(again.ok() && *again == *parsed);
  return 0;
}
