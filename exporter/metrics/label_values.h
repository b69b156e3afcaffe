// Label values come from process names and runtime metadata that anyone can set: they must be
// valid UTF-8 (the exposition format requires it) and bounded in length.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace cproc {

inline constexpr std::size_t kMaxLabelValueBytes = 256;

// Replaces every invalid UTF-8 sequence and every control character (C0 including newline and
// tab, DEL, C1) with U+FFFD, and cuts the value at a character boundary past `max_bytes`. The
// text format could escape a newline, but a label value with control characters breaks terminals,
// log lines and parsers further down (a comm may hold any byte a process writes into it).
// Quotes and backslashes are left to the serializer, which escapes them.
std::string SanitizeLabelValue(std::string_view value, std::size_t max_bytes = kMaxLabelValueBytes);

}  // namespace cproc
