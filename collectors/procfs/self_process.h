// The exporter's own process as the kernel reports it, for the standard process_* metrics:
// always the real /proc/self, never --path.procfs (that is the host's, seen from elsewhere).
#pragma once

#include <optional>

namespace cproc {

struct SelfProcess {
  double cpu_seconds = 0;  // user and system
  double open_fds = 0;
  std::optional<double> max_fds;  // RLIMIT_NOFILE's soft limit; nullopt when getrlimit failed
  double virtual_memory_bytes = 0;
  double resident_memory_bytes = 0;
  // Since the host booted: the boot time (Snapshot::boot_time_seconds) makes it unix time.
  double start_seconds_after_boot = 0;
  double threads = 0;
};

// nullopt when /proc/self/stat cannot be read or parsed.
std::optional<SelfProcess> ReadSelfProcess();

}  // namespace cproc
