// ParseDuration: "5s", "1m30s", "250ms", "1h".
#include <string>

#include "cmd/settings/duration.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = cproc_fuzz::AsText(data, size);
  auto parsed = cproc::ParseDuration(text);
  if (!parsed) {
    FUZZ_CHECK(!parsed.error().empty());
    return 0;
  }
  const int64_t ms = parsed->count();
  FUZZ_CHECK(ms >= 0);  // a sum of non-negative parts: negative means it overflowed
  FUZZ_CHECK(!text.empty() && text.back() >= 'a' && text.back() <= 's');
  // Canonical form h/m/s/ms, each part within the parser's per-number bound, reads back equal.
  const int64_t h = ms / 3'600'000, m = ms / 60'000 % 60, s = ms / 1000 % 60, rem = ms % 1000;
  std::string canonical;
  if (h > 0) canonical += std::to_string(h) + "h";
  if (m > 0) canonical += std::to_string(m) + "m";
  if (s > 0) canonical += std::to_string(s) + "s";
  if (rem > 0 || canonical.empty()) canonical += std::to_string(rem) + "ms";
  if (h <= 1'000'000'000) {
    auto again = cproc::ParseDuration(canonical);
    FUZZ_CHECK(again.ok() && again->count() == ms);
  }
  return 0;
}
