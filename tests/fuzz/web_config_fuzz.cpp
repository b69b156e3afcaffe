// ParseWebConfig: the exporter-toolkit web config (TLS, basic auth, headers) on untrusted YAML.
// File names in it resolve against a directory that does not exist, so relative names never
// open anything; no exception may escape.
#include <string>

#include "exporter/http/basic_auth.h"
#include "exporter/http/web_config.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(cproc_fuzz::AsText(data, size));
  // Absolute names in the input could name a FIFO or a device that blocks on open: skip them.
  if (text.find("/dev") != std::string::npos || text.find("/proc") != std::string::npos ||
      text.find("/sys") != std::string::npos || text.find("/run") != std::string::npos) {
    return 0;
  }
  const std::string path = "/nonexistent-cproc-fuzz-dir/web-config.yml";
  auto parsed = cproc::ParseWebConfig(text, path);
  if (!parsed) {
    FUZZ_CHECK(!parsed.error().empty());
    return 0;
  }
  for (const auto& [user, hash] : parsed->basic_auth_users) {
    FUZZ_CHECK(cproc::IsBcryptHash(hash));
  }
  return 0;
}
