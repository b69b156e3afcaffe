// Reads a container's cgroup files under --path.sysfs. The cgroup path comes from
// /proc/PID/cgroup; both the controller's v1 hierarchy (pids, memory) and the unified one are
// tried, wherever mounted.
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
  // the pids and memory controllers at <sysfs>/fs/cgroup/{pids,memory} and cgroup2 possibly at
  // .../unified (hybrid).
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

  // The memory controller's event counts of the cgroup at `cgroup_path`: memory.events on v2,
  // memory.oom_control on v1, found and kept open as the pids files are. Empty when unreadable
  // (no memory controller, the cgroup is gone) or without an oom_kill line (v1 before 4.13;
  // logged once).
  MemoryEvents ReadMemory(std::string_view cgroup_path);

  // Closes the files of cgroups not read since the last call (containers that are gone).
  void ForgetUnread();
  std::size_t open_cgroups() const { return open_.size(); }
  std::size_t open_memory_cgroups() const { return memory_open_.size(); }

  // Whether any of the pids roots exists (checked at construction).
  bool pids_available() const { return pids_available_; }
  // Whether a memory controller hierarchy exists: v1's, or a v2 root listing "memory".
  bool memory_available() const { return !memory_roots_.empty(); }

 private:
  // The directory under `root` whose path ends with `suffix`, if exactly one does (cached).
  std::optional<std::string> Locate(const std::string& root, std::string_view suffix);
  // The cgroup's directory under `root`, or nullopt where it cannot be (see ReadPids).
  std::optional<std::string> Directory(const std::string& root, std::string_view cgroup_path);

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

  struct MemoryRoot {
    std::string dir;
    std::string_view events_file;  // a string literal: memory.events or memory.oom_control
  };
  struct KeptMemoryFile {
    KeptFd events;
    std::string_view name;  // a string literal, for errors
    bool read = true;       // since the last ForgetUnread
  };
  // nullopt: the file could not be read (its cgroup is gone).
  std::optional<MemoryEvents> ReadMemoryOpen(int fd, std::string_view name,
                                             std::string_view cgroup_path);

  DescriptorBudget unbounded_{std::size_t{1} << 30};
  DescriptorBudget& budget_;
  std::unordered_map<std::string, KeptFiles> open_;  // by cgroup path, as /proc/PID/cgroup says
  std::string text_;                                 // read buffer, reused
  std::vector<std::string> pids_roots_;  // where a pids.max may live, in order of preference
  bool pids_available_ = false;
  std::vector<MemoryRoot> memory_roots_;  // where the memory controller is, in order of preference
  std::unordered_map<std::string, KeptMemoryFile> memory_open_;  // by cgroup path
  bool warned_memory_parse_ = false;                             // logged once, not per scan
  std::unordered_map<std::string, std::optional<std::string>> located_;  // by root + suffix
};

// The part of a cgroup path after its leading "/.." components, and whether there were any.
std::pair<std::string_view, bool> StripNamespaceParents(std::string_view path);

// A cgroup path that can be appended to a mount point: absolute, without "." or ".." components
// (paths relative to a cgroup namespace start with "/.." and must not escape the mount).
bool IsSafeCgroupPath(std::string_view path);

}  // namespace cproc
