// Content negotiation for /metrics: does the client's Accept-Encoding allow gzip (RFC 9110
// §12.5.3)?
#pragma once

#include <string_view>

namespace cproc {

// True when `accept_encoding` (all Accept-Encoding values joined with ",") accepts gzip: an
// explicit "gzip" or "x-gzip" with q > 0, or, when gzip is not named, "*" with q > 0. "gzip;q=0"
// refuses it. An empty or absent header means identity only.
bool AcceptsGzip(std::string_view accept_encoding);

}  // namespace cproc
