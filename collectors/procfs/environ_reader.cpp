#include "collectors/procfs/environ_reader.h"

#include <fcntl.h>

#include <optional>

#include "collectors/base/proc_files.h"
#include "collectors/procfs/proc_stat.h"

namespace cproc {
namespace {

// Field 22 of /proc/PID/stat for the process behind `dir_fd` (its /proc/PID directory), or
// nullopt when it cannot be read (the process exited).
std::optional<uint64_t> StartTicksAt(int dir_fd) {
  std::string text;
  if (ReadOnePieceAt(dir_fd, "stat", text) != ReadResult::kOk) return std::nullopt;
  auto stat = ParseProcStat(text);
  if (!stat) return std::nullopt;
  return stat->start_ticks;
}

}  // namespace

EnvironmentRead ReadEnvironmentOf(const std::string& procfs, int32_t pid, uint64_t start_ticks,
                                  std::string& out) {
  out.clear();
  const std::string dir = procfs + "/" + std::to_string(pid);
  const Fd dir_fd = OpenAt(AT_FDCWD, dir.c_str(), O_DIRECTORY);
  const auto same_process = [&] {
    const std::optional<uint64_t> start = StartTicksAt(dir_fd.get());
    return start.has_value() && *start == start_ticks;
  };
  if (!dir_fd.valid() || !same_process()) return EnvironmentRead::kNotThatProcess;
  std::string text;
  const ReadResult read = ReadFileAt(dir_fd.get(), "environ", text);
  if (!same_process()) return EnvironmentRead::kExitedDuringRead;
  if (read != ReadResult::kOk) return EnvironmentRead::kUnreadable;
  out = std::move(text);
  return EnvironmentRead::kOk;
}

}  // namespace cproc
