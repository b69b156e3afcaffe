// Each group of metric families, one file each; metric_families.cpp runs them in order. A group
// hands each family to the sink as soon as it is built, so a caller that writes families out
// holds the model of one family at a time, not of the whole page (at 1,000 containers the
// largest group's model was most of the render's peak heap: docs/PERFORMANCE.md "Memory").
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <prometheus/metric_family.h>

#include "collectors/snapshot.h"
#include "exporter/metrics/family_builder.h"

namespace cproc {

using FamilySink = std::function<void(prometheus::MetricFamily&&)>;

// What every per-container family of one render reads: the snapshot, and each container's
// identifying labels (container_labels.h), made once per render rather than once per family.
struct RenderInput {
  explicit RenderInput(const Snapshot& of);

  const Snapshot& snapshot;
  std::vector<LabelPairs> labels;  // by container index; empty while its identity is pending
};

// Builds `metric` from every container whose identity is known (a pending one's labels would
// still change), `add(family, container, labels)` adding its samples, and hands it to `emit`.
template <typename AddSamples>
void EmitPerContainer(const RenderInput& input, Metric metric, const FamilySink& emit,
                      AddSamples add) {
  FamilyBuilder family = Family(metric);
  const std::vector<Container>& containers = input.snapshot.containers;
  for (std::size_t i = 0; i < containers.size(); ++i) {
    if (containers[i].identity_pending) continue;
    add(family, containers[i], input.labels[i]);
  }
  emit(family.Build());
}

// `metric` with one sample per container: `value(container)`, or none where it is nullopt
// (unknown is left out, never 0).
template <typename Value>
void EmitOnePerContainer(const RenderInput& input, Metric metric, const FamilySink& emit,
                         Value value) {
  EmitPerContainer(input, metric, emit,
                   [&](FamilyBuilder& f, const Container& c, const LabelPairs& labels) {
                     if (const std::optional<double> v = value(c)) f.Add(labels, *v);
                   });
}

void AddContainerProcessFamilies(const RenderInput& input,
                                 const FamilySink& emit);                // info, states, pids
void AddInitFamilies(const RenderInput& input, const FamilySink& emit);  // PID 1 and reaping
void AddNamespaceFamilies(const RenderInput& input, const std::vector<std::string>& allow,
                          const FamilySink& emit);  // host namespaces, peers, mismatches
void AddLifecycleFamilies(const RenderInput& input,
                          const FamilySink& emit);  // process events per container
void AddEventSourceFamilies(const EventSourceStats& stats,
                            const FamilySink& emit);  // the source's health

}  // namespace cproc
