#include "collectors/analysis/reaping_history.h"

#include <algorithm>
#include <vector>

namespace cproc {

void ReapingHistory::Update(Snapshot& snapshot, double now_seconds,
                            const std::vector<std::optional<uint64_t>>& orphans_by_events) {
  ++generation_;
  std::vector<double> oldest_since(snapshot.containers.size(), 0);
  std::vector<uint64_t> adopted_now(snapshot.containers.size(), 0);

  for (const Process& p : snapshot.processes) {
    auto [it, first_time] = processes_.try_emplace(Key{p.pid, p.start_ticks});
    Seen& seen = it->second;
    const bool zombie = p.state == ProcessState::kZombie;
    if (p.container != kNoContainer) {
      const auto c = static_cast<std::size_t>(p.container);
      // A parent only changes when the old one exited and the orphan was adopted by the PID
      // namespace's init or the nearest subreaper.
      if (!first_time && seen.ppid != p.ppid) ++adopted_now[c];
      if (zombie) {
        const double since = seen.zombie_since != 0 ? seen.zombie_since : now_seconds;
        if (oldest_since[c] == 0 || since < oldest_since[c]) oldest_since[c] = since;
      }
    }
    seen.ppid = p.ppid;
    if (zombie && seen.zombie_since == 0) seen.zombie_since = now_seconds;
    seen.generation = generation_;
  }
  std::erase_if(processes_,
                [&](const auto& item) { return item.second.generation != generation_; });

  std::unordered_map<std::string, uint64_t> adopted;
  adopted.reserve(snapshot.containers.size());
  for (std::size_t c = 0; c < snapshot.containers.size(); ++c) {
    if (c < orphans_by_events.size() && orphans_by_events[c])
      adopted_now[c] = *orphans_by_events[c];
    Container& container = snapshot.containers[c];
    const std::string id = container.container_id();
    auto previous = adopted_.find(id);
    const uint64_t total = (previous == adopted_.end() ? 0 : previous->second) + adopted_now[c];
    adopted.emplace(id, total);
    container.orphans_adopted_total = total;
    container.zombies = ZombieSummary{};
    container.zombies.oldest_seconds = oldest_since[c] == 0 ? 0 : now_seconds - oldest_since[c];
  }
  adopted_ = std::move(adopted);  // containers that are gone are forgotten

  for (const Process& p : snapshot.processes) {
    if (p.container == kNoContainer || p.state != ProcessState::kZombie) continue;
    Container& container = snapshot.containers[static_cast<std::size_t>(p.container)];
    if (container.init.pid != 0 && p.ppid == container.init.pid) {
      ++container.zombies.parent_pid1;
      // How long the init has left this one unreaped: an old zombie of another parent says
      // nothing about the init.
      auto seen = processes_.find(Key{p.pid, p.start_ticks});
      const double age = seen == processes_.end() ? 0 : now_seconds - seen->second.zombie_since;
      container.zombies.oldest_pid1_seconds = std::max(container.zombies.oldest_pid1_seconds, age);
      continue;
    }
    const Process* parent = FindProcess(snapshot.processes, p.ppid);
    const bool inside = parent != nullptr && parent->container == p.container;
    ++(inside ? container.zombies.parent_other : container.zombies.parent_outside);
  }
}

}  // namespace cproc
