// Test helper: inflate a gzip stream with zlib, independent of the code under test.
#pragma once

#include <zlib.h>

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace cproc::testing {

// The decompressed bytes, or nullopt when `gz` is not one complete gzip stream.
inline std::optional<std::string> Gunzip(std::string_view gz) {
  z_stream stream{};
  if (inflateInit2(&stream, 15 + 16) != Z_OK) return std::nullopt;
  std::string in(gz);  // zlib wants a non-const pointer unless ZLIB_CONST is set
  stream.next_in = reinterpret_cast<Bytef*>(in.data());
  stream.avail_in = static_cast<uInt>(in.size());
  std::string out;
  std::array<char, 16384> buffer{};
  int rc = Z_OK;
  while (rc == Z_OK) {
    stream.next_out = reinterpret_cast<Bytef*>(buffer.data());
    stream.avail_out = static_cast<uInt>(buffer.size());
    rc = inflate(&stream, Z_NO_FLUSH);
    out.append(buffer.data(), buffer.size() - stream.avail_out);
  }
  const bool complete = rc == Z_STREAM_END && stream.avail_in == 0;
  inflateEnd(&stream);
  if (!complete) return std::nullopt;
  return out;
}

}  // namespace cproc::testing
