// Pure: from a Snapshot to the metric families of the contract (DESIGN.md §3). Built fresh for
// every scan, so a container that is gone has no series left.
#pragma once

#include <vector>

#include <prometheus/metric_family.h>

#include "collectors/snapshot.h"

namespace cproc {

std::vector<prometheus::MetricFamily> SnapshotFamilies(const Snapshot& snapshot);

}  // namespace cproc
