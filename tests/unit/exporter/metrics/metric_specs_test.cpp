// The spec table (exporter/metrics/metric_specs.h) is the one list of metrics: each spec
// follows Prometheus' naming conventions, each is rendered by a builder exactly as declared
// (type, help, label names), and one is missing only where its spec says when.
#include "exporter/metrics/metric_specs.h"

#include <doctest/doctest.h>
#include <prometheus/check_names.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "exporter/metrics/metric_families.h"
#include "exporter/metrics/self_metrics.h"

using namespace cproc;

namespace {

using Families = std::vector<prometheus::MetricFamily>;

// One container with every fact known, so each per-container family has a sample.
Snapshot EveryFactKnown() {
  Container c;
  c.runtime = "docker";
  c.id = std::string(64, 'a');
  c.name = "web";
  c.cgroup = "/docker/" + c.id;
  c.named_from_files = true;
  c.init = InitProcess{.pid = 4242, .comm = "nginx"};
  c.pids = PidsUsage{.current = 3, .limit = 50, .limit_hits = 1};
  c.memory = MemoryEvents{.oom_kills = 2};
  c.sharing.host.fill(0);
  c.sharing.peers_known.fill(true);
  c.sharing.mismatches_known = true;
  c.declared_host.fill(0);
  c.lifecycle = ProcessLifecycle{};
  Snapshot s;
  s.containers = {c};
  s.boot_time_seconds = 1796600000;
  s.stats.events = EventSourceStats{.started = true, .active = true};
  return s;
}

Families Render(const Snapshot& snapshot, const std::optional<SelfProcess>& self) {
  Families out = SnapshotFamilies(snapshot);
  for (auto& f : SelfFamilies(SelfStatus{.boot_time_seconds = snapshot.boot_time_seconds}, self)) {
    out.push_back(std::move(f));
  }
  return out;
}

std::map<std::string, const MetricSpec*> SpecsByName() {
  std::map<std::string, const MetricSpec*> out;
  for (const MetricSpec& spec : AllMetricSpecs()) out[std::string(spec.name)] = &spec;
  return out;
}

// Units Prometheus names in base units instead: seconds, bytes, ratios.
const std::set<std::string> kNotBaseUnits = {"milliseconds", "ms",    "us",        "microseconds",
                                             "minutes",      "hours", "days",      "kb",
                                             "kilobytes",    "mb",    "megabytes", "percent"};

// The words of a name, split at '_'.
std::vector<std::string> Words(std::string_view name) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= name.size()) {
    std::size_t end = name.find('_', start);
    if (end == std::string_view::npos) end = name.size();
    out.emplace_back(name.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

}  // namespace

TEST_CASE("metric specs: one per Metric, unique names, Prometheus naming conventions") {
  const auto specs = AllMetricSpecs();
  REQUIRE(specs.size() == kMetricCount);
  std::set<std::string_view> names;
  for (const MetricSpec& spec : specs) {
    CAPTURE(spec.name);
    REQUIRE_FALSE(spec.name.empty());  // every Metric has its entry
    CHECK(names.insert(spec.name).second);
    CHECK(prometheus::CheckMetricName(std::string(spec.name)));
    CHECK((spec.name.starts_with("cproc_") || spec.name.starts_with("process_")));
    CHECK_FALSE(spec.help.empty());
    CHECK(spec.help.find('\n') == std::string_view::npos);  // HELP is written unescaped
    CHECK(spec.help.find('\\') == std::string_view::npos);
    CHECK((spec.type == prometheus::MetricType::Gauge ||
           spec.type == prometheus::MetricType::Counter));
    // Counters and only counters end in _total; an _info metric is a gauge of 1.
    CHECK(spec.name.ends_with("_total") == (spec.type == prometheus::MetricType::Counter));
    if (spec.name.ends_with("_info")) CHECK(spec.type == prometheus::MetricType::Gauge);
    // Base units, as the name's suffix (before _total): seconds and bytes, never ms or kB.
    std::vector<std::string> words = Words(spec.name);
    if (words.back() == "total") words.pop_back();
    for (std::size_t i = 0; i < words.size(); ++i) {
      const std::string& word = words[i];
      CHECK_MESSAGE(!kNotBaseUnits.contains(word), "not a base unit: " << word);
      if (word == "seconds" || word == "bytes") {
        CHECK_MESSAGE(i + 1 == words.size(), "unit not at the end: " << word);
      }
    }
    std::set<std::string_view> labels;
    for (std::string_view label : spec.labels) {
      CAPTURE(label);
      CHECK(prometheus::CheckLabelName(std::string(label)));
      CHECK(labels.insert(label).second);
      CHECK(label != "le");
      CHECK(label != "quantile");
    }
  }
}

TEST_CASE("metric specs: every spec is rendered by a builder, as declared") {
  const Families families = Render(EveryFactKnown(), SelfProcess{.max_fds = 1024});
  const auto specs = SpecsByName();
  std::set<std::string> rendered;
  for (const auto& family : families) {
    CAPTURE(family.name);
    const auto it = specs.find(family.name);
    REQUIRE_MESSAGE(it != specs.end(), "no spec for " << family.name);
    const MetricSpec& spec = *it->second;
    CHECK(rendered.insert(family.name).second);
    CHECK(family.help == spec.help);
    CHECK(family.type == spec.type);
    CHECK_FALSE(family.metric.empty());
    for (const auto& metric : family.metric) {
      std::vector<std::string_view> names;
      for (const auto& label : metric.label) names.push_back(label.name);
      CHECK(names == spec.labels);
    }
  }
  for (const MetricSpec& spec : AllMetricSpecs()) {
    CHECK_MESSAGE(rendered.contains(std::string(spec.name)), "never rendered: " << spec.name);
  }
}

TEST_CASE("metric specs: a family is left out only where its spec says when") {
  // Nothing known: no containers, no boot time, no /proc/self/stat.
  const Families families = Render(Snapshot{}, std::nullopt);
  std::set<std::string> rendered;
  for (const auto& family : families) rendered.insert(family.name);
  for (const MetricSpec& spec : AllMetricSpecs()) {
    CAPTURE(spec.name);
    CHECK(rendered.contains(std::string(spec.name)) == spec.absent_when.empty());
  }
  // A missing boot time leaves out the start time alone.
  std::set<std::string> without_boot;
  Snapshot no_boot = EveryFactKnown();
  no_boot.boot_time_seconds = 0;
  for (const auto& family : Render(no_boot, SelfProcess{.max_fds = 1024})) {
    without_boot.insert(family.name);
  }
  CHECK(without_boot.size() == kMetricCount - 1);
  CHECK_FALSE(without_boot.contains("process_start_time_seconds"));
}
