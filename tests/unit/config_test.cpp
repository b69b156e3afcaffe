#include "exporter/config.h"

#include <doctest/doctest.h>

#include <cstdio>
#include <fstream>

#include "exporter/flags.h"
#include "tests/support/temp_file.h"

using namespace cproc;
using namespace std::chrono_literals;

using testing::TempFile;

TEST_CASE("durations in Prometheus form") {
  CHECK(*ParseDuration("5s") == 5000ms);
  CHECK(*ParseDuration("1m30s") == 90000ms);
  CHECK(*ParseDuration("250ms") == 250ms);
  CHECK(*ParseDuration("1h") == 3600000ms);
  for (const char* bad : {"", "5", "s", "5x", "-1s", "1.5s", "5 s"}) {
    CAPTURE(bad);
    CHECK_FALSE(ParseDuration(bad).ok());
  }
}

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

TEST_CASE("config file: sections mirror the flags, and flags override the file") {
  TempFile file(
      "web:\n  listen_address: 127.0.0.1:9999\n  max-requests: 5\n"
      "scan:\n  interval: 2s\npath:\n  procfs: /host/proc\n");
  auto parsed = ParseCommandLine({"--config.file=" + file.path(), "--scan.interval=3s"});
  REQUIRE_MESSAGE(parsed.ok(), (parsed.ok() ? "" : parsed.error()));
  CHECK(parsed->config.web_listen_address == "127.0.0.1:9999");
  CHECK(parsed->config.web_max_requests == 5);
  CHECK(parsed->config.path_procfs == "/host/proc");
  CHECK(parsed->config.scan_interval == 3s);  // the flag wins, wherever it stands

  auto flag_first = ParseCommandLine({"--scan.interval=3s", "--config.file=" + file.path()});
  REQUIRE(flag_first.ok());
  CHECK(flag_first->config.scan_interval == 3s);

  TempFile empty("");
  CHECK(ParseCommandLine({"--config.file=" + empty.path()}).ok());
}

TEST_CASE("config file: errors name the file, the line and what was expected") {
  struct Case {
    const char* content;
    const char* expect;
  };
  const Case cases[] = {
      {"web:\n  listen_adress: x\n", ":2: unknown setting 'web.listen-adress'"},
      {"scan:\n  interval: soon\n", ":2: invalid value 'soon' for scan.interval"},
      {"web: [1, 2]\n", ":1: section 'web' must be a mapping"},
      {"- a\n- b\n", ":1: expected a mapping"},
      {"scan:\n  interval: [1]\n", ":2: 'scan.interval' must be a single value"},
      {"web: {listen_address: x\n", "invalid YAML"},
      {"config:\n  file: other.yml\n", "unknown setting 'config.file'"},
  };
  for (const Case& c : cases) {
    CAPTURE(std::string(c.content));
    TempFile file(c.content);
    auto parsed = ParseCommandLine({"--config.file=" + file.path()});
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.error().find(file.path()) == 0);
    CHECK(parsed.error().find(c.expect) != std::string::npos);
  }
}
