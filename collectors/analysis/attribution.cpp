#include "collectors/analysis/attribution.h"

#include <algorithm>
#include <unordered_map>

namespace cproc {
namespace {

constexpr int32_t kAmbiguous = -2;

bool Attributed(const Process& p) { return p.container != kNoContainer; }

}  // namespace

void AttributeWithoutCgroup(std::vector<Process>& processes, const std::vector<NsSet>& ns_sets,
                            const std::vector<uint8_t>& cgroup_unknown, const NsSet& host_ns,
                            const std::vector<uint8_t>& without_cgroup) {
  const NsId& host_pid_ns = NsOf(host_ns, NsKind::kPid);
  auto in_host_pid_ns = [&](const Process& p) {
    return NsOf(NsSetOf(ns_sets, p), NsKind::kPid).SameAs(host_pid_ns);
  };

  // PID namespace inode -> the one container whose cgroup-attributed processes live in it.
  std::unordered_map<uint64_t, int32_t> owner_of_pid_ns;
  for (const Process& p : processes) {
    const NsId& ns = NsOf(NsSetOf(ns_sets, p), NsKind::kPid);
    if (!Attributed(p) || !ns.known() || in_host_pid_ns(p)) continue;
    auto [it, inserted] = owner_of_pid_ns.emplace(ns.ino, p.container);
    if (!inserted && it->second != p.container) it->second = kAmbiguous;
  }
  for (Process& p : processes) {
    const NsId& ns = NsOf(NsSetOf(ns_sets, p), NsKind::kPid);
    if (Attributed(p) || !ns.known() || in_host_pid_ns(p)) continue;
    auto it = owner_of_pid_ns.find(ns.ino);
    if (it != owner_of_pid_ns.end() && it->second != kAmbiguous) {
      p.container = it->second;
      p.attribution = Attribution::kPidNamespace;
    }
  }

  // Ancestors: bounded walk (PID loops cannot exist, but a racy snapshot must not hang us).
  constexpr int kMaxDepth = 64;
  const bool any_without_cgroup =
      std::find(without_cgroup.begin(), without_cgroup.end(), 1) != without_cgroup.end();
  const auto has_no_cgroup = [&](int32_t container) {
    const auto c = static_cast<std::size_t>(container);
    return c < without_cgroup.size() && without_cgroup[c] != 0;
  };
  for (std::size_t i = 0; i < processes.size(); ++i) {
    Process& p = processes[i];
    if (Attributed(p)) continue;
    const bool any_ancestor = p.state == ProcessState::kZombie || cgroup_unknown[i] != 0;
    if (!any_ancestor && !any_without_cgroup) continue;
    const Process* ancestor = FindProcess(processes, p.ppid);
    for (int depth = 0; ancestor != nullptr && depth < kMaxDepth; ++depth) {
      if (Attributed(*ancestor)) {
        if (any_ancestor || has_no_cgroup(ancestor->container)) {
          p.container = ancestor->container;
          p.attribution = Attribution::kParent;
        }
        break;
      }
      if (ancestor->ppid == ancestor->pid) break;
      ancestor = FindProcess(processes, ancestor->ppid);
    }
  }
}

}  // namespace cproc
