#include "collectors/events/lifecycle_totals.h"

#include <algorithm>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace cproc {
namespace {

const std::size_t kSigkillClass = SignalClassOf(SIGKILL);

// Moves up to `oom` SIGKILL exits to the OOM class; returns how many it moved.
uint64_t ReclassifyOomKills(ExitClassCounts& counts, uint64_t oom) {
  const uint64_t moved = std::min(oom, counts[kSigkillClass]);
  counts[kSigkillClass] -= moved;
  counts[kOomKillClass] += moved;
  return moved;
}

bool KilledFromOutside(std::size_t exit_class) {
  if (exit_class < kFirstSignalClass || exit_class == kOomKillClass) return false;
  if (exit_class == kOtherSignalClass) return true;  // none of the fault signals is "other"
  return !IsSynchronousFaultSignal(kNamedExitSignals[exit_class - kFirstSignalClass]);
}

void Add(ExitClassCounts& to, const ExitClassCounts& from) {
  for (std::size_t i = 0; i < to.size(); ++i) to[i] += from[i];
}

// Adds one interval's events to a container's totals, with `oom_delta` OOM kills of its memory
// controller in the same interval; returns the OOM kills no SIGKILL exit matched.
uint64_t AddDelta(ProcessLifecycle& t, LifecycleDelta delta, uint64_t oom_delta) {
  const uint64_t unmatched = oom_delta - ReclassifyOomKills(delta.exited, oom_delta);
  // An init dead of SIGKILL in an interval with an OOM kill is taken as the OOM killer's
  // victim: when the init goes, the kernel SIGKILLs the rest of its namespace, so the
  // SIGKILLs outnumber the OOM kills either way. Only a kill -9 from outside coinciding
  // with another process's OOM kill is told wrong.
  ReclassifyOomKills(delta.init_exits, std::min<uint64_t>(oom_delta, 1));
  t.started += delta.started;
  t.execs += delta.execs;
  t.short_lived += delta.short_lived;
  Add(t.exited, delta.exited);
  Add(t.init_exits, delta.init_exits);
  for (std::size_t k = 0; k < kExitClassCount; ++k) {
    if (KilledFromOutside(k)) t.init_killed_from_outside += delta.init_exits[k];
  }
  return unmatched;
}

}  // namespace

std::vector<std::optional<uint64_t>> LifecycleTotals::Update(Snapshot& snapshot,
                                                             const LifecycleDeltas& deltas,
                                                             bool covered, double now_seconds) {
  std::unordered_map<std::string_view, const LifecycleDelta*> delta_of;
  delta_of.reserve(deltas.size());
  for (const auto& [id, delta] : deltas) delta_of.emplace(id, &delta);

  // Gone too long to be a restart: what comes back under that id starts anew.
  std::erase_if(retired_, [&](const auto& item) {
    return now_seconds - item.second.gone_since > kRetainSeconds;
  });
  std::vector<std::optional<uint64_t>> orphans(snapshot.containers.size());
  std::unordered_map<std::string, Entry> totals;
  totals.reserve(snapshot.containers.size());
  for (std::size_t c = 0; c < snapshot.containers.size(); ++c) {
    Container& container = snapshot.containers[c];
    std::string id = container.container_id();
    Entry entry;
    if (auto previous = totals_.find(id); previous != totals_.end()) {
      entry = std::move(previous->second);
      totals_.erase(previous);
    } else if (auto retired = retired_.find(id); retired != retired_.end()) {
      entry = std::move(retired->second);  // back after a restart: its counters go on
      retired_.erase(retired);
    }
    const std::optional<uint64_t> oom_now = container.memory.oom_kills;
    // OOM kills since the previous scan; none known when either count is missing, or when the
    // count went back (a cgroup re-created under the same path).
    const uint64_t oom_delta = oom_now && entry.oom_kills && *oom_now >= *entry.oom_kills
                                   ? *oom_now - *entry.oom_kills
                                   : 0;
    entry.oom_kills = oom_now;
    // The kernel counts an OOM kill before its victim exits: a victim whose exit event came after
    // this hand-over is matched in the next interval, with the kills left over from this one.
    const uint64_t credit = std::exchange(entry.oom_credit, 0);

    auto found = delta_of.find(id);
    if (found != delta_of.end()) {
      entry.oom_credit =
          std::min(oom_delta, AddDelta(entry.totals, *found->second, oom_delta + credit));
      if (covered) orphans[c] = found->second->orphans_adopted;
    } else if (covered) {
      orphans[c] = 0;  // new since the previous scan: its events were not told apart yet
    }
    container.lifecycle = entry.totals;
    totals.emplace(std::move(id), std::move(entry));
  }
  // Missing from this scan: kept, with what the events said of them (their init's exit).
  for (auto& [id, entry] : totals_) {
    entry.gone_since = now_seconds;
    retired_.insert_or_assign(id, std::move(entry));
  }
  for (const auto& [id, delta] : deltas) {
    auto retired = retired_.find(id);
    if (retired != retired_.end()) AddDelta(retired->second.totals, delta, 0);
  }
  while (retired_.size() > kMaxRetained) {  // a churn of containers: the longest gone first
    auto oldest = retired_.begin();
    for (auto it = retired_.begin(); it != retired_.end(); ++it) {
      if (it->second.gone_since < oldest->second.gone_since) oldest = it;
    }
    retired_.erase(oldest);
  }
  totals_ = std::move(totals);
  return orphans;
}

}  // namespace cproc
