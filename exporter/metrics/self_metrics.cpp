#include "exporter/metrics/self_metrics.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "collectors/base/proc_files.h"
#include "collectors/procfs/boot_time.h"
#include "collectors/procfs/proc_stat.h"
#include "exporter/build_info.h"
#include "exporter/metrics/family_builder.h"

namespace cproc {
namespace {

// Read once: the boot time does not change while the exporter runs.
std::optional<double> BootTimeSeconds() {
  static const std::optional<double> boot = []() -> std::optional<double> {
    std::string text;
    if (ReadFileAt(AT_FDCWD, "/proc/stat", text) != ReadResult::kOk) return std::nullopt;
    auto parsed = ParseBootTime(text);
    if (!parsed) return std::nullopt;
    return static_cast<double>(*parsed);
  }();
  return boot;
}

double OpenFds() {
  // Since Linux 6.2 the size of /proc/PID/fd is its number of descriptors: one stat instead of
  // listing them, which costs about a microsecond each and the scanner keeps one per process.
  struct stat st {};
  if (::stat("/proc/self/fd", &st) == 0 && st.st_size > 0) return static_cast<double>(st.st_size);
  DIR* dir = ::opendir("/proc/self/fd");
  if (dir == nullptr) return 0;
  double count = 0;
  while (const dirent* entry = ::readdir(dir)) {
    if (entry->d_name[0] != '.') ++count;
  }
  ::closedir(dir);
  return count - 1;  // the descriptor opendir itself holds
}

}  // namespace

std::vector<prometheus::MetricFamily> SelfFamilies(const SelfStatus& status) {
  std::vector<prometheus::MetricFamily> out;
  out.push_back(Gauge("cproc_build_info",
                      "Always 1: the version and git revision cproc_exporter was built from.")
                    .Add({{"version", kVersion}, {"revision", kRevision}}, 1)
                    .Build());
  out.push_back(Gauge("cproc_scan_success",
                      "1 if the last scan could list procfs; 0 means the metrics are from the "
                      "last good scan (see cproc_scan_timestamp_seconds) or absent.")
                    .Add({}, status.last_scan_successful ? 1 : 0)
                    .Build());
  out.push_back(Counter("cproc_scan_cpu_seconds_total",
                        "CPU time the scan thread spent scanning /proc and rendering the "
                        "metrics, up to the previous scan.")
                    .Add({}, status.scan_cpu_seconds_total)
                    .Build());
  out.push_back(Counter("cproc_scans_total", "Scans made, up to the previous scan.")
                    .Add({}, static_cast<double>(status.scans_total))
                    .Build());
  out.push_back(Gauge("cproc_config_last_reload_successful",
                      "1 if the last configuration (re)load succeeded; a failed SIGHUP reload "
                      "keeps the previous configuration running.")
                    .Add({}, status.last_reload_successful ? 1 : 0)
                    .Build());
  out.push_back(Gauge("cproc_config_last_reload_success_timestamp_seconds",
                      "Unix time of the last successful configuration load.")
                    .Add({}, status.last_reload_success_seconds)
                    .Build());

  std::string text;
  if (ReadFileAt(AT_FDCWD, "/proc/self/stat", text) != ReadResult::kOk) return out;
  auto stat = ParseProcStat(text);
  if (!stat) return out;
  const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
  const double page = static_cast<double>(::sysconf(_SC_PAGESIZE));
  out.push_back(
      Counter("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.")
          .Add({}, static_cast<double>(stat->utime_ticks + stat->stime_ticks) / ticks)
          .Build());
  out.push_back(
      Gauge("process_open_fds", "Number of open file descriptors.").Add({}, OpenFds()).Build());
  struct rlimit limit {};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0) {
    out.push_back(Gauge("process_max_fds", "Maximum number of open file descriptors.")
                      .Add({}, static_cast<double>(limit.rlim_cur))
                      .Build());
  }
  out.push_back(Gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.")
                    .Add({}, static_cast<double>(stat->vsize_bytes))
                    .Build());
  out.push_back(Gauge("process_resident_memory_bytes", "Resident memory size in bytes.")
                    .Add({}, static_cast<double>(stat->rss_pages) * page)
                    .Build());
  if (auto boot = BootTimeSeconds()) {
    out.push_back(Gauge("process_start_time_seconds",
                        "Start time of the process since unix epoch in seconds.")
                      .Add({}, *boot + static_cast<double>(stat->start_ticks) / ticks)
                      .Build());
  }
  out.push_back(Gauge("process_threads", "Number of OS threads in the process.")
                    .Add({}, static_cast<double>(stat->num_threads))
                    .Build());
  return out;
}

}  // namespace cproc
