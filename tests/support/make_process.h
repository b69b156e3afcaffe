// A snapshot Process as a test needs it: the fields the analyses read, the rest defaulted; its
// namespaces, interned in the snapshot.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "collectors/snapshot.h"

namespace cproc::testing {

inline Process MakeProcess(int32_t pid, int32_t ppid, int32_t container, uint64_t start,
                           char state = 'S', const char* comm = "sleep") {
  Process p;
  p.pid = pid;
  p.ppid = ppid;
  p.container = container;
  p.start_ticks = start;
  p.state_code = state;
  p.state = ProcessStateFromCode(state);
  p.comm = comm;
  return p;
}

// Gives `p` the namespaces `ns`, interned in `ns_sets` (Snapshot::ns_sets) as a scan interns
// them: a process with an equal set shares its entry.
inline void SetNs(std::vector<NsSet>& ns_sets, Process& p, const NsSet& ns) {
  auto it = std::find(ns_sets.begin(), ns_sets.end(), ns);
  if (it == ns_sets.end()) it = ns_sets.insert(ns_sets.end(), ns);
  p.ns_set = static_cast<uint32_t>(it - ns_sets.begin());
}
inline void SetNs(Snapshot& snapshot, Process& p, const NsSet& ns) {
  SetNs(snapshot.ns_sets, p, ns);
}

}  // namespace cproc::testing
