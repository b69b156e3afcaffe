#include "exporter/metrics/label_values.h"

#include <cstdint>

#include "collectors/base/utf8.h"

namespace cproc {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

}  // namespace

std::string SanitizeLabelValue(std::string_view value, std::size_t max_bytes) {
  std::string out;
  out.reserve(value.size() < max_bytes ? value.size() : max_bytes);
  for (std::size_t i = 0; i < value.size();) {
    const Utf8Sequence decoded = DecodeUtf8At(value, i);
    const std::size_t length = decoded.length;
    const uint32_t c = decoded.code_point;
    const bool control = c < 0x20 || c == 0x7F || (c >= 0x80 && c <= 0x9F);
    const std::string_view piece = length == 0 || control ? kReplacement : value.substr(i, length);
    if (out.size() + piece.size() > max_bytes) break;
    out.append(piece);
    i += length == 0 ? 1 : length;
  }
  return out;
}

}  // namespace cproc
