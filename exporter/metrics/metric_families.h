// Pure: from a Snapshot to the metric families of the contract (README.md "Metrics"). Built fresh
// for every scan, so a container that is gone has no series left.
#pragma once

#include <string>
#include <vector>

#include <prometheus/metric_family.h>

#include "collectors/snapshot.h"
#include "exporter/metrics/text_format.h"

namespace cproc {

struct FamilyOptions {
  // Containers whose name or id matches one of these globs get
  // cproc_container_namespace_sharing_allowed 1, as does the exporter's own container.
  std::vector<std::string> namespace_sharing_allow;
};

std::vector<prometheus::MetricFamily> SnapshotFamilies(const Snapshot& snapshot,
                                                       const FamilyOptions& options = {});

// The same families as text (exporter/metrics/text_format.h), appended to `out` one family at a
// time so the model of only one family is held at once.
void AppendSnapshotText(const Snapshot& snapshot, const FamilyOptions& options, std::string& out);

// The same text, given to `write` one family at a time, so only one family's model and text are
// held at once (the scan loop compresses each as it comes).
void WriteSnapshotText(const Snapshot& snapshot, const FamilyOptions& options,
                       const TextWriter& write);

}  // namespace cproc
