// cproc_container_info, processes by state, threads, the pids controller and OOM kills: one
// series set per container, the pids and OOM kill series only where the controller's files were
// read.
#include <doctest/doctest.h>

#include "exporter/metrics/family_groups.h"
#include "tests/unit/exporter/metrics/family_lookup.h"

using namespace cproc;
using cproc::testing::Built;
using cproc::testing::Families;
using cproc::testing::Find;
using cproc::testing::Label;

namespace {

Container Web() {
  Container c;
  c.runtime = "containerd";
  c.id = std::string(64, 'e');
  c.name = "web";
  c.image = "nginx:1.25";
  c.pod_name = "web-0";
  c.pod_namespace = "prod";
  c.pod_uid = "11111111-2222-3333-4444-555555555555";
  c.cgroup = "/kubepods.slice/cri-containerd-" + c.id + ".scope";
  c.layout = "containerd-systemd";
  c.processes[static_cast<std::size_t>(ProcessState::kRunning)] = 3;
  c.threads = 9;
  return c;
}

}  // namespace

TEST_CASE("container families: info carries the descriptive labels, states all have a series") {
  Snapshot s;
  s.containers = {Web()};
  const Families families = Built(AddContainerProcessFamilies, s);
  const auto* info = Find(families, "cproc_container_info");
  REQUIRE(info != nullptr);
  REQUIRE(info->metric.size() == 1);
  const prometheus::ClientMetric& m = info->metric[0];
  CHECK(m.gauge.value == 1);
  CHECK(Label(m, "container_id") == "containerd://" + std::string(64, 'e'));
  CHECK(Label(m, "container") == "web");
  CHECK(Label(m, "pod") == "web-0");
  CHECK(Label(m, "namespace") == "prod");
  CHECK(Label(m, "image") == "nginx:1.25");
  CHECK(Label(m, "runtime") == "containerd");
  CHECK(Label(m, "pod_uid") == "11111111-2222-3333-4444-555555555555");
  CHECK(Label(m, "layout") == "containerd-systemd");
  CHECK(Label(m, "cgroup") == s.containers[0].cgroup);

  const auto* processes = Find(families, "cproc_container_processes");
  REQUIRE(processes != nullptr);
  REQUIRE(processes->metric.size() == kProcessStateCount);
  for (const auto& p : processes->metric) {
    CHECK(Label(p, "image") == "<absent>");  // descriptive labels only on the info series
    CHECK(p.gauge.value == (Label(p, "state") == "running" ? 3 : 0));
  }
  const auto* threads = Find(families, "cproc_container_threads");
  REQUIRE(threads != nullptr);
  REQUIRE(threads->metric.size() == 1);
  CHECK(threads->metric[0].gauge.value == 9);
}

TEST_CASE("container families: OOM kills only where the memory controller was read") {
  Snapshot s;
  Container killed = Web();
  killed.memory.oom_kills = 3;
  Container spared = Web();
  spared.id = std::string(64, 'f');
  spared.memory.oom_kills = 0;  // read: a real 0
  Container unread = Web();     // unknown is never 0: no series
  unread.id = std::string(64, '0');
  s.containers = {killed, spared, unread};
  const Families families = Built(AddContainerProcessFamilies, s);
  const auto* kills = Find(families, "cproc_container_oom_kills_total");
  REQUIRE(kills != nullptr);
  CHECK(kills->type == prometheus::MetricType::Counter);
  REQUIRE(kills->metric.size() == 2);
  for (const auto& metric : kills->metric) {
    const std::string id = Label(metric, "container_id");
    CHECK(metric.counter.value == (id == killed.container_id() ? 3 : 0));
    CHECK(id != unread.container_id());
  }
}

TEST_CASE("container families: pids series only where the controller's files were read") {
  Snapshot s;
  Container limited = Web();
  limited.pids.current = 12;
  limited.pids.limit = 100;
  limited.pids.limit_hits = 4;
  Container unlimited = Web();
  unlimited.id = std::string(64, 'f');
  unlimited.pids.current = 2;  // pids.max "max": no limit series, not an infinite one
  Container unread = Web();
  unread.id = std::string(64, '0');
  s.containers = {limited, unlimited, unread};
  const Families families = Built(AddContainerProcessFamilies, s);
  const auto* current = Find(families, "cproc_container_pids_current");
  const auto* limit = Find(families, "cproc_container_pids_limit");
  const auto* hits = Find(families, "cproc_container_pids_limit_hits_total");
  REQUIRE((current != nullptr && limit != nullptr && hits != nullptr));
  CHECK(current->metric.size() == 2);
  REQUIRE(limit->metric.size() == 1);
  CHECK(limit->metric[0].gauge.value == 100);
  CHECK(Label(limit->metric[0], "container_id") == limited.container_id());
  REQUIRE(hits->metric.size() == 1);
  CHECK(hits->metric[0].counter.value == 4);
  CHECK(Find(families, "cproc_container_info")->metric.size() == 3);
}

TEST_CASE("container families: a container whose identity is pending has no series") {
  Snapshot s;
  Container pending = Web();
  pending.identity_pending = true;
  pending.pids.current = 1;
  s.containers = {pending};
  for (const auto& family : Built(AddContainerProcessFamilies, s)) {
    CAPTURE(family.name);
    CHECK(family.metric.empty());
  }
}
