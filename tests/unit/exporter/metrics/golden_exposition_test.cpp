// The exposition of a hand-built Snapshot, byte for byte:
// tests/unit/exporter/metrics/golden/exposition.prom is what users' dashboards, alerts and
// recording rules read. A change to a metric's name, help, labels or rendering changes that file in
// the same commit, where a reviewer sees it; promtool checks the file as well.
// CPROC_UPDATE_GOLDEN=1 writes the file anew instead of comparing.
#include <doctest/doctest.h>

#include <csignal>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "exporter/metrics/metric_families.h"
#include "tests/support/exposition_check.h"
#include "tests/support/promtool.h"

using namespace cproc;

namespace {

std::size_t Index(ProcessState state) { return static_cast<std::size_t>(state); }
std::size_t Index(NsKind kind) { return static_cast<std::size_t>(kind); }

// Every family with values, and each way a value can be unknown or left out.
Snapshot Everything() {
  Snapshot s;
  // A Docker container with everything known: an init that is not a known one, a zombie under
  // it, a pids limit reached once, the host's PID namespace shared (and declared so), one peer.
  Container web;
  web.runtime = "docker";
  web.id = std::string(64, 'a');
  web.cgroup = "/docker/" + web.id;
  web.layout = "docker-cgroupfs";
  web.name = "web";
  web.image = "nginx:1.25";
  web.named_from_files = true;
  web.processes[Index(ProcessState::kSleeping)] = 2;
  web.processes[Index(ProcessState::kZombie)] = 1;
  web.threads = 7;
  web.init = InitProcess{.pid = 4242,
                         .comm = "nginx",
                         .init = "none",
                         .is_namespace_init = true,
                         .handles_sigterm = true,
                         .stop_signal = SIGQUIT,  // nginx images: STOPSIGNAL SIGQUIT
                         .handles_stop_signal = true,
                         .start_time_seconds = 1796600000.5};
  web.pids = PidsUsage{.current = 3, .limit = 50, .limit_hits = 1};
  web.memory = MemoryEvents{.oom_kills = 2};
  web.zombies = ZombieSummary{.parent_pid1 = 1,
                              .parent_other = 0,
                              .parent_outside = 0,
                              .oldest_seconds = 42.5,
                              .oldest_pid1_seconds = 42.5};
  web.orphans_adopted_total = 3;
  web.sharing.host.fill(0);
  web.sharing.host[Index(NsKind::kPid)] = 1;
  web.sharing.host[Index(NsKind::kUser)] = 1;
  web.sharing.peers_known.fill(true);
  web.sharing.peers[Index(NsKind::kNet)] = 1;
  web.sharing.foreign_peers[Index(NsKind::kNet)] = 1;
  web.sharing.mismatches_known = true;
  web.sharing.mismatched_cgroup = 1;
  web.declared_host.fill(0);
  web.declared_host[Index(NsKind::kPid)] = 1;
  web.declared_host[Index(NsKind::kUser)] = 1;

  // A Podman pod member whose namespace links were unreadable: host sharing, peers and
  // mismatches are left out; no pids limit ("max").
  Container db;
  db.runtime = "podman";
  db.id = std::string(64, 'b');
  db.cgroup = "/libpod_parent/" + std::string(64, 'c') + "/libpod-" + db.id;
  db.layout = "podman-cgroupfs";
  db.name = "db";
  db.image = "localhost/postgres:16";
  db.pod_name = "shop";
  db.pod_uid = std::string(64, 'c');
  db.named_from_files = true;
  db.processes[Index(ProcessState::kRunning)] = 1;
  db.threads = 1;
  db.init = InitProcess{.pid = 5000,
                        .comm = "catatonit",
                        .init = "catatonit",
                        .is_namespace_init = true,
                        .handles_sigterm = true,
                        .handles_stop_signal = true,
                        .start_time_seconds = 1796600100};
  db.pids = PidsUsage{.current = 1, .limit = std::nullopt, .limit_hits = 0};
  db.memory = MemoryEvents{.oom_kills = 0};
  // Restarted twice: once killed from the host, once of its own OOM; no signal series but the
  // ones that happened.
  db.lifecycle = ProcessLifecycle{.started = 40, .execs = 38, .short_lived = 31};
  db.lifecycle->exited[kExitZero] = 30;
  db.lifecycle->exited[kExitNonZero] = 4;
  db.lifecycle->exited[SignalClassOf(SIGKILL)] = 3;
  db.lifecycle->exited[SignalClassOf(SIGTERM)] = 1;
  db.lifecycle->exited[kOomKillClass] = 1;
  db.lifecycle->init_exits[SignalClassOf(SIGKILL)] = 1;
  db.lifecycle->init_exits[kOomKillClass] = 1;
  db.lifecycle->init_killed_from_outside = 1;

  // A rootless container found through its pidfile: no cgroup, so no pids or OOM kill metrics.
  Container rootless;
  rootless.runtime = "podman";
  rootless.id = std::string(64, 'd');
  rootless.layout = "podman-pidfile";
  rootless.name = rootless.id.substr(0, 12);
  rootless.processes[Index(ProcessState::kSleeping)] = 1;
  rootless.threads = 1;
  rootless.sharing.host.fill(0);
  rootless.sharing.peers_known.fill(true);
  rootless.sharing.mismatches_known = true;

  // A container whose runtime is still writing its files: not in the per-container families.
  Container pending = db;
  pending.id = std::string(64, 'e');
  pending.name = "arriving";
  pending.identity_pending = true;

  s.containers = {web, db, rootless, pending};
  s.host_processes[Index(ProcessState::kSleeping)] = 90;
  s.host_processes[Index(ProcessState::kIdle)] = 30;
  s.stats =
      ScanStats{.timestamp_seconds = 1796600200,
                .duration_seconds = 0.125,
                .processes = 125,
                .cache_hits = 120,
                .unknown_layout_processes = 1,
                .namespaces_unreadable = 2,
                .unattributed_runtime_containers = 1,
                .cgroup_pids_available = true,
                .cached_processes = 125,
                .cached_cgroup_files = 6,
                .cached_metadata = 4,
                .tracked_processes = 125,
                .errors = ScanErrorTotals{.vanished = 5, .permission = 1, .parse = 0, .io = 0},
                .runtime_file_errors = RuntimeFileErrors{.permission = 0, .io = 0, .parse = 1},
                .events = EventSourceStats{.started = true,
                                           .active = true,
                                           .received = 90210,
                                           .lost_overrun = 1,
                                           .lost_sequence = 12}};
  return s;
}

std::filesystem::path GoldenPath() {
  return std::filesystem::path(__FILE__).parent_path() / "golden/exposition.prom";
}

}  // namespace

TEST_CASE("golden exposition: a hand-built snapshot renders exactly as checked in") {
  std::string text;
  AppendSnapshotText(Everything(), FamilyOptions{.namespace_sharing_allow = {"web"}}, text);
  const std::filesystem::path path = GoldenPath();
  if (const char* update = std::getenv("CPROC_UPDATE_GOLDEN"); update != nullptr && *update) {
    std::ofstream(path, std::ios::binary) << text;
    MESSAGE("wrote " << path.string());
  }
  std::ifstream in(path, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), "missing " << path.string());
  std::ostringstream golden;
  golden << in.rdbuf();
  // On a difference, the first differing line (diff the two for the rest).
  if (text != golden.str()) {
    std::istringstream got(text), want(golden.str());
    std::string got_line, want_line;
    int line = 0;
    while (true) {
      ++line;
      const bool more_got = static_cast<bool>(std::getline(got, got_line));
      const bool more_want = static_cast<bool>(std::getline(want, want_line));
      if (!more_got && !more_want) break;
      if (got_line != want_line || more_got != more_want) {
        FAIL_CHECK("line " << line << " differs from " << path.string()
                           << ":\n  rendered: " << got_line << "\n  golden:   " << want_line
                           << "\nupdate it on purpose with CPROC_UPDATE_GOLDEN=1");
        break;
      }
    }
  }
  std::vector<std::string> errors;
  cproc::testing::CheckExposition(golden.str(), errors);
  CHECK_MESSAGE(errors.empty(), (errors.empty() ? "" : errors.front()));
  cproc::testing::CheckWithPromtool(golden.str());
}
