// The exporter's own metrics: cproc_build_info and the standard process_* set of every
// Prometheus client library. Pure: the facts of the exporter's own process are read by
// collectors/procfs/self_process.h.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include <prometheus/metric_family.h>

#include "collectors/procfs/self_process.h"

namespace cproc {

// How the exporter itself is doing, beyond the process_* facts of SelfProcess.
struct SelfStatus {
  bool last_scan_successful = true;        // false: procfs could not be listed at all
  bool last_reload_successful = true;      // SIGHUP reload of the config file
  double last_reload_success_seconds = 0;  // unix time of the last successful (re)load
  // CPU time of the scan thread (scans and rendering), up to the previous scan: what the
  // exporter costs the host, apart from serving scrapes.
  double scan_cpu_seconds_total = 0;
  uint64_t scans_total = 0;  // scans the total covers
  // Unix time the host booted, from the scan's Snapshot (read once, by the scanner); 0 when
  // unknown, and process_start_time_seconds is left out.
  double boot_time_seconds = 0;
};

// `process`: nullopt when /proc/self/stat could not be read; the process_* families are left out.
std::vector<prometheus::MetricFamily> SelfFamilies(const SelfStatus& status,
                                                   const std::optional<SelfProcess>& process);

}  // namespace cproc
