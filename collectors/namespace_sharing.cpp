#include "collectors/namespace_sharing.h"

#include <algorithm>
#include <map>
#include <utility>
#include <vector>

namespace cproc {

void AnalyseNamespaceSharing(Snapshot& snapshot, const NsSet& self_ns) {
  const std::size_t n = snapshot.containers.size();
  std::vector<const NsSet*> ns_of(n, nullptr);  // the init's namespaces
  for (std::size_t c = 0; c < n; ++c) {
    Container& container = snapshot.containers[c];
    container.sharing = NamespaceSharing{};
    const Process* init = FindProcess(snapshot.processes, container.init.pid);
    if (init == nullptr) continue;
    ns_of[c] = &init->ns;
    for (std::size_t kind = 0; kind < kNsKindCount; ++kind) {
      const NsId& ns = init->ns[kind];
      const NsId& host = snapshot.host_ns[kind];
      if (ns.known() && host.known()) container.sharing.host[kind] = ns.SameAs(host) ? 1 : 0;
    }
    const NsId& self_pid = NsOf(self_ns, NsKind::kPid);
    const NsId& self_mnt = NsOf(self_ns, NsKind::kMnt);
    container.is_self = self_mnt.known() && NsOf(init->ns, NsKind::kMnt).SameAs(self_mnt) &&
                        NsOf(init->ns, NsKind::kPid).SameAs(self_pid);
  }

  // Peers: containers grouped by each namespace they do not share with the host. Where the
  // host's link of a kind is unreadable (host = -1) the containers' own links still say who
  // shares with whom; only unknown links (inode 0) are never grouped: they are not one namespace.
  for (std::size_t kind = 0; kind < kNsKindCount; ++kind) {
    std::map<std::pair<uint64_t, uint64_t>, std::vector<std::size_t>> groups;
    for (std::size_t c = 0; c < n; ++c) {
      if (ns_of[c] == nullptr || snapshot.containers[c].sharing.host[kind] == 1) continue;
      const NsId& ns = (*ns_of[c])[kind];
      if (!ns.known()) continue;
      groups[{ns.dev, ns.ino}].push_back(c);
    }
    for (const auto& [ns, members] : groups) {
      for (std::size_t c : members) {
        Container& container = snapshot.containers[c];
        container.sharing.peers[kind] = static_cast<uint32_t>(members.size() - 1);
        for (std::size_t other : members) {
          const std::string& pod = snapshot.containers[other].pod_uid;
          if (other != c && (pod.empty() || pod != container.pod_uid)) {
            ++container.sharing.foreign_peers[kind];
          }
        }
      }
    }
  }

  // Mismatches, live processes only: a zombie's mount namespace link is gone.
  for (const Process& p : snapshot.processes) {
    if (p.container == kNoContainer || p.state == ProcessState::kZombie) continue;
    const auto c = static_cast<std::size_t>(p.container);
    if (ns_of[c] == nullptr) continue;
    Container& container = snapshot.containers[c];
    if (p.attribution == Attribution::kPidNamespace) {
      ++container.sharing.mismatched_cgroup;
      continue;
    }
    for (NsKind kind : {NsKind::kPid, NsKind::kMnt}) {
      const NsId& mine = NsOf(p.ns, kind);
      const NsId& init = NsOf(*ns_of[c], kind);
      if (mine.known() && init.known() && !mine.SameAs(init)) {
        ++container.sharing.mismatched_namespace;
        break;
      }
    }
  }
}

}  // namespace cproc
