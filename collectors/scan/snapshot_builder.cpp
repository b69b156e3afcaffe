#include "collectors/scan/snapshot_builder.h"

#include <algorithm>
#include <map>
#include <unordered_map>

namespace cproc {

void GroupContainers(const std::vector<const ContainerMatch*>& matches, const RuntimeOf& runtime_of,
                     std::vector<Process>& processes, std::vector<Container>& containers) {
  // Keys are built once per distinct match, not per process.
  std::unordered_map<const ContainerMatch*, int32_t> index_of_match;
  std::map<std::string, std::vector<const ContainerMatch*>> matches_of_id;
  for (const ContainerMatch* match : matches) {
    if (match != nullptr && index_of_match.emplace(match, 0).second) {
      matches_of_id[ContainerId(runtime_of(*match), match->id)].push_back(match);
    }
  }
  for (const auto& [key, same_container] : matches_of_id) {
    const auto index = static_cast<int32_t>(containers.size());
    const ContainerMatch& match = *same_container.front();
    Container& c = containers.emplace_back();
    c.runtime = match.runtime;
    c.id = match.id;
    c.cgroup = match.cgroup;
    c.layout = match.layout;
    c.pod_uid = match.pod_uid;
    // The short id, as `docker ps` shows it (LXC and nspawn ids are names already).
    c.name = c.id.size() == 64 ? c.id.substr(0, 12) : c.id;
    for (const ContainerMatch* m : same_container) index_of_match[m] = index;
  }
  for (std::size_t i = 0; i < matches.size(); ++i) {
    if (matches[i] != nullptr) processes[i].container = index_of_match[matches[i]];
  }
}

void SortByPid(std::vector<Process>& processes, std::vector<uint8_t>& parallel) {
  const auto by_pid = [](const Process& a, const Process& b) { return a.pid < b.pid; };
  if (std::is_sorted(processes.begin(), processes.end(), by_pid)) return;
  std::vector<std::size_t> order(processes.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return processes[a].pid < processes[b].pid; });
  std::vector<Process> sorted;
  std::vector<uint8_t> sorted_parallel;
  sorted.reserve(order.size());
  sorted_parallel.reserve(order.size());
  for (std::size_t i : order) {
    sorted.push_back(std::move(processes[i]));
    sorted_parallel.push_back(parallel[i]);
  }
  processes = std::move(sorted);
  parallel = std::move(sorted_parallel);
}

void CountProcesses(Snapshot& snapshot) {
  for (const Process& p : snapshot.processes) {
    const auto state = static_cast<std::size_t>(p.state);
    if (p.container == kNoContainer) {
      ++snapshot.host_processes[state];
      continue;
    }
    Container& c = snapshot.containers[static_cast<std::size_t>(p.container)];
    ++c.processes[state];
    c.threads += p.threads;
  }
}

}  // namespace cproc
