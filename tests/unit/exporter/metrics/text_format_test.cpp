#include "exporter/metrics/text_format.h"

#include <doctest/doctest.h>
#include <prometheus/text_serializer.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

namespace cproc {
namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

MetricFamily Family(std::string name, MetricType type, std::vector<double> values,
                    std::vector<ClientMetric::Label> labels = {}) {
  MetricFamily family;
  family.name = std::move(name);
  family.help = "What " + family.name + " counts (with 'quotes' and \"double quotes\").";
  family.type = type;
  for (const double value : values) {
    ClientMetric& metric = family.metric.emplace_back();
    metric.label = labels;
    metric.counter.value = metric.gauge.value = metric.untyped.value = value;
  }
  return family;
}

std::string Ours(const std::vector<MetricFamily>& families) {
  std::string out = "kept: ";  // appends, never replaces
  AppendTextFormat(families, out);
  REQUIRE(out.starts_with("kept: "));
  return out.substr(6);
}

TEST_CASE("text format: the same bytes as prometheus-cpp's TextSerializer") {
  const double inf = std::numeric_limits<double>::infinity();
  const std::vector<double> values = {0,
                                      1,
                                      100,
                                      0.1,
                                      0.78,
                                      -3.5,
                                      -0.0,
                                      1e16,
                                      1.5e300,
                                      5e-324,
                                      2.5e-05,
                                      1e-07,
                                      12345678901234567.0,
                                      1796153606.995889,
                                      std::nan(""),
                                      inf,
                                      -inf,
                                      static_cast<double>(std::numeric_limits<uint64_t>::max())};
  const std::vector<MetricFamily> families = {
      Family("cproc_scan_processes", MetricType::Gauge, values),
      Family("cproc_scan_errors_total", MetricType::Counter, values, {{"reason", "vanished"}}),
      Family("cproc_untyped", MetricType::Untyped, {1, 2}),
      Family("cproc_container_pid1_info", MetricType::Gauge, {1},
             {{"container_id", "docker://e01f"},
              {"comm", "a \"quoted\" back\\slash\nnew line ) R 1"},
              {"empty", ""},
              {"utf8", "caf\xC3\xA9 \xEF\xBF\xBD"}}),
      Family("cproc_empty_family", MetricType::Gauge, {}),
  };
  CHECK(Ours(families) == prometheus::TextSerializer().Serialize(families));
}

TEST_CASE("text format: timestamps, no help, and the families prometheus-cpp writes for us") {
  MetricFamily stamped = Family("x", MetricType::Gauge, {1, 2});
  stamped.help.clear();
  stamped.metric[1].timestamp_ms = 1700000000123;
  MetricFamily histogram;
  histogram.name = "h";
  histogram.type = MetricType::Histogram;
  ClientMetric& h = histogram.metric.emplace_back();
  h.histogram.sample_count = 3;
  h.histogram.sample_sum = 1.5;
  h.histogram.bucket = {{1, 0.1}, {3, 1.0}};
  const std::vector<MetricFamily> families = {stamped, histogram};
  const std::string ours = Ours(families);
  CHECK(ours == prometheus::TextSerializer().Serialize(families));
  CHECK(ours.find("x 2 1700000000123\n") != std::string::npos);
  CHECK(ours.find("h_bucket{le=\"+Inf\"} 3\n") != std::string::npos);
}

TEST_CASE("text format: HELP escapes backslash and newline as the format requires") {
  MetricFamily family = Family("x", MetricType::Gauge, {1});
  family.help = "line one\nback\\slash \"quotes stay\"";
  CHECK(Ours({family}) ==
        "# HELP x line one\\nback\\\\slash \"quotes stay\"\n# TYPE x gauge\nx 1\n");
}

}  // namespace
}  // namespace cproc
