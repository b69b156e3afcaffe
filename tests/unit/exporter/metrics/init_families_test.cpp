// The container's PID 1 and how its orphans are reaped: the PID 1 series only for a container
// with a known init, the zombie series for every container.
#include <doctest/doctest.h>

#include <tuple>

#include "exporter/metrics/family_groups.h"
#include "tests/unit/exporter/metrics/family_lookup.h"

using namespace cproc;
using cproc::testing::Built;
using cproc::testing::Families;
using cproc::testing::Find;
using cproc::testing::Label;

namespace {

Container WithInit() {
  Container c;
  c.runtime = "docker";
  c.id = std::string(64, 'a');
  c.name = "app";
  c.init.pid = 4242;
  c.init.comm = "tini";
  c.init.init = "tini";
  c.init.is_namespace_init = true;
  c.init.handles_sigterm = true;
  c.init.stop_signal = 37;  // a systemd image's STOPSIGNAL SIGRTMIN+3, forwarded by tini
  c.init.handles_stop_signal = true;
  c.init.start_time_seconds = 1769430000;
  c.zombies.parent_pid1 = 2;
  c.zombies.parent_other = 1;
  c.zombies.oldest_seconds = 30;
  c.zombies.oldest_pid1_seconds = 12;
  c.orphans_adopted_total = 5;
  return c;
}

double Only(const Families& families, const std::string& name) {
  const auto* family = Find(families, name);
  REQUIRE_MESSAGE(family != nullptr, name);
  REQUIRE_MESSAGE(family->metric.size() == 1, name);
  const prometheus::ClientMetric& m = family->metric[0];
  return family->type == prometheus::MetricType::Counter ? m.counter.value : m.gauge.value;
}

}  // namespace

TEST_CASE("init families: PID 1's identity, start, SIGTERM handling and reaping") {
  Snapshot s;
  s.containers = {WithInit()};
  const Families families = Built(AddInitFamilies, s);
  const auto* info = Find(families, "cproc_container_pid1_info");
  REQUIRE(info != nullptr);
  REQUIRE(info->metric.size() == 1);
  CHECK(Label(info->metric[0], "comm") == "tini");
  CHECK(Label(info->metric[0], "init") == "tini");
  CHECK(Label(info->metric[0], "stop_signal") == "SIGRTMIN+3");
  CHECK(Only(families, "cproc_container_pid1_host_pid") == 4242);
  CHECK(Only(families, "cproc_container_pid1_start_time_seconds") == 1769430000);
  CHECK(Only(families, "cproc_container_pid1_handles_sigterm") == 1);
  CHECK(Only(families, "cproc_container_pid1_handles_stop_signal") == 1);
  CHECK(Only(families, "cproc_container_pid1_is_namespace_init") == 1);
  CHECK(Only(families, "cproc_container_oldest_zombie_seconds") == 30);
  CHECK(Only(families, "cproc_container_oldest_pid1_zombie_seconds") == 12);
  CHECK(Only(families, "cproc_container_orphans_adopted_total") == 5);

  const auto* zombies = Find(families, "cproc_container_zombies");
  REQUIRE(zombies != nullptr);
  REQUIRE(zombies->metric.size() == 3);  // one per parent, zeros included
  for (const auto& m : zombies->metric) {
    const std::string parent = Label(m, "parent");
    CHECK(m.gauge.value == (parent == "pid1" ? 2 : parent == "other" ? 1 : 0));
  }
}

TEST_CASE("init families: the stop_signal label names the signal, numbers without a name too") {
  for (const auto& [signal, name, handles] :
       {std::tuple{15, "SIGTERM", 1}, std::tuple{10, "SIGUSR1", 0}, std::tuple{9, "SIGKILL", 0},
        std::tuple{33, "SIG33", 0}}) {
    CAPTURE(name);
    Snapshot s;
    s.containers = {WithInit()};
    s.containers[0].init.stop_signal = signal;
    s.containers[0].init.handles_stop_signal = handles == 1;
    const Families families = Built(AddInitFamilies, s);
    CHECK(Label(Find(families, "cproc_container_pid1_info")->metric.at(0), "stop_signal") == name);
    CHECK(Only(families, "cproc_container_pid1_handles_stop_signal") == handles);
    CHECK(Only(families, "cproc_container_pid1_handles_sigterm") == 1);  // unchanged
  }
}

TEST_CASE("init families: no live init: no PID 1 series, the zombies still counted") {
  Snapshot s;
  Container no_init = WithInit();
  no_init.init = InitProcess{};
  Container pending = WithInit();
  pending.id = std::string(64, 'b');
  pending.identity_pending = true;  // not yet: its labels would still change
  s.containers = {no_init, pending};
  const Families families = Built(AddInitFamilies, s);
  for (const char* name :
       {"cproc_container_pid1_info", "cproc_container_pid1_host_pid",
        "cproc_container_pid1_start_time_seconds", "cproc_container_pid1_handles_sigterm",
        "cproc_container_pid1_handles_stop_signal", "cproc_container_pid1_is_namespace_init"}) {
    const auto* family = Find(families, name);
    REQUIRE_MESSAGE(family != nullptr, name);
    CHECK_MESSAGE(family->metric.empty(), name);
  }
  CHECK(Find(families, "cproc_container_zombies")->metric.size() == 3);
  CHECK(Only(families, "cproc_container_orphans_adopted_total") == 5);
}
