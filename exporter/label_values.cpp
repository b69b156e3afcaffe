#include "exporter/label_values.h"

#include <cstdint>

#include "exporter/utf8.h"

namespace cproc {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

}  // namespace

std::string SanitizeLabelValue(std::string_view value, std::size_t max_bytes) {
  std::string out;
  out.reserve(value.size() < max_bytes ? value.size() : max_bytes);
  for (std::size_t i = 0; i < value.size();) {
    const std::size_t length = DecodeUtf8At(value, i).length;
    const std::string_view piece = length == 0 ? kReplacement : value.substr(i, length);
    if (out.size() + piece.size() > max_bytes) break;
    out.append(piece);
    i += length == 0 ? 1 : length;
  }
  return out;
}

}  // namespace cproc
