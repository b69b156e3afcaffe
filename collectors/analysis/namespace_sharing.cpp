#include "collectors/analysis/namespace_sharing.h"

#include <algorithm>
#include <array>
#include <cstdint>
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
    const NsSet& init_ns = snapshot.NsSetOf(*init);
    ns_of[c] = &init_ns;
    for (std::size_t kind = 0; kind < kNsKindCount; ++kind) {
      const NsId& ns = init_ns[kind];
      const NsId& host = snapshot.host_ns[kind];
      if (ns.known() && host.known()) container.sharing.host[kind] = ns.SameAs(host) ? 1 : 0;
    }
    container.sharing.mismatches_known =
        NsOf(init_ns, NsKind::kPid).known() && NsOf(init_ns, NsKind::kMnt).known();
    const NsId& self_pid = NsOf(self_ns, NsKind::kPid);
    const NsId& self_mnt = NsOf(self_ns, NsKind::kMnt);
    container.is_self = self_mnt.known() && NsOf(init_ns, NsKind::kMnt).SameAs(self_mnt) &&
                        NsOf(init_ns, NsKind::kPid).SameAs(self_pid);
  }

  // Peers: containers grouped by each namespace they do not share with the host. Where the
  // host's link of a kind is unknown (only on kernels that do not fix its inode, without
  // CAP_SYS_PTRACE), a namespace two containers share may be the host's (--net=host): their
  // peers of that kind are unknown, not counted. Unknown links (inode 0) are never grouped.
  for (std::size_t kind = 0; kind < kNsKindCount; ++kind) {
    std::map<uint64_t, std::vector<std::size_t>> groups;  // by NsId::Key
    for (std::size_t c = 0; c < n; ++c) {
      NamespaceSharing& sharing = snapshot.containers[c].sharing;
      if (sharing.host[kind] < 0) continue;  // its link or the host's is unknown
      sharing.peers_known[kind] = true;
      if (sharing.host[kind] == 1) continue;
      groups[(*ns_of[c])[kind].Key()].push_back(c);
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

  // A host-cgroup process that entered a container's own (non-host) mount, network, IPC or UTS
  // namespace (nsenter -n, ip netns exec): the container owning that namespace, or -1 when no
  // container or several (a pod's shared net) own it. The PID namespace is handled by
  // attribution (kPidNamespace) below.
  constexpr std::array<NsKind, 4> kEnterable = {NsKind::kMnt, NsKind::kNet, NsKind::kIpc,
                                                NsKind::kUts};
  std::map<std::pair<NsKind, uint64_t>, int64_t> owner;  // (kind, NsId::Key) -> container
  const auto key = [](NsKind kind, const NsId& ns) { return std::pair{kind, ns.Key()}; };
  for (std::size_t c = 0; c < n; ++c) {
    if (ns_of[c] == nullptr) continue;
    for (NsKind kind : kEnterable) {
      const NsId& ns = NsOf(*ns_of[c], kind);
      if (!ns.known() || snapshot.containers[c].sharing.host[static_cast<std::size_t>(kind)] != 0)
        continue;
      auto [it, inserted] = owner.emplace(key(kind, ns), static_cast<int64_t>(c));
      if (!inserted && it->second != static_cast<int64_t>(c)) it->second = -1;
    }
  }

  // Mismatches, live processes only: a zombie's mount namespace link is gone.
  for (const Process& p : snapshot.processes) {
    if (p.state == ProcessState::kZombie) continue;
    const NsSet& p_ns = snapshot.NsSetOf(p);
    if (p.container == kNoContainer) {
      for (NsKind kind : kEnterable) {
        auto it = owner.find(key(kind, NsOf(p_ns, kind)));
        if (it == owner.end() || it->second < 0) continue;
        NamespaceSharing& sharing =
            snapshot.containers[static_cast<std::size_t>(it->second)].sharing;
        if (sharing.mismatches_known) ++sharing.mismatched_cgroup;
        break;  // once per process
      }
      continue;
    }
    const auto c = static_cast<std::size_t>(p.container);
    if (ns_of[c] == nullptr) continue;
    Container& container = snapshot.containers[c];
    if (!container.sharing.mismatches_known) continue;
    if (p.attribution == Attribution::kPidNamespace) {
      // Outside the container's cgroup; a container without one (found through its pidfile)
      // has all its processes there.
      if (!container.cgroup.empty()) ++container.sharing.mismatched_cgroup;
      continue;
    }
    for (NsKind kind : {NsKind::kPid, NsKind::kMnt}) {
      const NsId& mine = NsOf(p_ns, kind);
      const NsId& init = NsOf(*ns_of[c], kind);
      if (mine.known() && init.known() && !mine.SameAs(init)) {
        ++container.sharing.mismatched_namespace;
        break;
      }
    }
  }
}

}  // namespace cproc
