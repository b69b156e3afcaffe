// The lifecycle counters of each container, summed over the hand-overs of the event source
// (process_ledger.h) since the container was first counted, and written into the snapshot. Here
// the exits the events report as SIGKILL meet the OOM kills the memory controller counted in
// the same interval: as many as both agree on are OOM kills. Scan thread only; no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "collectors/events/process_ledger.h"
#include "collectors/snapshot.h"

namespace cproc {

class LifecycleTotals {
 public:
  // Adds `deltas` (what the events said since the previous scan) to the containers' totals and
  // sets every container's `lifecycle`; containers that are gone are forgotten. Returns, per
  // container of `snapshot`, the orphans the events counted, or nullopt where the scan's own
  // count must stand (`covered` false: events were lost, or counting had not begun).
  std::vector<std::optional<uint64_t>> Update(Snapshot& snapshot, const LifecycleDeltas& deltas,
                                              bool covered);

  std::size_t size() const { return totals_.size(); }

 private:
  struct Entry {
    ProcessLifecycle totals;
    std::optional<uint64_t> oom_kills;  // the memory controller's count at the previous scan
  };
  std::unordered_map<std::string, Entry> totals_;  // by container_id
};

}  // namespace cproc
