#include "exporter/terminal_escape.h"

#include <cstdint>

namespace cproc {
namespace {

struct Decoded {
  std::size_t length = 0;  // 0: no valid sequence starts here
  uint32_t code_point = 0;
};

// The valid UTF-8 sequence at s[i] (RFC 3629: no overlongs, no surrogates, nothing above
// U+10FFFF). label_values.cpp has the same rules but only needs the length; here the code
// point decides what else must be escaped.
Decoded DecodeAt(std::string_view s, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<uint8_t>(s[k]); };
  const uint8_t b0 = byte(i);
  if (b0 < 0x80) return {1, b0};
  std::size_t length = 0;
  uint32_t code_point = 0;
  uint8_t low = 0x80, high = 0xBF;  // allowed range of the second byte
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    length = 2;
    code_point = b0 & 0x1Fu;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    length = 3;
    code_point = b0 & 0x0Fu;
    if (b0 == 0xE0) low = 0xA0;
    if (b0 == 0xED) high = 0x9F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    length = 4;
    code_point = b0 & 0x07u;
    if (b0 == 0xF0) low = 0x90;
    if (b0 == 0xF4) high = 0x8F;
  } else {
    return {};
  }
  if (i + length > s.size()) return {};
  if (byte(i + 1) < low || byte(i + 1) > high) return {};
  for (std::size_t k = 1; k < length; ++k) {
    if (k > 1 && (byte(i + k) < 0x80 || byte(i + k) > 0xBF)) return {};
    code_point = (code_point << 6) | (byte(i + k) & 0x3Fu);
  }
  return {length, code_point};
}

// Characters a terminal acts on or that change how the rest of the line is displayed.
bool IsUnsafe(uint32_t c) {
  return c < 0x20 || c == 0x7F || (c >= 0x80 && c <= 0x9F)  // C0, DEL, C1
         || c == 0x061C || c == 0x200E || c == 0x200F       // bidi marks
         || (c >= 0x202A && c <= 0x202E)                    // bidi embeddings and overrides
         || (c >= 0x2066 && c <= 0x2069)                    // bidi isolates
         || c == 0x2028 || c == 0x2029;                     // line and paragraph separators
}

void AppendHex(std::string& out, uint8_t b) {
  constexpr char kDigits[] = "0123456789abcdef";
  out += "\\x";
  out += kDigits[b >> 4];
  out += kDigits[b & 0x0F];
}

}  // namespace

std::string EscapeForTerminal(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const Decoded d = DecodeAt(text, i);
    if (d.length == 0) {  // one invalid byte; the next may start a valid sequence again
      AppendHex(out, static_cast<uint8_t>(text[i]));
      ++i;
      continue;
    }
    if (d.code_point == '\\') {
      out += "\\\\";
    } else if (IsUnsafe(d.code_point)) {
      for (std::size_t k = 0; k < d.length; ++k) AppendHex(out, static_cast<uint8_t>(text[i + k]));
    } else {
      out.append(text.substr(i, d.length));
    }
    i += d.length;
  }
  return out;
}

}  // namespace cproc
