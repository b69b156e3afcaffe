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
  auto host = Family(Metric::kContainerHostNamespace);
  auto peers = Family(Metric::kContainerNamespacePeers);
  auto foreign = Family(Metric::kContainerNamespaceForeignPeers);
  auto mismatched = Family(Metric::kContainerMismatchedProcesses);
  auto declared = Family(Metric::kContainerDeclaredHostNamespace);
  auto disagreements = Family(Metric::kContainerNamespaceDeclarationMismatches);
  auto allowed = Family(Metric::kContainerNamespaceSharingAllowed);
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
