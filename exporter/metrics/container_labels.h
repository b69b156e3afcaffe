// The identifying labels every per-container series carries. container_id uses
// kube-state-metrics' "<runtime>://<id>" form so joins work; descriptive labels live only in
// cproc_container_info.
#pragma once

#include <string>

#include "collectors/snapshot.h"
#include "exporter/metrics/family_builder.h"
#include "exporter/metrics/label_values.h"
#include "exporter/metrics/metric_specs.h"

namespace cproc {

// Named as in the spec table (kContainerLabelNames), in its order.
inline LabelPairs ContainerLabels(const Container& c) {
  const auto& names = kContainerLabelNames;
  return {{std::string(names[0]), SanitizeLabelValue(c.container_id())},
          {std::string(names[1]), SanitizeLabelValue(c.name)},
          {std::string(names[2]), SanitizeLabelValue(c.pod_name)},
          {std::string(names[3]), SanitizeLabelValue(c.pod_namespace)}};
}

inline LabelPairs With(LabelPairs labels, std::string name, std::string value) {
  labels.push_back({std::move(name), std::move(value)});
  return labels;
}

}  // namespace cproc
