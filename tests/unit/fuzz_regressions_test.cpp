// Inputs the libFuzzer targets in tests/fuzz found (or that their reports pointed at), kept as
// plain unit tests so every build checks them, with or without clang and CPROC_FUZZ.
#include <doctest/doctest.h>

#include <array>
#include <cstddef>
#include <string>

#include "cmd/settings/config.h"
#include "cmd/settings/config_file.h"
#include "cmd/settings/duration.h"
#include "cmd/settings/flags.h"
#include "collectors/events/proc_event.h"
#include "tests/support/temp_file.h"

using namespace cproc;

namespace {

// The config must be refused with a one-line error naming the file, and nothing may throw: an
// exception out of ParseCommandLine terminates the exporter at start (cmd/main.cpp calls it
// outside any try) and stops it on SIGHUP (Reload runs inside Serve's try, whose catch returns 1).
void ExpectRefusedWithoutException(const std::string& yaml) {
  CAPTURE(yaml);
  testing::TempFile file(yaml, "config.yml");
  try {
    Config config;
    auto loaded = LoadConfigFile(file.path(), config);
    CHECK_FALSE(loaded.ok());
    if (!loaded) CHECK(loaded.error().starts_with(file.path()));
    auto parsed = ParseCommandLine({"--config.file=" + file.path()});
    CHECK_FALSE(parsed.ok());
  } catch (const std::exception& e) {
    FAIL_CHECK("exception escaped: " << std::string(e.what()));
  }
}

}  // namespace

// fuzz_config_file, crash: "terminate called after throwing an instance of
// 'YAML::TypedBadConversion<std::string>' ... bad conversion" from
// `section.first.as<std::string>()` (cmd/settings/config.cpp:153, now config_file.cpp) on a
// non-scalar section key.
TEST_CASE("fuzz regression: a config whose section key is a sequence or map is refused") {
  ExpectRefusedWithoutException("? [a]\n: {b: c}\n");
  ExpectRefusedWithoutException("{[web]: {listen_address: ':1'}}\n");
  ExpectRefusedWithoutException("? {a: b}\n: {c: d}\n");
  ExpectRefusedWithoutException("? \n: {c: d}\n");  // a null key
}

// fuzz_config_file, crash: the same from `item.first.as<std::string>()`
// (cmd/settings/config.cpp:160, now config_file.cpp) on a non-scalar setting key inside a section.
TEST_CASE("fuzz regression: a config whose setting key is a sequence or map is refused") {
  ExpectRefusedWithoutException("web:\n  ? [a]\n  : b\n");
  ExpectRefusedWithoutException("scan:\n  ? {a: b}\n  : c\n");
  ExpectRefusedWithoutException("log: {[level]: info}\n");
  ExpectRefusedWithoutException("config:\n  ? le: ");  // the fuzzer's own find, verbatim
}

// Review of fuzz_duration's invariant (the sum of non-negative parts is never negative): each
// part is bounded (<= 1e9 units) but their sum is not, and the int64 millisecond total overflows
// (signed overflow: UB; UBSan reports it in cmd/settings/duration.cpp ParseDuration's `total +=`).
// 2600 x "1000000000h" = 9.36e18 ms > INT64_MAX.
TEST_CASE("fuzz regression: a duration whose parts overflow int64 milliseconds is refused") {
  std::string text;
  for (int i = 0; i < 2600; ++i) text += "1000000000h";
  auto parsed = ParseDuration(text);
  CHECK_FALSE(parsed.ok());
  if (parsed) CHECK(parsed->count() > 0);
}

// fuzz_command_line, invariant broken: `--path.procfs --help` took "--help" as the procfs path,
// so help was not shown although --help was given. A flag is never the value of another one.
TEST_CASE("fuzz regression: a flag is not taken as the separate value of the flag before it") {
  auto parsed = ParseCommandLine({"--path.procfs", "--help"});
  REQUIRE_FALSE(parsed.ok());
  CHECK(parsed.error().find("--path.procfs needs a value") != std::string::npos);
  auto dash = ParseCommandLine({"--path.procfs", "-"});  // "-" alone is a value, not a flag
  REQUIRE(dash.ok());
  CHECK(dash->config.path_procfs == "-");
  auto explicit_value = ParseCommandLine({"--path.procfs=--help"});
  REQUIRE(explicit_value.ok());
  CHECK_FALSE(explicit_value->help);
}

// fuzz_proc_event, UBSan: "negation of -2147483648 cannot be represented in type 'int'" in
// collectors/events/proc_event.cpp: an NLMSG_ERROR message whose error field is INT_MIN (the
// kernel sends -errno, but any int may arrive). Corpus: proc_event/netlink-error-int-min.
TEST_CASE("fuzz regression: a netlink error of INT_MIN is reported without overflow") {
  std::array<std::byte, 32> bytes{};
  bytes[0] = std::byte{32};     // nlmsg_len
  bytes[4] = std::byte{2};      // nlmsg_type = NLMSG_ERROR
  bytes[19] = std::byte{0x80};  // error = INT_MIN, little-endian
  auto parsed = ParseProcEventMessage(bytes);
  REQUIRE_FALSE(parsed.ok());
  CHECK(parsed.error() == "netlink error 2147483648");
}
