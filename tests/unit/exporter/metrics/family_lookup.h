// Building one group of metric families (family_groups.h) and looking up a family and a label in
// them, for the tests of the families.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <prometheus/metric_family.h>

#include "collectors/snapshot.h"
#include "exporter/metrics/family_groups.h"

namespace cproc::testing {

using Families = std::vector<prometheus::MetricFamily>;

// What `add`, one of family_groups.h's groups, makes of `snapshot`: Built(AddInitFamilies, s).
template <typename Add, typename... Extra>
Families Built(Add add, const Snapshot& snapshot, const Extra&... extra) {
  Families out;
  add(RenderInput(snapshot), extra...,
      [&out](prometheus::MetricFamily&& family) { out.push_back(std::move(family)); });
  return out;
}

inline const prometheus::MetricFamily* Find(const std::vector<prometheus::MetricFamily>& families,
                                            const std::string& name) {
  for (const auto& f : families) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

inline std::string Label(const prometheus::ClientMetric& m, const std::string& name) {
  for (const auto& l : m.label) {
    if (l.name == name) return l.value;
  }
  return "<absent>";
}

}  // namespace cproc::testing
