// What the process events say happened to each container's processes between two scans. The
// scan is the truth about who is alive and where; the events fill in what it cannot see: who
// was born and died in between, how each process ended, whose children were orphaned. A forked
// child is taken to be in its parent's container (it is, until it moves or execs), and an exec
// of a process in no container asks the caller to read its cgroup (runc, nsenter and docker exec
// join the container and then exec). Pure and single-threaded: event_source.h adds the lock.
//
// Memory: one entry per live process (the scan's, plus those born since it) and one slot per
// container, whatever the event rate. An entry whose exit event was lost is dropped at the next
// hand-over, when the scan no longer lists it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "collectors/events/exit_class.h"
#include "collectors/events/proc_event.h"
#include "collectors/snapshot.h"

namespace cproc {

// One container's processes between two hand-overs.
struct LifecycleDelta {
  uint64_t started = 0;  // forks that made a process (threads are not counted)
  uint64_t execs = 0;
  ExitClassCounts exited{};
  uint64_t short_lived = 0;  // born after the previous scan, gone before this one
  ExitClassCounts init_exits{};
  uint64_t orphans_adopted = 0;  // live children of processes that exited, not the init's

  friend bool operator==(const LifecycleDelta&, const LifecycleDelta&) = default;
};

using LifecycleDeltas = std::vector<std::pair<std::string, LifecycleDelta>>;  // by container_id

class ProcessLedger {
 public:
  // Takes the scan's processes and containers as the new truth and returns what the events said
  // of the previous hand-over's containers since then. Until the first call, events are not
  // counted: nothing is known of the processes they are about. `events_lost`: events were lost
  // since the previous hand-over, so a process born since the scan and not listed by it may be
  // one whose exit was lost: it is not kept (it would count as an orphan at its parent's exit).
  LifecycleDeltas Rebase(const Snapshot& snapshot, bool events_lost = false);

  void Apply(const ProcEvent& event);

  // True when `tgid` is a process in no container while some container is known: after its
  // exec the caller reads its /proc/PID/cgroup and hands it to Reattribute.
  bool WantsCgroupOf(int32_t tgid) const;
  // Moves `tgid` into the container whose cgroup (or an ancestor of it) a line of
  // `cgroup_text` names, and counts the exec that prompted the read there. Returns whether it
  // joined one.
  bool Reattribute(int32_t tgid, std::string_view cgroup_text);
  // `tgid` is PID 1 of its PID namespace (read after it joined a container): a restarted init
  // whose exit must count as the init's before the next scan names it.
  void MarkInit(int32_t tgid);

  bool based() const { return based_; }
  std::size_t tracked() const { return live_.size(); }

 private:
  static constexpr uint32_t kHost = UINT32_MAX;  // the slot of processes in no container

  struct Tracked {
    uint32_t slot = kHost;
    uint32_t serial = 0;  // tells a reused pid from the process that had it
    int32_t ppid = 0;
    uint32_t parent_serial = 0;
    uint32_t live_children = 0;
    bool born_since_scan = false;
    // Born since a scan and kept by the hand-over after it without being listed (it may have
    // been born after the scan read /proc): kept once only, so that one whose exit event was
    // lost does not stay a live child of its parent (an orphan at the parent's exit) for ever.
    bool carried = false;
  };
  struct Slot {
    std::string container_id;
    std::string cgroup;
    int32_t init_pid = 0;  // PID 1 of the container's own PID namespace; 0 when none
    LifecycleDelta delta;
    uint32_t missed = 0;  // hand-overs in a row whose scan did not list the container
  };
  // A container missing from a scan may be restarting (its init died, Docker's restart policy
  // waits 100 ms to a minute): its slot and cgroup stay known this many hand-overs, so that the
  // new init joining it is counted there, and its exit too when it dies before a scan sees it.
  static constexpr uint32_t kKeepMissedSlots = 60;

  void Fork(const ProcEvent& event);
  void Exit(const ProcEvent& event);
  void CountChildren();

  bool based_ = false;
  uint32_t next_serial_ = 0;
  std::unordered_map<int32_t, Tracked> live_;
  std::vector<Slot> slots_;  // the last hand-over's containers, by index
  std::unordered_map<std::string, uint32_t> slot_of_cgroup_;
  // Processes whose exit came since the previous hand-over: a scan may have listed one alive
  // just before it ended, and it must not come back as a live child (an orphan at its parent's
  // exit). Bounded: past the bound, such a child is dropped at the next hand-over instead.
  std::unordered_set<int32_t> exited_since_rebase_;
  static constexpr std::size_t kMaxExitedRemembered = std::size_t{1} << 20;
};

}  // namespace cproc
