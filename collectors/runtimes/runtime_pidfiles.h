// Containers found through the PID their runtime wrote down, for hosts where no cgroup names
// them: rootless Podman on a cgroup v1 host cannot create cgroups, so every container of a user
// runs in that user's own cgroup (README, "Rootless containers"). Each container's first process
// is in <run root>/<driver>-containers/<id>/userdata/pidfile and its monitor's in conmon.pid
// beside it; both stay when the container stops. So a pidfile counts only while its process is
// the child of the conmon named there, and, since a user can write anything in those files, only
// for a process in a user namespace the file's owner owns, started before the file was written.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/base/expected.h"

namespace cproc {

// The PID in a pidfile: decimal digits, optionally followed by a newline.
Expected<int32_t> ParsePidfile(std::string_view text);

struct PidfileContainer {
  std::string id;  // 64 hex digits
  int32_t pid = 0;
  int32_t conmon_pid = 0;      // from conmon.pid beside it; 0: unreadable
  uint32_t owner_uid = 0;      // the pidfile's owner: the user whose Podman wrote it
  double written_seconds = 0;  // the pidfile's mtime, unix time
};

// What is known of the process a pidfile names, for the decision below.
struct PidfileFacts {
  bool process_found = false;
  int32_t ppid = 0;
  bool has_cgroup_match = false;  // a cgroup line already ties it to a container
  bool in_initial_user_ns = false;
  std::optional<uint32_t> user_ns_owner;  // nullopt: its ns/user could not be read
  double start_seconds = 0;               // the process's start, unix time
};

enum class PidfileVerdict : uint8_t {
  kAttribute,   // the container's first process: it and its PID namespace are the container's
  kNotRunning,  // no such process, or not conmon's child: a stopped container's file
  kHasCgroup,   // a cgroup names its container already (rootful Podman, cgroup v2 hosts)
  kUnverified,  // its user namespace could not be read (no CAP_SYS_PTRACE): left out, counted
  kRejected,    // not in a user namespace of the file's owner, or started after the file was
                // written (the PID was reused): left out, counted
};

PidfileVerdict JudgePidfile(const PidfileContainer& file, const PidfileFacts& facts);

// Lists the pidfiles under the storage roots (run roots hold them) in directories users own
// (root's are rootful runtimes', whose containers have cgroups). A <driver>-containers directory
// is listed again only when its mtime changes (a container was created or removed); each
// pidfile is stat'ed every call and read again when it changed (a restart rewrites it).
class RuntimePidfiles {
 public:
  RuntimePidfiles(std::string rootfs, std::vector<std::string> storage_roots);

  const std::vector<PidfileContainer>& Refresh();

  // How long an expansion of the roots' glob patterns is reused: a new user's run root is found
  // within this.
  static constexpr double kExpandEverySeconds = 5;

 private:
  struct Listing {
    int64_t mtime_ns = -1;
    std::vector<std::string> ids;
  };
  struct Known {
    uint64_t inode = 0;
    int64_t mtime_ns = -1;
    int64_t size = -1;
    std::optional<PidfileContainer> container;  // nullopt: unreadable or not a PID
    bool seen = false;
  };

  const std::vector<std::string>& IdsIn(const std::string& containers_dir);
  void Update(const std::string& path, const std::string& id);

  std::string rootfs_;
  std::vector<std::string> roots_;
  // Glob patterns (/tmp/podman-run-*) read a whole directory: expanded again every few seconds,
  // not on every scan.
  std::vector<std::string> expanded_;
  double expanded_at_ = -1;                  // steady clock, seconds
  std::map<std::string, Listing> listings_;  // by <root>/<driver>-containers
  std::map<std::string, Known> known_;       // by pidfile path
  std::vector<PidfileContainer> current_;
};

}  // namespace cproc
