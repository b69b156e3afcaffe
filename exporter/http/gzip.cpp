#include "exporter/http/gzip.h"

#include <algorithm>
#include <array>
#include <limits>

#define ZLIB_CONST  // next_in becomes const, so no const_cast is needed
#include <zlib.h>

namespace cproc {

GzipWriter::GzipWriter(std::size_t reserve) : stream_(std::make_unique<z_stream>()) {
  // windowBits 15 + 16 asks zlib for a gzip (RFC 1952) wrapper instead of zlib's own (RFC 1950).
  if (deflateInit2(stream_.get(), Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
      Z_OK) {
    stream_.reset();  // only out of memory
    return;
  }
  out_.reserve(reserve);
}

GzipWriter::~GzipWriter() {
  if (stream_ != nullptr) deflateEnd(stream_.get());
}

void GzipWriter::Write(std::string_view data) {
  if (stream_ != nullptr && !data.empty() && !Deflate(data, Z_NO_FLUSH)) {
    deflateEnd(stream_.get());
    stream_.reset();
  }
}

std::string GzipWriter::Finish() && {
  if (stream_ == nullptr) return {};
  const bool ended = Deflate({}, Z_FINISH);
  deflateEnd(stream_.get());
  stream_.reset();
  if (!ended) return {};
  return std::move(out_);
}

// Compressed through a small buffer and appended: sizing the output by deflateBound would allocate
// (and zero) as much as the uncompressed text for a result about a tenth of it.
bool GzipWriter::Deflate(std::string_view data, int flush) {
  std::array<char, 64 * 1024> chunk;
  constexpr std::size_t kMaxInput = std::numeric_limits<uInt>::max();  // avail_in is 32 bits
  do {
    const std::size_t piece = std::min(kMaxInput, data.size());
    stream_->next_in = reinterpret_cast<const Bytef*>(data.data());
    stream_->avail_in = static_cast<uInt>(piece);
    data.remove_prefix(piece);
    const int piece_flush = data.empty() ? flush : Z_NO_FLUSH;
    int rc = Z_OK;
    do {  // until zlib leaves room in the chunk: then it has taken all input (zlib's zpipe.c)
      stream_->next_out = reinterpret_cast<Bytef*>(chunk.data());
      stream_->avail_out = static_cast<uInt>(chunk.size());
      rc = deflate(stream_.get(), piece_flush);
      if (rc == Z_STREAM_ERROR) return false;
      out_.append(chunk.data(), chunk.size() - stream_->avail_out);
    } while (stream_->avail_out == 0);
    if (piece_flush == Z_FINISH && rc != Z_STREAM_END) return false;
  } while (!data.empty());
  return true;
}

std::string GzipCompress(std::string_view data) {
  GzipWriter writer(data.size() / 8 + 64);
  writer.Write(data);
  return std::move(writer).Finish();
}

}  // namespace cproc
