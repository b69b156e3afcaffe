// gzip (RFC 1952) compression with zlib, for Content-Encoding: gzip.
#pragma once

#include <string>
#include <string_view>

namespace cproc {

std::string GzipCompress(std::string_view data);

}  // namespace cproc
