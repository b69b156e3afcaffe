#include "collectors/cgroupfs.h"

#include <fcntl.h>
#include <unistd.h>

#include "collectors/parse_util.h"
#include "collectors/pids_cgroup.h"
#include "collectors/proc_files.h"

namespace cproc {

bool IsSafeCgroupPath(std::string_view path) {
  if (path.empty() || path.front() != '/') return false;
  std::string_view rest = path.substr(1);
  while (!rest.empty()) {
    const std::string_view component = NextToken(rest, '/');
    if (component == "." || component == "..") return false;
  }
  return true;
}

CgroupFs::CgroupFs(const std::string& sysfs) {
  const std::string root = sysfs + "/fs/cgroup";
  if (::access((root + "/cgroup.controllers").c_str(), F_OK) == 0) {
    pids_roots_.push_back(root);  // pure cgroup v2
  } else {
    pids_roots_.push_back(root + "/pids");     // v1 (and hybrid) pids hierarchy
    pids_roots_.push_back(root + "/unified");  // hybrid: pids may be enabled on cgroup2 instead
  }
  for (const std::string& candidate : pids_roots_) {
    pids_available_ = pids_available_ || ::access(candidate.c_str(), R_OK | X_OK) == 0;
  }
}

PidsUsage CgroupFs::ReadPids(std::string_view cgroup_path) const {
  PidsUsage usage;
  if (!IsSafeCgroupPath(cgroup_path)) return usage;
  std::string text;
  for (const std::string& root : pids_roots_) {
    const std::string dir = root + std::string(cgroup_path);
    if (ReadFileAt(AT_FDCWD, (dir + "/pids.max").c_str(), text) != ReadResult::kOk) continue;
    if (auto limit = ParsePidsMax(text)) usage.limit = *limit;
    if (ReadFileAt(AT_FDCWD, (dir + "/pids.current").c_str(), text) == ReadResult::kOk) {
      if (auto current = ParsePidsCurrent(text)) usage.current = *current;
    }
    if (ReadFileAt(AT_FDCWD, (dir + "/pids.events").c_str(), text) == ReadResult::kOk) {
      if (auto hits = ParsePidsEventsMax(text)) usage.limit_hits = *hits;
    }
    break;
  }
  return usage;
}

}  // namespace cproc
