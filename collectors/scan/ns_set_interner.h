// The namespace sets of one scan, each kept once: a snapshot's processes hold an index into its
// distinct sets (Process::ns_set, Snapshot::ns_sets) instead of 64 bytes each, as most share one
// set per container plus the host's.
#pragma once

#include <cstdint>
#include <vector>

#include "collectors/snapshot.h"

namespace cproc {

class NsSetInterner {
 public:
  // Starts a scan's interning into `sets`, whose present entries (normally none) are found
  // again. The table is kept: after the first scans, interning allocates only the sets.
  void Reset(const std::vector<NsSet>& sets);
  // The index of `ns` in `sets` (the vector given to Reset), appended when not there yet.
  uint32_t Intern(std::vector<NsSet>& sets, const NsSet& ns);

 private:
  void Insert(const std::vector<NsSet>& sets, uint32_t index);
  void Grow(const std::vector<NsSet>& sets);

  std::vector<uint32_t> slots_;  // open addressing, a power of two: index + 1, 0 = empty
  uint32_t last_ = 0;            // index + 1 of the set interned last (sequential pids share)
};

}  // namespace cproc
