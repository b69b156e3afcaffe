// SanitizeLabelValue: output is valid UTF-8 without control characters, at most max_bytes long,
// and a fixed point. The first two input bytes choose max_bytes (0 = the default); the rest is
// the value.
#include <string>

#include "exporter/metrics/label_values.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/support/exposition_check.h"

using cproc_fuzz::IsValidUtf8;

using cproc::testing::HasControlCharacter;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  std::size_t max_bytes =
      static_cast<std::size_t>(data[0]) | (static_cast<std::size_t>(data[1] & 0x03) << 8);
  if (max_bytes == 0) max_bytes = cproc::kMaxLabelValueBytes;
  const std::string_view value = cproc_fuzz::AsText(data + 2, size - 2);

  const std::string out = cproc::SanitizeLabelValue(value, max_bytes);
  FUZZ_CHECK(IsValidUtf8(out));
  FUZZ_CHECK(!HasControlCharacter(out));
  FUZZ_CHECK(out.size() <= max_bytes);
  FUZZ_CHECK(cproc::SanitizeLabelValue(out, max_bytes) == out);  // idempotent

  // Nothing valid and printable is changed, only cut: such input that fits comes back unchanged,
  // and a cut value is a prefix of the uncut one (cut at a character boundary).
  const std::string uncut = cproc::SanitizeLabelValue(value, value.size() * 3 + 3);
  FUZZ_CHECK(IsValidUtf8(uncut));
  FUZZ_CHECK(uncut.starts_with(out));
  if (IsValidUtf8(value) && !HasControlCharacter(value)) {
    FUZZ_CHECK(uncut == value);
    if (value.size() <= max_bytes) FUZZ_CHECK(out == value);
  }
  // A cut happens only when the next character would not fit (at most 4 bytes short).
  if (out.size() < uncut.size()) FUZZ_CHECK(out.size() + 4 > max_bytes);

  // The default bound.
  const std::string bounded = cproc::SanitizeLabelValue(value);
  FUZZ_CHECK(bounded.size() <= cproc::kMaxLabelValueBytes && IsValidUtf8(bounded));
  return 0;
}
