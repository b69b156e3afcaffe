// The command line: defaults, --name=value and --name value, and one line for each mistake.
#include "cmd/settings/flags.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace cproc;
using namespace std::chrono_literals;

TEST_CASE("flags: defaults, overrides, and one clear line for each mistake") {
  auto defaults = ParseCommandLine({});
  REQUIRE(defaults.ok());
  CHECK(defaults->config.web_listen_address == ":19256");
  CHECK(defaults->config.web_telemetry_path == "/metrics");
  CHECK(defaults->config.scan_interval == 5s);
  CHECK(defaults->config.path_procfs == "/proc");

  auto set = ParseCommandLine({"--web.listen-address=127.0.0.1:0", "--scan.interval", "1s",
                               "--path.procfs=/host/proc", "--log.format=json"});
  REQUIRE(set.ok());
  CHECK(set->config.web_listen_address == "127.0.0.1:0");
  CHECK(set->config.scan_interval == 1s);
  CHECK(set->config.path_procfs == "/host/proc");
  CHECK(set->config.log_format == "json");

  CHECK(ParseCommandLine({"--help"})->help);
  CHECK(ParseCommandLine({"--version"})->version);

  struct Case {
    std::vector<std::string> args;
    const char* expect;
  };
  const Case cases[] = {
      {{"--nope=1"}, "unknown flag --nope"},
      {{"--scan.interval=fast"}, "invalid value 'fast' for --scan.interval"},
      {{"--scan.interval=10ms"}, "from 100ms to 24h"},
      {{"--scan.interval=25h"}, "from 100ms to 24h"},
      {{"--web.request-timeout=2h"}, "from 100ms to 1h"},
      {{"--log.level=loud"}, "expected one of debug info warn error"},
      {{"--web.max-requests=-1"}, "--web.max-requests"},
      {{"--web.telemetry-path=metrics"}, "starting with '/'"},
      {{"--scan.interval"}, "needs a value"},
      {{"--path.procfs", "--help"}, "needs a value, got the flag '--help'"},
      {{"--log.level", "-h"}, "needs a value, got the flag '-h'"},
      {{"positional"}, "unexpected argument"},
      {{"--config.file=/nonexistent/cproc.yml"}, "/nonexistent/cproc.yml: cannot open"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.expect);
    auto parsed = ParseCommandLine(c.args);
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.error().find(c.expect) != std::string::npos);
    CHECK(parsed.error().find('\n') == std::string::npos);
  }
  CHECK(UsageText("cproc_exporter").find("--web.listen-address") != std::string::npos);
}
