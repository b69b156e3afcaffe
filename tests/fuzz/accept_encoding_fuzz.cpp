// AcceptsGzip on arbitrary Accept-Encoding values (a request header: attacker-controlled).
#include <cctype>
#include <string>

#include "exporter/http/accept_encoding.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = cproc_fuzz::AsText(data, size);
  const bool gzip = cproc::AcceptsGzip(text);

  // Codings and the q parameter name are case-insensitive.
  std::string upper(text);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  FUZZ_CHECK(cproc::AcceptsGzip(upper) == gzip);
  // An explicit refusal anywhere wins.
  FUZZ_CHECK(!cproc::AcceptsGzip(std::string(text) + ",gzip;q=0"));
  FUZZ_CHECK(!cproc::AcceptsGzip("gzip;q=0," + std::string(text)));
  // Empty elements change nothing.
  FUZZ_CHECK(cproc::AcceptsGzip(",," + std::string(text) + ",") == gzip);
  // gzip is only accepted when the header says gzip or '*' somewhere.
  if (gzip) {
    const bool named =
        upper.find("GZIP") != std::string::npos || text.find('*') != std::string::npos;
    FUZZ_CHECK(named);
  }
  return 0;
}
