// Pure: from a Snapshot to the metric families of the contract (DESIGN.md §3). Built fresh for
// every scan, so a container that is gone has no series left.
#pragma once

#include <string>
#include <vector>

#include <prometheus/metric_family.h>

#include "collectors/snapshot.h"

namespace cproc {

struct FamilyOptions {
  // Containers whose name or id matches one of these globs get
  // cproc_container_namespace_sharing_allowed 1, as does the exporter's own container.
  std::vector<std::string> namespace_sharing_allow;
};

std::vector<prometheus::MetricFamily> SnapshotFamilies(const Snapshot& snapshot,
                                                       const FamilyOptions& options = {});

}  // namespace cproc
