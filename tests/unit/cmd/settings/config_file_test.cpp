#include "cmd/settings/config.h"

#include <doctest/doctest.h>

#include <algorithm>

#include "cmd/settings/duration.h"
#include "cmd/settings/flags.h"
#include "collectors/runtimes/metadata_store.h"
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

TEST_CASE("config file: runtime file locations are lists, with the built-in ones by default") {
  auto defaults = ParseCommandLine({});
  REQUIRE(defaults.ok());
  CHECK_FALSE(defaults->config.runtime_bundle_roots.has_value());
  CHECK_FALSE(defaults->config.runtime_storage_roots.has_value());
  CHECK_FALSE(defaults->config.runtime_docker_root_given);
  const MetadataPaths built_in = MetadataPathsOf(defaults->config);
  CHECK(built_in.bundle_roots == DefaultBundleRoots());
  CHECK(built_in.storage_roots == DefaultStorageRoots());
  CHECK(built_in.docker_root.empty());  // found from daemon.json by the store
  CHECK(built_in.rootfs == "/");
  CHECK(std::find(DefaultBundleRoots().begin(), DefaultBundleRoots().end(),
                  "/run/containerd/io.containerd.runtime.v2.task") != DefaultBundleRoots().end());
  CHECK(std::find(DefaultStorageRoots().begin(), DefaultStorageRoots().end(),
                  "/var/lib/containers/storage") != DefaultStorageRoots().end());

  TempFile file(
      "path:\n  rootfs: /host/root\n"
      "runtime:\n"
      "  docker_root: /srv/docker\n"
      "  bundle_roots:\n"
      "    - /run/containerd/io.containerd.runtime.v2.task\n"
      "    - /var/snap/microk8s/common/run/containerd/io.containerd.runtime.v2.task\n"
      "  storage-roots: [/var/lib/containers/storage, "
      "'/home/*/.local/share/containers/storage']\n");
  auto parsed = ParseCommandLine({"--config.file=" + file.path()});
  REQUIRE_MESSAGE(parsed.ok(), (parsed.ok() ? "" : parsed.error()));
  const Config& c = parsed->config;
  REQUIRE(c.runtime_bundle_roots.has_value());
  CHECK(*c.runtime_bundle_roots ==
        std::vector<std::string>{
            "/run/containerd/io.containerd.runtime.v2.task",
            "/var/snap/microk8s/common/run/containerd/io.containerd.runtime.v2.task"});
  REQUIRE(c.runtime_storage_roots.has_value());
  CHECK(*c.runtime_storage_roots ==
        std::vector<std::string>{"/var/lib/containers/storage",
                                 "/home/*/.local/share/containers/storage"});
  CHECK(c.runtime_docker_root_given);
  const MetadataPaths paths = MetadataPathsOf(c);
  CHECK(paths.rootfs == "/host/root");
  CHECK(paths.docker_root == "/srv/docker");
  CHECK(paths.bundle_roots == *c.runtime_bundle_roots);
  CHECK(paths.storage_roots == *c.runtime_storage_roots);

  // An empty list turns that lookup off; the flag alone also counts as given.
  TempFile off("runtime:\n  bundle_roots: []\n");
  auto none = ParseCommandLine({"--config.file=" + off.path(), "--runtime.docker-root=/d"});
  REQUIRE(none.ok());
  CHECK(MetadataPathsOf(none->config).bundle_roots.empty());
  CHECK(MetadataPathsOf(none->config).storage_roots == DefaultStorageRoots());
  CHECK(MetadataPathsOf(none->config).docker_root == "/d");
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
