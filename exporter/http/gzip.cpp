#include "exporter/http/gzip.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <limits>

#define ZLIB_CONST  // next_in becomes const, so no const_cast is needed
#include <zlib.h>

namespace cproc {

std::string GzipCompress(std::string_view data) {
  z_stream stream{};
  // windowBits 15 + 16 asks zlib for a gzip (RFC 1952) wrapper instead of zlib's own (RFC 1950).
  // Level 1: the body is compressed once per scan whether or not anyone asks for gzip, and on
  // this text level 1 is several times faster than the default 6 for a somewhat larger body.
  if (deflateInit2(&stream, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    return {};  // only out of memory; callers then serve the uncompressed text
  }
  // Compressed through a small buffer and appended: sizing the result by deflateBound would
  // allocate (and zero) as much as the uncompressed text for a result about a tenth of it.
  std::string out;
  out.reserve(data.size() / 8 + 64);
  std::array<char, 64 * 1024> chunk;
  constexpr std::size_t kMaxInput = std::numeric_limits<uInt>::max();  // avail_in is 32 bits
  std::size_t consumed = 0;
  int rc = Z_OK;
  while (rc == Z_OK) {
    if (stream.avail_in == 0 && consumed < data.size()) {
      const std::size_t piece = std::min(kMaxInput, data.size() - consumed);
      stream.next_in = reinterpret_cast<const Bytef*>(data.data() + consumed);
      stream.avail_in = static_cast<uInt>(piece);
      consumed += piece;
    }
    stream.next_out = reinterpret_cast<Bytef*>(chunk.data());
    stream.avail_out = static_cast<uInt>(chunk.size());
    rc = deflate(&stream, consumed == data.size() ? Z_FINISH : Z_NO_FLUSH);
    out.append(chunk.data(), chunk.size() - stream.avail_out);
    if (rc == Z_BUF_ERROR) rc = Z_OK;  // no progress possible until more room or input
  }
  deflateEnd(&stream);
  if (rc != Z_STREAM_END) return {};
  return out;
}

}  // namespace cproc
