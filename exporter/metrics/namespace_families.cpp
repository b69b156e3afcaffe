// Namespace sharing: with the host, between containers, and processes that disagree.
#include <fnmatch.h>

#include <string>

#include "exporter/metrics/container_labels.h"
#include "exporter/metrics/family_groups.h"

namespace cproc {
namespace {

bool Allowed(const Container& c, const std::vector<std::string>& allow) {
  if (c.is_self) return true;
  for (const std::string& pattern : allow) {
    if (::fnmatch(pattern.c_str(), c.name.c_str(), 0) == 0 ||
        ::fnmatch(pattern.c_str(), c.id.c_str(), 0) == 0) {
      return true;
    }
  }
  return false;
}

}  // namespace

void AddNamespaceFamilies(const Snapshot& snapshot, const std::vector<std::string>& allow,
                          Families& out) {
  auto host = Gauge("cproc_container_host_namespace",
                    "1 if the container (its init) uses the host's namespace of this kind, as "
                    "with --pid=host or hostPID: true. user, time and (on cgroup v1) cgroup are "
                    "the host's for most containers.");
  auto peers = Gauge("cproc_container_namespace_peers",
                     "Other containers sharing this (non-host) namespace, as with "
                     "--net=container:X or a Kubernetes pod.");
  auto foreign = Gauge("cproc_container_namespace_foreign_peers",
                       "Of cproc_container_namespace_peers, those not in the same Kubernetes pod; "
                       "pods share net, ipc and uts by design.");
  auto mismatched = Gauge("cproc_container_mismatched_processes",
                          "Live processes whose cgroup and namespaces disagree: kind=namespace is "
                          "in the container's cgroup but another PID or mount namespace (setns, "
                          "nsenter); kind=cgroup is in its PID namespace but not its cgroup.");
  auto declared = Gauge("cproc_container_declared_host_namespace",
                        "1 if the runtime's files declare that the container uses the host's "
                        "namespace of this kind (Docker PidMode/NetworkMode/IpcMode/UTSMode, OCI "
                        "linux.namespaces); absent where nothing is declared.");
  auto disagreements = Gauge("cproc_container_namespace_declaration_mismatches",
                             "Namespace kinds where the declared host sharing differs from what "
                             "the running container shows.");
  auto allowed = Gauge("cproc_container_namespace_sharing_allowed",
                       "1 for containers expected to share host namespaces: this exporter's own "
                       "and those matching namespace_sharing.allow in the config file.");
  for (const Container& c : snapshot.containers) {
    if (c.identity_pending) continue;  // not yet: its labels would still change
    const LabelPairs labels = ContainerLabels(c);
    const NamespaceSharing& sharing = c.sharing;
    for (std::size_t kind = 0; kind < kNsKindCount; ++kind) {
      const LabelPairs with_ns = With(labels, "ns", std::string(kNsKindNames[kind]));
      if (sharing.host[kind] >= 0) host.Add(with_ns, sharing.host[kind]);
      if (!sharing.peers_known[kind]) continue;  // unknown is left out, never 0
      peers.Add(with_ns, sharing.peers[kind]);
      foreign.Add(with_ns, sharing.foreign_peers[kind]);
    }
    uint32_t differing = 0;
    for (std::size_t kind = 0; kind < kNsKindCount; ++kind) {
      const int8_t declared_host = c.declared_host[kind];
      if (declared_host < 0) continue;
      declared.Add(With(labels, "ns", std::string(kNsKindNames[kind])), declared_host);
      if (sharing.host[kind] >= 0 && sharing.host[kind] != declared_host) ++differing;
    }
    if (c.named_from_files) disagreements.Add(labels, differing);
    if (sharing.mismatches_known) {
      mismatched.Add(With(labels, "kind", "namespace"), sharing.mismatched_namespace)
          .Add(With(labels, "kind", "cgroup"), sharing.mismatched_cgroup);
    }
    allowed.Add(labels, Allowed(c, allow) ? 1 : 0);
  }
  for (auto* family : {&host, &peers, &foreign, &mismatched, &declared, &disagreements, &allowed}) {
    out.push_back(family->Build());
  }
}

}  // namespace cproc
