// Shared by the runtime metadata fuzz targets: what must hold for any ContainerMetadata a runtime's
// file can produce, up to the bytes that leave the exporter. The metadata is put on a container
// the way the scanner does (collectors/runtimes/describe_container.h), rendered to every metric
// family, the text exposition and the /api/v1/containers JSON, and each is checked: label values
// valid UTF-8 and bounded, the identity labels unchanged by anything the file says, the declared
// namespaces exported as parsed, and the JSON parsable with the same sanitised names.
#pragma once

#include <nlohmann/json.hpp>

#include <cstddef>
#include <string>
#include <string_view>

#include "collectors/runtimes/describe_container.h"
#include "collectors/runtimes/runtime_metadata.h"
#include "collectors/snapshot.h"
#include "exporter/metrics/label_values.h"
#include "exporter/metrics/metric_families.h"
#include "exporter/metrics/text_format.h"
#include "exporter/report/container_report.h"
#include "tests/fuzz/fuzz_check.h"

namespace cproc_fuzz {

// Field by field, so a difference names nothing but is found.
inline bool SameMetadata(const cproc::ContainerMetadata& a, const cproc::ContainerMetadata& b) {
  return a.name == b.name && a.image == b.image && a.pod_name == b.pod_name &&
         a.pod_namespace == b.pod_namespace && a.pod_uid == b.pod_uid && a.sandbox == b.sandbox &&
         a.declared_host == b.declared_host;
}

inline void CheckMetadata(const cproc::ContainerMetadata& m, const std::string& runtime) {
  // The JSON parser only yields valid UTF-8 (it rejects invalid bytes and lone surrogates); the
  // exporter still sanitises, but a parser that let them through would be a regression here.
  for (const std::string* field : {&m.name, &m.image, &m.pod_name, &m.pod_namespace, &m.pod_uid}) {
    FUZZ_CHECK(IsValidUtf8(*field));
  }
  for (const int8_t declared : m.declared_host) FUZZ_CHECK(declared >= -1 && declared <= 1);

  // What the scanner does with a lookup that found this metadata.
  const std::string id(64, 'e');
  cproc::Container c;
  c.runtime = runtime;
  c.id = id;
  c.cgroup = "/docker/" + id;
  c.layout = "docker-cgroupfs";
  c.name = id.substr(0, 12);
  cproc::DescribeFromMetadata(m, runtime, c);
  cproc::Snapshot snapshot;
  snapshot.containers.push_back(c);
  const std::string container_id = cproc::ContainerId(runtime, id);

  // A glob on the hostile name too: fnmatch must not trip over it.
  const cproc::FamilyOptions options{.namespace_sharing_allow = {"node-exporter*", "*[a-", "*"}};
  const auto families = cproc::SnapshotFamilies(snapshot, options);
  std::size_t declared_series = 0;
  for (const prometheus::MetricFamily& family : families) {
    for (const prometheus::ClientMetric& metric : family.metric) {
      bool per_container = false;
      for (const prometheus::ClientMetric::Label& label : metric.label) {
        FUZZ_CHECK(IsValidUtf8(label.value));
        const std::size_t bound = label.name == "cgroup" ? 1024 : cproc::kMaxLabelValueBytes;
        FUZZ_CHECK(label.value.size() <= bound);
        if (label.name == "container_id") {
          FUZZ_CHECK(label.value == container_id);  // the file never changes who it is
          per_container = true;
        }
        if (label.name == "container") {
          FUZZ_CHECK(label.value == cproc::SanitizeLabelValue(c.name));
        }
      }
      if (family.name == "cproc_container_declared_host_namespace") {
        FUZZ_CHECK(per_container);
        FUZZ_CHECK(metric.gauge.value == 0 || metric.gauge.value == 1);
        ++declared_series;
      }
    }
  }
  std::size_t declared_kinds = 0;
  for (const int8_t declared : m.declared_host) declared_kinds += declared >= 0 ? 1 : 0;
  FUZZ_CHECK(declared_series == declared_kinds);  // one series per declared kind, no more

  std::string text;
  cproc::AppendTextFormat(families, text);
  FUZZ_CHECK(IsValidUtf8(text));

  // /api/v1/containers: always valid JSON, with the names sanitised as in the labels.
  const std::string rendered = cproc::RenderContainersJson(snapshot);
  const nlohmann::json json = nlohmann::json::parse(rendered, nullptr, false);
  FUZZ_CHECK(!json.is_discarded() && json.contains("containers"));
  FUZZ_CHECK(json.at("containers").is_array() && json.at("containers").size() == 1);
  const nlohmann::json& item = json.at("containers").at(0);
  FUZZ_CHECK(item.value("name", "") == cproc::SanitizeLabelValue(c.name));
  FUZZ_CHECK(item.value("pod", "") == cproc::SanitizeLabelValue(c.pod_name));
  FUZZ_CHECK(item.value("container_id", "") == container_id);
}

}  // namespace cproc_fuzz
