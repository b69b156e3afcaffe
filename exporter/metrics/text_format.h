// The Prometheus text exposition format 0.0.4, written straight into one string. Same bytes as
// prometheus::TextSerializer (tests/unit/exporter/metrics/text_format_test.cpp compares them)
// without an ostream per value: the body is rebuilt every scan and holds tens of series per
// container.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <prometheus/metric_family.h>

namespace cproc {

// Appends `families` to `out`. Counters, gauges and untyped families are written here;
// summaries and histograms (which the exporter does not make) go through prometheus-cpp.
void AppendTextFormat(const std::vector<prometheus::MetricFamily>& families, std::string& out);
void AppendTextFormat(const prometheus::MetricFamily& family, std::string& out);

// Takes a body in the text format part by part, in order (a GzipWriter, a string).
using TextWriter = std::function<void(std::string_view)>;

}  // namespace cproc
