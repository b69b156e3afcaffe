#include "exporter/gzip.h"

#include <algorithm>
#include <cstddef>
#include <limits>

#define ZLIB_CONST  // next_in becomes const, so no const_cast is needed
#include <zlib.h>

namespace cproc {

std::string GzipCompress(std::string_view data) {
  z_stream stream{};
  // windowBits 15 + 16 asks zlib for a gzip (RFC 1952) wrapper instead of zlib's own (RFC 1950).
  if (deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
      Z_OK) {
    return {};  // only out of memory; callers then serve the uncompressed text
  }
  std::string out;
  out.resize(deflateBound(&stream, static_cast<uLong>(data.size())));
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out =
      static_cast<uInt>(std::min<std::size_t>(out.size(), std::numeric_limits<uInt>::max()));

  // avail_in is 32 bits wide: feed larger inputs in pieces.
  constexpr std::size_t kMaxChunk = std::numeric_limits<uInt>::max();
  std::size_t consumed = 0;
  int rc = Z_OK;
  while (rc == Z_OK) {
    if (stream.avail_in == 0 && consumed < data.size()) {
      const std::size_t chunk = std::min(kMaxChunk, data.size() - consumed);
      stream.next_in = reinterpret_cast<const Bytef*>(data.data() + consumed);
      stream.avail_in = static_cast<uInt>(chunk);
      consumed += chunk;
    }
    if (stream.avail_out == 0) {
      const auto used =
          static_cast<std::size_t>(reinterpret_cast<char*>(stream.next_out) - out.data());
      out.resize(out.size() * 2 + 64);
      stream.next_out = reinterpret_cast<Bytef*>(out.data() + used);
      stream.avail_out = static_cast<uInt>(
          std::min<std::size_t>(out.size() - used, std::numeric_limits<uInt>::max()));
    }
    const bool last = consumed == data.size();
    rc = deflate(&stream, last ? Z_FINISH : Z_NO_FLUSH);
    if (rc == Z_BUF_ERROR) rc = Z_OK;  // no progress possible until the loop adds room or input
  }
  const bool done = rc == Z_STREAM_END;
  out.resize(static_cast<std::size_t>(reinterpret_cast<char*>(stream.next_out) - out.data()));
  deflateEnd(&stream);
  if (!done) return {};
  return out;
}

}  // namespace cproc
