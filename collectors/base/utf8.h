// One UTF-8 decoder for everything that must tell valid text from bytes: label values, terminal
// output, the ps table.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace cproc {

struct Utf8Sequence {
  std::size_t length = 0;  // 0: no valid sequence starts here
  uint32_t code_point = 0;
};

// The valid UTF-8 sequence at s[i], i < s.size() (RFC 3629: no overlongs, no surrogates,
// nothing above U+10FFFF).
Utf8Sequence DecodeUtf8At(std::string_view s, std::size_t i);

}  // namespace cproc
