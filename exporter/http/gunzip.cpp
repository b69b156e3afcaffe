#include "exporter/http/gunzip.h"

#include <limits>

#define ZLIB_CONST  // next_in becomes const, so no const_cast is needed
#include <zlib.h>

namespace cproc {

std::size_t GzipTextSize(std::string_view gzip) {
  constexpr std::size_t kHeaderAndTrailer = 18;  // RFC 1952: 10-byte header, 8-byte trailer
  if (gzip.size() < kHeaderAndTrailer) return 0;
  std::size_t size = 0;
  for (std::size_t i = 1; i <= 4; ++i) {  // little-endian, the last four bytes
    size = size << 8 | static_cast<unsigned char>(gzip[gzip.size() - i]);
  }
  return size;
}

std::optional<MappedBytes> GzipInflate(std::string_view gzip) {
  if (gzip.size() > std::numeric_limits<uInt>::max()) return std::nullopt;  // avail_in: 32 bits
  // One allocation at the final size: a buffer grown while inflating would, for a moment, hold
  // up to twice the text.
  std::optional<MappedBytes> text = MappedBytes::Allocate(GzipTextSize(gzip));
  if (!text) return std::nullopt;
  z_stream stream{};
  if (inflateInit2(&stream, 15 + 16) != Z_OK) return std::nullopt;  // 16: gzip wrapper only
  stream.next_in = reinterpret_cast<const Bytef*>(gzip.data());
  stream.avail_in = static_cast<uInt>(gzip.size());
  char none = 0;  // zlib refuses a null output even with no room: an empty text maps nothing
  stream.next_out = reinterpret_cast<Bytef*>(text->size() != 0 ? text->data() : &none);
  stream.avail_out = static_cast<uInt>(text->size());
  const int rc = inflate(&stream, Z_FINISH);
  const bool complete = rc == Z_STREAM_END && stream.avail_in == 0 && stream.avail_out == 0;
  inflateEnd(&stream);
  if (!complete) return std::nullopt;
  return text;
}

}  // namespace cproc
