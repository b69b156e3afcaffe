// A small helper to fill prometheus::MetricFamily values without the Registry (whose series
// would outlive the containers they describe). Name, type and help come from the metric's spec
// (metric_specs.h); the builder only adds samples.
#pragma once

#include <algorithm>
#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <prometheus/metric_family.h>

#include "exporter/metrics/metric_specs.h"

namespace cproc {

using LabelPairs = std::vector<prometheus::ClientMetric::Label>;

// Whether `labels` are the spec's label names, in its order (metric_specs_test checks every
// family against its spec; this catches a builder that drifts in debug builds).
inline bool LabelsMatchSpec(const MetricSpec& spec, const LabelPairs& labels) {
  return std::equal(spec.labels.begin(), spec.labels.end(), labels.begin(), labels.end(),
                    [](std::string_view want, const prometheus::ClientMetric::Label& got) {
                      return got.name == want;
                    });
}

class FamilyBuilder {
 public:
  explicit FamilyBuilder(Metric metric) : spec_(&SpecOf(metric)) {
    family_.name = std::string(spec_->name);
    family_.help = std::string(spec_->help);
    family_.type = spec_->type;
  }

  FamilyBuilder& Add(LabelPairs labels, double value) {
    assert(LabelsMatchSpec(*spec_, labels));
    prometheus::ClientMetric& metric = family_.metric.emplace_back();
    metric.label = std::move(labels);
    if (family_.type == prometheus::MetricType::Counter) {
      metric.counter.value = value;
    } else {
      metric.gauge.value = value;
    }
    return *this;
  }

  // Moves the family out; the builder is spent afterwards.
  prometheus::MetricFamily Build() { return std::move(family_); }

 private:
  const MetricSpec* spec_;
  prometheus::MetricFamily family_;
};

inline FamilyBuilder Family(Metric metric) { return FamilyBuilder(metric); }

// A family of one unlabelled sample.
inline prometheus::MetricFamily OneSample(Metric metric, double value) {
  return Family(metric).Add({}, value).Build();
}

}  // namespace cproc
