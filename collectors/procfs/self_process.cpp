#include "collectors/procfs/self_process.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "collectors/base/proc_files.h"
#include "collectors/procfs/proc_stat.h"

namespace cproc {
namespace {

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

std::optional<SelfProcess> ReadSelfProcess() {
  std::string text;
  if (ReadFileAt(AT_FDCWD, "/proc/self/stat", text) != ReadResult::kOk) return std::nullopt;
  auto stat = ParseProcStat(text);
  if (!stat) return std::nullopt;
  const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
  const double page = static_cast<double>(::sysconf(_SC_PAGESIZE));
  SelfProcess self;
  self.cpu_seconds = static_cast<double>(stat->utime_ticks + stat->stime_ticks) / ticks;
  self.open_fds = OpenFds();
  struct rlimit limit {};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0) self.max_fds = static_cast<double>(limit.rlim_cur);
  self.virtual_memory_bytes = static_cast<double>(stat->vsize_bytes);
  self.resident_memory_bytes = static_cast<double>(stat->rss_pages) * page;
  self.start_seconds_after_boot = static_cast<double>(stat->start_ticks) / ticks;
  self.threads = static_cast<double>(stat->num_threads);
  return self;
}

}  // namespace cproc
