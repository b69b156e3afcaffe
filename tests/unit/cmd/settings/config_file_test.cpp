// The YAML config file: its sections mirror the flags, and every mistake is one line naming the
// file, the line and what was expected.
#include "cmd/settings/config_file.h"

#include <doctest/doctest.h>

#include "cmd/settings/flags.h"
#include "tests/support/temp_file.h"

using namespace cproc;
using namespace std::chrono_literals;

using testing::TempFile;

namespace {

struct BadConfig {
  const char* content;
  const char* expect;  // a part of the error, after the file's path
};

// Each file is refused with one line that starts with the file's path and says `expect`.
void CheckRefused(std::initializer_list<BadConfig> cases) {
  for (const BadConfig& c : cases) {
    CAPTURE(std::string(c.content));
    TempFile file(c.content);
    auto parsed = ParseCommandLine({"--config.file=" + file.path()});
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.error().find(file.path()) == 0);
    CHECK(parsed.error().find(c.expect) != std::string::npos);
    CHECK(parsed.error().find('\n') == std::string::npos);
  }
}

}  // namespace

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
  CheckRefused({
      {"web:\n  listen_adress: x\n", ":2: unknown setting 'web.listen_adress'"},
      // As written in the file (underscores), and every known setting in that spelling.
      {"web:\n  max_requets: 5\n",
       ":2: unknown setting 'web.max_requets' (known: "
       "web.listen_address, web.telemetry_path, web.max_requests"},
      {"web:\n  max_requests: lots\n", ":2: invalid value 'lots' for web.max_requests"},
      // A repeated key would silently drop one of the two values.
      {"web:\n  max_requests: 5\n  max-requests: 6\n",
       ":3: 'web.max-requests' given twice (first on line 2)"},
      {"scan:\n  interval: 1s\nweb:\n  max_requests: 5\nscan:\n  interval: 2s\n",
       ":5: section 'scan' given twice (first on line 1)"},
      {"scan:\n  interval: soon\n", ":2: invalid value 'soon' for scan.interval"},
      {"web: [1, 2]\n", ":1: section 'web' must be a mapping"},
      {"- a\n- b\n", ":1: expected a mapping"},
      {"scan:\n  interval: [1]\n", ":2: 'scan.interval' must be a single value"},
      {"web: {listen_address: x\n", "invalid YAML"},
      {"config:\n  file: other.yml\n", "unknown setting 'config.file'"},
  });
}

TEST_CASE("config file: bad runtime roots are one clear line") {
  CheckRefused({
      {"runtime:\n  bundle_roots: /run/x\n",
       ":2: 'runtime.bundle_roots' must be a list of absolute paths"},
      {"runtime:\n  storage_roots: [var/lib/containers]\n",
       ":2: 'runtime.storage_roots' entries must be absolute paths"},
      {"runtime:\n  storage_roots: ['']\n", "'runtime.storage_roots' entries must be absolute"},
      {"runtime:\n  storage_roots: [[/a]]\n", "'runtime.storage_roots' entries must be absolute"},
      {"runtime:\n  bundle_root: [/a]\n", ":2: unknown setting 'runtime.bundle_root'"},
      {"namespace_sharing:\n  allow: node\n", "'namespace_sharing.allow' must be a list"},
  });
  TempFile typo("runtime:\n  storage_root: [/a]\n");
  auto parsed = ParseCommandLine({"--config.file=" + typo.path()});
  REQUIRE_FALSE(parsed.ok());
  CHECK(parsed.error().find("runtime.storage_roots") != std::string::npos);  // in "known: ..."
  CHECK(parsed.error().find("runtime.bundle_roots") != std::string::npos);
  CHECK(parsed.error().find("runtime.docker_root") != std::string::npos);  // not docker-root
  CHECK(UsageText("cproc_exporter").find("daemon.json") != std::string::npos);
}
