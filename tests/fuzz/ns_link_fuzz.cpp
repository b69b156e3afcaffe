// Targets of /proc/PID/ns/<kind> links: "net:[4026531992]".
#include <string>

#include "collectors/procfs/namespaces.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = cproc_fuzz::AsText(data, size);
  if (auto kind = cproc::NsKindFromName(text)) FUZZ_CHECK(cproc::NsKindName(*kind) == text);
  auto parsed = cproc::ParseNsLink(text);
  if (!parsed) {
    FUZZ_CHECK(!parsed.error().empty());
    return 0;
  }
  FUZZ_CHECK(parsed->ino != 0);
  const std::string canonical =
      std::string(cproc::NsKindName(parsed->kind)) + ":[" + std::to_string(parsed->ino) + "]";
  auto again = cproc::ParseNsLink(canonical);
  FUZZ_CHECK(again.ok() && again->kind == parsed->kind && again->ino == parsed->ino);
  FUZZ_CHECK(text.starts_with(cproc::NsKindName(parsed->kind)));
  return 0;
}
