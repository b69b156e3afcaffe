// Inflating a gzip (RFC 1952) body made by GzipWriter, for the rare client that does not take gzip.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include "exporter/http/mapped_bytes.h"

namespace cproc {

// The uncompressed size a gzip stream's trailer states (ISIZE: modulo 2^32), or 0 for one too
// short to have a trailer.
std::size_t GzipTextSize(std::string_view gzip);

// The bytes `gzip` (one complete stream, under 4 GiB uncompressed) inflates to, mapped once at
// the size its trailer states (mapped_bytes.h says why not from malloc); nullopt when it is not
// such a stream.
std::optional<MappedBytes> GzipInflate(std::string_view gzip);

}  // namespace cproc
