// The YAML config loader on untrusted input, the way the exporter uses it: the input is written
// to a memfd and handed to ParseCommandLine as --config.file=/proc/self/fd/N (and to
// LoadConfigFile directly). Any exception escaping here would terminate the exporter at start
// or on SIGHUP, so none may escape.
#include <sys/mman.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "cmd/settings/config.h"
#include "cmd/settings/config_file.h"
#include "cmd/settings/flags.h"
#include "tests/fuzz/config_validity.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

bool WriteAll(int fd, const uint8_t* data, size_t size) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n <= 0) return false;
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const int fd = ::memfd_create("cproc-fuzz-config", MFD_CLOEXEC);
  FUZZ_CHECK(fd >= 0);
  FUZZ_CHECK(WriteAll(fd, data, size));
  const std::string path = "/proc/self/fd/" + std::to_string(fd);

  auto parsed = cproc::ParseCommandLine({"--config.file=" + path});
  if (parsed) {
    cproc_fuzz::CheckConfig(parsed->config);
    FUZZ_CHECK(parsed->config.config_file == path);
  } else {
    FUZZ_CHECK(!parsed.error().empty());
  }

  // Directly, on top of non-default settings: deterministic, and the same verdict.
  cproc::Config config;
  config.log_level = "debug";
  auto loaded = cproc::LoadConfigFile(path, config);
  FUZZ_CHECK(loaded.ok() == parsed.ok());
  if (loaded) cproc_fuzz::CheckConfig(config);
  if (!loaded) FUZZ_CHECK(loaded.error().starts_with(path));

  ::close(fd);
  return 0;
}
