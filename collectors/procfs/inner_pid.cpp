#include "collectors/procfs/inner_pid.h"

#include <fcntl.h>

#include "collectors/base/proc_files.h"
#include "collectors/procfs/proc_status.h"

namespace cproc {

int32_t ReadInnerPid(const std::string& procfs, int32_t pid) {
  const std::string path = procfs + "/" + std::to_string(pid) + "/status";
  std::string text;
  if (ReadFileAt(AT_FDCWD, path.c_str(), text) != ReadResult::kOk) return 0;
  auto status = ParseProcStatus(text);
  return status && !status->nspid.empty() ? status->nspid.back() : 0;
}

}  // namespace cproc
