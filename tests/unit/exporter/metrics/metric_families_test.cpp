#include "exporter/metrics/metric_families.h"

#include <doctest/doctest.h>
#include <prometheus/check_names.h>
#include <prometheus/text_serializer.h>

#include <set>

#include "exporter/metrics/self_metrics.h"
#include "tests/unit/exporter/metrics/family_lookup.h"

using namespace cproc;
using cproc::testing::Find;
using cproc::testing::Label;

namespace {

Snapshot TwoContainers() {
  Snapshot s;
  Container a;
  a.runtime = "docker";
  a.id = std::string(64, 'a');
  a.name = "web";
  a.cgroup = "/docker/" + a.id;
  a.processes[static_cast<std::size_t>(ProcessState::kSleeping)] = 2;
  a.processes[static_cast<std::size_t>(ProcessState::kZombie)] = 1;
  a.threads = 5;
  Container b = a;
  b.id = std::string(64, 'b');
  b.name = "bad \"name\"\n\xff";
  s.containers = {a, b};
  s.host_processes[static_cast<std::size_t>(ProcessState::kRunning)] = 7;
  s.stats.processes = 10;
  s.stats.errors.vanished = 3;
  return s;
}

}  // namespace

TEST_CASE("families: names and labels are valid, unique, prefixed, with help text") {
  auto families = SnapshotFamilies(TwoContainers());
  // Everything known, so every conditional process_* family is there too.
  const SelfProcess process{.max_fds = 1024};
  for (auto& f : SelfFamilies(SelfStatus{.boot_time_seconds = 1796600000}, process)) {
    families.push_back(std::move(f));
  }
  std::set<std::string> names;
  for (const auto& f : families) {
    CAPTURE(f.name);
    CHECK(prometheus::CheckMetricName(f.name));
    CHECK((f.name.starts_with("cproc_") || f.name.starts_with("process_")));
    CHECK_FALSE(f.help.empty());
    CHECK(f.help.find('\n') == std::string::npos);  // HELP is written unescaped
    CHECK(names.insert(f.name).second);
    if (f.type == prometheus::MetricType::Counter) CHECK(f.name.ends_with("_total"));
    for (const auto& m : f.metric) {
      std::set<std::string> label_names;
      for (const auto& l : m.label) {
        CHECK(prometheus::CheckLabelName(l.name));
        CHECK(label_names.insert(l.name).second);
      }
    }
  }
  for (const char* required :
       {"cproc_container_info", "cproc_container_processes", "cproc_container_threads",
        "cproc_host_processes", "cproc_scan_duration_seconds", "cproc_scan_timestamp_seconds",
        "cproc_scan_processes", "cproc_scan_errors_total", "cproc_build_info",
        "process_cpu_seconds_total", "process_resident_memory_bytes", "process_start_time_seconds",
        "process_open_fds", "process_max_fds", "process_virtual_memory_bytes"}) {
    CHECK_MESSAGE(names.count(required) == 1, required);
  }
}

TEST_CASE("families: every state is emitted per container and for the host, zeros included") {
  const auto families = SnapshotFamilies(TwoContainers());
  const auto* processes = Find(families, "cproc_container_processes");
  REQUIRE(processes != nullptr);
  CHECK(processes->metric.size() == 2 * kProcessStateCount);
  double zombies = 0, idle = -1;
  for (const auto& m : processes->metric) {
    CHECK(Label(m, "container_id").starts_with("docker://"));
    CHECK(Label(m, "pod") == "");
    CHECK(Label(m, "namespace") == "");
    if (Label(m, "state") == "zombie") zombies += m.gauge.value;
    if (Label(m, "state") == "idle" && Label(m, "container") == "web") idle = m.gauge.value;
  }
  CHECK(zombies == 2);
  CHECK(idle == 0);
  const auto* host = Find(families, "cproc_host_processes");
  REQUIRE(host != nullptr);
  CHECK(host->metric.size() == kProcessStateCount);
}

TEST_CASE("families: a container that is gone leaves no series") {
  Snapshot empty;
  const auto families = SnapshotFamilies(empty);
  for (const auto& f : families) {
    for (const auto& m : f.metric) CHECK(Label(m, "container_id") == "<absent>");
  }
}

TEST_CASE("families: hostile names serialize as valid, escaped UTF-8") {
  const std::string text =
      prometheus::TextSerializer().Serialize(SnapshotFamilies(TwoContainers()));
  // Quotes escaped; the newline and the invalid byte both U+FFFD.
  CHECK(text.find("container=\"bad \\\"name\\\"\xEF\xBF\xBD\xEF\xBF\xBD\"") != std::string::npos);
  CHECK(text.find('\xff') == std::string::npos);
  CHECK(text.find("cproc_scan_errors_total{reason=\"vanished\"} 3") != std::string::npos);
  CHECK(text.find("container_id=\"docker://" + std::string(64, 'a') + "\"") != std::string::npos);
}

TEST_CASE("families: the text written group by group is the serialized families") {
  const FamilyOptions options{.namespace_sharing_allow = {"web*"}};
  for (const Snapshot& snapshot : {TwoContainers(), Snapshot{}}) {
    std::string text;
    AppendSnapshotText(snapshot, options, text);
    CHECK(text == prometheus::TextSerializer().Serialize(SnapshotFamilies(snapshot, options)));
  }
}

TEST_CASE("families: a container whose identity is still arriving has no series yet") {
  Snapshot s = TwoContainers();
  s.containers[1].identity_pending = true;  // its runtime is writing its files
  const std::string other = "docker://" + s.containers[1].id;
  const auto families = SnapshotFamilies(s);
  bool first_seen = false;
  for (const auto& f : families) {
    for (const auto& m : f.metric) {
      CHECK(Label(m, "container_id") != other);
      first_seen = first_seen || Label(m, "container_id") == "docker://" + std::string(64, 'a');
    }
  }
  CHECK(first_seen);
  const std::string text = prometheus::TextSerializer().Serialize(families);
  CHECK(text.find("cproc_scan_containers{runtime=\"docker\",naming_source=\"pending\"} 1") !=
        std::string::npos);
}
