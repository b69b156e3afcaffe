#include "exporter/metrics/self_metrics.h"

#include "exporter/build_info.h"
#include "exporter/metrics/family_builder.h"

namespace cproc {

std::vector<prometheus::MetricFamily> SelfFamilies(const SelfStatus& status,
                                                   const std::optional<SelfProcess>& process) {
  std::vector<prometheus::MetricFamily> out;
  out.push_back(
      Family(Metric::kBuildInfo).Add({{"version", kVersion}, {"revision", kRevision}}, 1).Build());
  out.push_back(OneSample(Metric::kScanSuccess, status.last_scan_successful ? 1 : 0));
  out.push_back(OneSample(Metric::kScanCpuSeconds, status.scan_cpu_seconds_total));
  out.push_back(OneSample(Metric::kScans, static_cast<double>(status.scans_total)));
  out.push_back(
      OneSample(Metric::kConfigLastReloadSuccessful, status.last_reload_successful ? 1 : 0));
  out.push_back(
      OneSample(Metric::kConfigLastReloadSuccessTimestamp, status.last_reload_success_seconds));

  if (!process) return out;
  out.push_back(OneSample(Metric::kProcessCpuSeconds, process->cpu_seconds));
  out.push_back(OneSample(Metric::kProcessOpenFds, process->open_fds));
  if (process->max_fds) out.push_back(OneSample(Metric::kProcessMaxFds, *process->max_fds));
  out.push_back(OneSample(Metric::kProcessVirtualMemory, process->virtual_memory_bytes));
  out.push_back(OneSample(Metric::kProcessResidentMemory, process->resident_memory_bytes));
  if (status.boot_time_seconds > 0) {
    out.push_back(OneSample(Metric::kProcessStartTime,
                            status.boot_time_seconds + process->start_seconds_after_boot));
  }
  out.push_back(OneSample(Metric::kProcessThreads, process->threads));
  return out;
}

}  // namespace cproc
