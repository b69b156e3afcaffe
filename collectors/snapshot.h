// The immutable result of one scan: every process, every container, and how the scan went.
// Produced by the Scanner, read (never changed) by the analyses, metrics and the HTTP side.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "collectors/namespaces.h"
#include "collectors/process_state.h"

namespace cproc {

inline constexpr int32_t kNoContainer = -1;

// How a process was tied to its container; a fallback is normal for zombies (DESIGN.md §2).
enum class Attribution : uint8_t {
  kNone,          // host process
  kCgroup,        // a line of /proc/PID/cgroup names the container
  kCached,        // remembered from when the process was alive (zombies lose their v1 lines)
  kPidNamespace,  // its PID namespace belongs to exactly one container
  kParent,        // its parent's container, in the same PID namespace
};

struct Process {
  int32_t pid = 0;
  int32_t ppid = 0;
  uint64_t start_ticks = 0;
  char state_code = '?';
  ProcessState state = ProcessState::kOther;
  uint32_t threads = 0;
  std::string comm;
  NsSet ns{};
  int32_t container = kNoContainer;  // index into Snapshot::containers
  Attribution attribution = Attribution::kNone;
};

struct Container {
  std::string runtime;  // "docker"
  std::string id;       // full id, as the runtime knows it
  std::string cgroup;   // cgroup path of the container (the matched component included)
  std::string name;     // runtime name when known; the id otherwise

  StateCounts processes{};  // thread-group leaders by state
  uint64_t threads = 0;

  std::string container_id() const { return runtime + "://" + id; }
};

// Cumulative since the exporter started, so they are exported as counters.
struct ScanErrorTotals {
  uint64_t vanished = 0;    // a process went away between listing and reading: normal
  uint64_t permission = 0;  // EACCES/EPERM (ns links need CAP_SYS_PTRACE)
  uint64_t parse = 0;       // a kernel file did not have the expected shape
  uint64_t io = 0;          // any other read error
};

struct ScanStats {
  double timestamp_seconds = 0;  // wall clock at the end of the scan
  double duration_seconds = 0;
  uint64_t processes = 0;  // processes in the snapshot
  uint64_t cache_hits = 0;  // processes whose cgroup and namespaces came from the cache
  ScanErrorTotals errors;
};

struct Snapshot {
  std::vector<Process> processes;    // sorted by pid
  std::vector<Container> containers;  // sorted by container_id()
  StateCounts host_processes{};       // processes in no container, by state
  NsSet host_ns{};                    // the namespaces of the procfs' host (see scanner)
  ScanStats stats;
};

}  // namespace cproc
