// The exporter's own metrics: cproc_build_info and the standard process_* set of every
// Prometheus client library, read from the exporter's own /proc/self (not --path.procfs).
#pragma once

#include <vector>

#include <prometheus/metric_family.h>

namespace cproc {

std::vector<prometheus::MetricFamily> SelfFamilies();

}  // namespace cproc
