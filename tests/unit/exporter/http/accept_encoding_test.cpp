#include "exporter/http/accept_encoding.h"

#include <doctest/doctest.h>

#include <string_view>

namespace cproc {
namespace {

TEST_CASE("AcceptsGzip follows Accept-Encoding weights") {
  struct Case {
    std::string_view header;
    bool gzip;
  };
  const Case cases[] = {
      {"", false},
      {"identity", false},
      {"gzip", true},
      {"GZip", true},
      {"x-gzip", true},
      {"gzip, deflate, br", true},  // what Prometheus and browsers send
      {"br;q=1.0, gzip;q=0.8, *;q=0.1", true},
      {"gzip;q=0", false},
      {"gzip; q=0.000", false},
      {"gzip;Q=0", false},
      {"gzip;q=0.001", true},
      {"gzip;q=1", true},
      {"gzip;q=1.000", true},
      {"*", true},
      {"*;q=0", false},
      {"*, gzip;q=0", false},  // named gzip beats the wildcard
      {"gzip;q=0, *", false},
      {"*;q=0, gzip", true},
      {"deflate", false},
      {"gzipx", false},
      {"gzip;q=abc", false},  // malformed weight: treated as a refusal
      {"gzip;q=2", false},
      {"gzip;q=1.5", false},
      {" , ,gzip ,", true},
      {"gzip;level=9", true},  // unknown parameter, no weight
  };
  for (const Case& c : cases) {
    CAPTURE(c.header);
    CHECK(AcceptsGzip(c.header) == c.gzip);
  }
}

}  // namespace
}  // namespace cproc
