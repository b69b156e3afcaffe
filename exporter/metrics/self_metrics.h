// The exporter's own metrics: cproc_build_info and the standard process_* set of every
// Prometheus client library, read from the exporter's own /proc/self (not --path.procfs).
#pragma once

#include <cstdint>
#include <vector>

#include <prometheus/metric_family.h>

namespace cproc {

// How the exporter itself is doing, beyond the process_* facts it reads from /proc/self.
struct SelfStatus {
  bool last_scan_successful = true;        // false: procfs could not be listed at all
  bool last_reload_successful = true;      // SIGHUP reload of the config file
  double last_reload_success_seconds = 0;  // unix time of the last successful (re)load
  // CPU time of the scan thread (scans and rendering), up to the previous scan: what the
  // exporter costs the host, apart from serving scrapes.
  double scan_cpu_seconds_total = 0;
  uint64_t scans_total = 0;  // scans the total covers
};

std::vector<prometheus::MetricFamily> SelfFamilies(const SelfStatus& status);

}  // namespace cproc
