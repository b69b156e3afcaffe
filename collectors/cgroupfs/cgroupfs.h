// Reads a container's cgroup files under --path.sysfs. The cgroup path comes from
// /proc/PID/cgroup; both the v1 pids hierarchy and the unified one are tried, wherever mounted.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "collectors/base/proc_files.h"
#include "collectors/snapshot.h"

namespace cproc {

class CgroupFs {
 public:
  // Probes the layout once: pure v2 (<sysfs>/fs/cgroup/cgroup.controllers exists), or v1 with
  // the pids controller at <sysfs>/fs/cgroup/pids and cgroup2 possibly at .../unified (hybrid).
  // Descriptors kept between scans count against `budget` (none: no bound).
  explicit CgroupFs(const std::string& sysfs, DescriptorBudget* budget = nullptr);
  CgroupFs(const CgroupFs&) = delete;
  CgroupFs& operator=(const CgroupFs&) = delete;

  // The pids controller files of the cgroup at `cgroup_path`; fields stay empty when unreadable.
  // A path relative to the exporter's cgroup namespace ("/../../kubepods.slice/x", what a pod
  // sees on cgroup v2) is located in the mounted tree by its part after the "..".
  // The files stay open while the cgroup is read on every scan: one pread each, not an open,
  // a path walk and a close.
  PidsUsage ReadPids(std::string_view cgroup_path);

  // Closes the files of cgroups not read since the last call (containers that are gone).
  void ForgetUnread();
  std::size_t open_cgroups() const { return open_.size(); }

  // Whether any of the pids roots exists (checked at construction).
  bool pids_available() const { return pids_available_; }

 private:
  // The directory under `root` whose path ends with `suffix`, if exactly one does (cached).
  std::optional<std::string> Locate(const std::string& root, std::string_view suffix);

  template <typename Descriptor>
  struct PidsFiles {
    Descriptor max, current, events;  // events absent when the kernel has no pids.events
    bool read = true;                 // since the last ForgetUnread
  };
  using OpenedFiles = PidsFiles<Fd>;
  using KeptFiles = PidsFiles<KeptFd>;
  std::optional<OpenedFiles> Open(std::string_view cgroup_path);
  // nullopt: pids.max unreadable.
  template <typename Files>
  std::optional<PidsUsage> ReadOpen(const Files& files);

  DescriptorBudget unbounded_{std::size_t{1} << 30};
  DescriptorBudget& budget_;
  std::unordered_map<std::string, KeptFiles> open_;  // by cgroup path, as /proc/PID/cgroup says
  std::string text_;                                 // read buffer, reused
  std::vector<std::string> pids_roots_;  // where a pids.max may live, in order of preference
  bool pids_available_ = false;
  std::unordered_map<std::string, std::optional<std::string>> located_;  // by root + suffix
};

// The part of a cgroup path after its leading "/.." components, and whether there were any.
std::pair<std::string_view, bool> StripNamespaceParents(std::string_view path);

// A cgroup path that can be appended to a mount point: absolute, without "." or ".." components
// (paths relative to a cgroup namespace start with "/.." and must not escape the mount).
bool IsSafeCgroupPath(std::string_view path);

}  // namespace cproc
