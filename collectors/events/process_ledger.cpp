#include "collectors/events/process_ledger.h"

#include "collectors/procfs/proc_cgroup.h"

namespace cproc {
namespace {

// No kernel has more processes than PID_MAX_LIMIT (include/linux/threads.h): a bound that only
// a ledger fed bogus events could reach.
constexpr std::size_t kMaxTracked = std::size_t{4} << 20;

}  // namespace

LifecycleDeltas ProcessLedger::Rebase(const Snapshot& snapshot, bool events_lost) {
  LifecycleDeltas deltas;
  deltas.reserve(slots_.size());
  std::unordered_map<std::string_view, uint32_t> new_slot_of_id;
  std::vector<Slot> slots(snapshot.containers.size());
  slots.reserve(snapshot.containers.size() + slots_.size());  // new_slot_of_id views into it
  for (std::size_t c = 0; c < snapshot.containers.size(); ++c) {
    const Container& container = snapshot.containers[c];
    slots[c].container_id = container.container_id();
    slots[c].cgroup = container.cgroup;
    slots[c].init_pid = container.init.is_namespace_init ? container.init.pid : 0;
  }
  for (std::size_t c = 0; c < slots.size(); ++c) {
    new_slot_of_id.emplace(slots[c].container_id, static_cast<uint32_t>(c));
  }
  // Containers this scan missed, kept a while (kKeepMissedSlots) after the listed ones.
  for (const Slot& old : slots_) {
    if (new_slot_of_id.contains(old.container_id) || old.missed + 1 > kKeepMissedSlots) continue;
    Slot& kept = slots.emplace_back();
    kept.container_id = old.container_id;
    kept.cgroup = old.cgroup;
    kept.init_pid = old.init_pid;
    kept.missed = old.missed + 1;
  }
  for (std::size_t c = snapshot.containers.size(); c < slots.size(); ++c) {
    new_slot_of_id.emplace(slots[c].container_id, static_cast<uint32_t>(c));
  }
  slot_of_cgroup_.clear();
  for (std::size_t c = 0; c < slots.size(); ++c) {  // a listed container's cgroup wins
    if (!slots[c].cgroup.empty())
      slot_of_cgroup_.emplace(slots[c].cgroup, static_cast<uint32_t>(c));
  }

  std::unordered_map<int32_t, Tracked> live;
  live.reserve(snapshot.processes.size() + live_.size() / 8);
  for (const Process& p : snapshot.processes) {
    if (p.state == ProcessState::kZombie) continue;  // its exit was reported already
    // Listed alive, then its exit came before this hand-over; a pid reused since is in live_.
    if (exited_since_rebase_.contains(p.pid) && !live_.contains(p.pid)) continue;
    Tracked entry;
    entry.slot = p.container == kNoContainer ? kHost : static_cast<uint32_t>(p.container);
    entry.ppid = p.ppid;
    // The same pid still tracked is the same process: a reuse would have come with a fork.
    auto old = live_.find(p.pid);
    entry.serial = old != live_.end() ? old->second.serial : ++next_serial_;
    live.emplace(p.pid, entry);
  }
  // Born since the scan listed the processes, and still alive: kept, in their container of now.
  // Not listed by two scans in a row, or not listed after events were lost: its exit event may
  // have been lost.
  for (auto& [pid, old] : live_) {
    if (events_lost || !old.born_since_scan || old.carried || live.contains(pid)) continue;
    Tracked entry = old;
    entry.live_children = 0;
    entry.carried = true;
    if (entry.slot != kHost) {
      auto now = new_slot_of_id.find(slots_[entry.slot].container_id);
      entry.slot = now == new_slot_of_id.end() ? kHost : now->second;
    }
    live.emplace(pid, entry);
  }

  for (Slot& slot : slots_) deltas.emplace_back(std::move(slot.container_id), slot.delta);
  if (!based_) deltas.clear();  // events before the first scan were not counted
  slots_ = std::move(slots);
  live_ = std::move(live);
  exited_since_rebase_.clear();
  CountChildren();
  based_ = true;
  return deltas;
}

// Who is whose parent, for the orphans of a parent's exit. Parents listed by the scan get the
// serial of now; children born since keep the one their fork recorded, which is the same.
void ProcessLedger::CountChildren() {
  for (auto& [pid, entry] : live_) {
    auto parent = live_.find(entry.ppid);
    if (parent == live_.end()) continue;
    if (!entry.born_since_scan) entry.parent_serial = parent->second.serial;
    if (entry.parent_serial == parent->second.serial) ++parent->second.live_children;
  }
}

void ProcessLedger::Apply(const ProcEvent& event) {
  if (!based_ || event.thread) return;
  switch (event.kind) {
    case ProcEventKind::kFork:
      Fork(event);
      return;
    case ProcEventKind::kExec: {
      auto it = live_.find(event.tgid);
      if (it != live_.end() && it->second.slot != kHost) ++slots_[it->second.slot].delta.execs;
      return;
    }
    case ProcEventKind::kExit:
      Exit(event);
      return;
    case ProcEventKind::kComm:
    case ProcEventKind::kOther:
      return;
  }
}

void ProcessLedger::Fork(const ProcEvent& event) {
  auto parent = live_.find(event.parent_tgid);
  // A parent we never heard of (its own fork was lost): its child cannot be placed.
  if (parent == live_.end() || event.tgid == event.parent_tgid) return;
  if (live_.size() >= kMaxTracked && !live_.contains(event.tgid)) return;
  Tracked child;
  child.slot = parent->second.slot;
  child.serial = ++next_serial_;
  child.ppid = event.parent_tgid;
  child.parent_serial = parent->second.serial;
  child.born_since_scan = true;
  if (auto known = live_.find(event.tgid); known != live_.end()) {
    const Tracked& old = known->second;
    if (!old.born_since_scan && old.ppid == event.parent_tgid) {
      // Listed by the scan before its fork event came (the reader was behind): the same
      // process, seen by a scan, and already counted among its parent's children.
      child.slot = old.slot;
      child.serial = old.serial;
      child.live_children = old.live_children;
      child.born_since_scan = false;
    }
    // Either way it is no longer a child of the parent it was counted with.
    auto old_parent = live_.find(old.ppid);
    if (old_parent != live_.end() && old_parent->second.serial == old.parent_serial &&
        old_parent->second.live_children > 0) {
      --old_parent->second.live_children;
    }
  }
  ++parent->second.live_children;
  if (child.slot != kHost) ++slots_[child.slot].delta.started;
  live_.insert_or_assign(event.tgid, child);  // after the last use of `parent`: may rehash
}

void ProcessLedger::Exit(const ProcEvent& event) {
  auto it = live_.find(event.tgid);
  if (it == live_.end()) return;
  const Tracked gone = it->second;
  live_.erase(it);
  if (exited_since_rebase_.size() < kMaxExitedRemembered) exited_since_rebase_.insert(event.tgid);
  auto parent = live_.find(gone.ppid);
  if (parent != live_.end() && parent->second.serial == gone.parent_serial &&
      parent->second.live_children > 0) {
    --parent->second.live_children;
  }
  if (gone.slot == kHost) return;
  Slot& slot = slots_[gone.slot];
  const std::size_t exit_class = ExitClassOf(event.exit_outcome);
  ++slot.delta.exited[exit_class];
  if (gone.born_since_scan) ++slot.delta.short_lived;
  if (event.tgid == slot.init_pid) {
    ++slot.delta.init_exits[exit_class];
    slot.init_pid = 0;  // its pid may be reused by anyone
    return;             // the kernel kills the rest of the namespace: nobody is adopted
  }
  slot.delta.orphans_adopted += gone.live_children;
}

bool ProcessLedger::WantsCgroupOf(int32_t tgid) const {
  if (!based_ || slot_of_cgroup_.empty()) return false;
  auto it = live_.find(tgid);
  return it != live_.end() && it->second.slot == kHost;
}

bool ProcessLedger::Reattribute(int32_t tgid, std::string_view cgroup_text) {
  auto it = live_.find(tgid);
  if (it == live_.end() || it->second.slot != kHost) return false;
  auto lines = ParseProcCgroup(cgroup_text);
  if (!lines) return false;
  for (const CgroupLine& line : *lines) {
    // The container's cgroup or one below it (systemd inside a container makes its own).
    std::string_view path = line.path;
    while (!path.empty()) {
      auto found = slot_of_cgroup_.find(std::string(path));
      if (found != slot_of_cgroup_.end()) {
        it->second.slot = found->second;
        ++slots_[found->second].delta.execs;
        return true;
      }
      const auto slash = path.rfind('/');
      if (slash == std::string_view::npos || slash == 0) break;
      path = path.substr(0, slash);
    }
  }
  return false;
}

void ProcessLedger::MarkInit(int32_t tgid) {
  auto it = live_.find(tgid);
  if (it != live_.end() && it->second.slot != kHost) slots_[it->second.slot].init_pid = tgid;
}

}  // namespace cproc
