// What must be remembered across scans to judge reaping: since when each zombie has been a
// zombie, and which processes were re-parented. Keyed by (pid, starttime), so a reused PID is a
// new process. No I/O: fed one snapshot per scan.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "collectors/snapshot.h"

namespace cproc {

class ReapingHistory {
 public:
  // Fills every container's `zombies` and `orphans_adopted_total` (containers' `init` must be
  // set), and forgets processes and containers that are gone. `orphans_by_events`, per
  // container, replaces the re-parentings this scan saw where it has a value: the process
  // events count every orphan at its parent's exit, also those gone before a scan saw them.
  void Update(Snapshot& snapshot, double now_seconds,
              const std::vector<std::optional<uint64_t>>& orphans_by_events = {});

  std::size_t tracked_processes() const { return processes_.size(); }
  std::size_t tracked_containers() const { return adopted_.size(); }

 private:
  struct Key {
    int32_t pid;
    uint64_t start_ticks;
    friend bool operator==(const Key&, const Key&) = default;
  };
  struct KeyHash {
    std::size_t operator()(const Key& k) const {
      constexpr uint64_t kGolden = 0x9E3779B97F4A7C15U;  // spreads start ticks over the bits
      const uint64_t mixed = (k.start_ticks * kGolden) ^ static_cast<uint32_t>(k.pid);
      return std::hash<uint64_t>()(mixed);
    }
  };
  struct Seen {
    int32_t ppid = 0;
    double zombie_since = 0;  // 0 while alive
    uint64_t generation = 0;
  };

  uint64_t generation_ = 0;
  std::unordered_map<Key, Seen, KeyHash> processes_;
  std::unordered_map<std::string, uint64_t> adopted_;  // by container_id
};

}  // namespace cproc
