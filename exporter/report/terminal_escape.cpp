#include "exporter/report/terminal_escape.h"

#include <cstdint>

#include "collectors/base/utf8.h"

namespace cproc {
namespace {

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
    const Utf8Sequence d = DecodeUtf8At(text, i);
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
