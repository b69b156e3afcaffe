// gzip (RFC 1952) compression with zlib, for Content-Encoding: gzip.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

struct z_stream_s;  // zlib's z_stream

namespace cproc {

// Compresses a body given in parts, as they come: the caller never holds the whole of it.
// Level 1: the body is compressed once per scan whether or not anyone asks for gzip, and on the
// text format level 1 is several times faster than the default 6 for a somewhat larger body.
class GzipWriter {
 public:
  // `reserve`: the expected size of the compressed body, allocated at once (0: grown as needed).
  explicit GzipWriter(std::size_t reserve = 0);
  ~GzipWriter();
  GzipWriter(const GzipWriter&) = delete;
  GzipWriter& operator=(const GzipWriter&) = delete;

  // Compresses `data` as the next part of the body (an empty part is fine).
  void Write(std::string_view data);
  // Ends the stream: the gzip of all parts, or empty when compression failed (zlib out of memory);
  // callers then serve the uncompressed text.
  std::string Finish() &&;

 private:
  bool Deflate(std::string_view data, int flush);

  std::unique_ptr<z_stream_s> stream_;  // null once failed or finished
  std::string out_;
};

// The gzip of `data`, or empty when compression failed.
std::string GzipCompress(std::string_view data);

}  // namespace cproc
