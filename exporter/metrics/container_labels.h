// The identifying labels every per-container series carries. container_id uses
// kube-state-metrics' "<runtime>://<id>" form so joins work; descriptive labels live only in
// cproc_container_info.
#pragma once

#include <string>

#include "collectors/snapshot.h"
#include "exporter/metrics/family_builder.h"
#include "exporter/metrics/label_values.h"

namespace cproc {

inline LabelPairs ContainerLabels(const Container& c) {
  return {{"container_id", SanitizeLabelValue(c.container_id())},
          {"container", SanitizeLabelValue(c.name)},
          {"pod", SanitizeLabelValue(c.pod_name)},
          {"namespace", SanitizeLabelValue(c.pod_namespace)}};
}

inline LabelPairs With(LabelPairs labels, std::string name, std::string value) {
  labels.push_back({std::move(name), std::move(value)});
  return labels;
}

}  // namespace cproc
