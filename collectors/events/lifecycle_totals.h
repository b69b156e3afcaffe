// The lifecycle counters of each container, summed over the hand-overs of the event source
// (process_ledger.h) since the container was first counted, and written into the snapshot. Here
// the exits the events report as SIGKILL meet the OOM kills the memory controller counted in
// the same interval: as many as both agree on are OOM kills. Scan thread only; no I/O.
//
// A container missing from one scan is not forgotten at once: a container whose init died is
// absent from the scans until its runtime restarts it (Docker's restart policies wait 100 ms to
// a minute, `podman restart`), and the exit of that init, counted in the interval that ends
// with the first such scan, belongs to the same container id. Its totals are kept for
// kRetainSeconds after it was last seen, take what the events say of it meanwhile, and go on
// from there when it is back.
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
  // `now_seconds`: the scan's time (any monotonic clock), for how long gone containers are kept.
  std::vector<std::optional<uint64_t>> Update(Snapshot& snapshot, const LifecycleDeltas& deltas,
                                              bool covered, double now_seconds);

  static constexpr double kRetainSeconds = 300;
  static constexpr std::size_t kMaxRetained = 4096;

  std::size_t size() const { return totals_.size(); }
  std::size_t retained() const { return retired_.size(); }

 private:
  struct Entry {
    ProcessLifecycle totals;
    std::optional<uint64_t> oom_kills;  // the memory controller's count at the previous scan
    uint64_t oom_credit = 0;            // of those, kills no exit matched yet (one interval)
    double gone_since = 0;              // retired_ only: the first scan that missed it
  };
  std::unordered_map<std::string, Entry> totals_;   // by container_id: the last scan's
  std::unordered_map<std::string, Entry> retired_;  // by container_id: gone, kept a while
};

}  // namespace cproc
