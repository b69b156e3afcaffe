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

void AddNamespaceFamilies(const RenderInput& input, const std::vector<std::string>& allow,
                          const FamilySink& emit) {
  const auto with_ns = [](const LabelPairs& labels, std::size_t kind) {
    return With(labels, "ns", std::string(kNsKindNames[kind]));
  };
  EmitPerContainer(input, Metric::kContainerHostNamespace, emit,
                   [&](FamilyBuilder& f, const Container& c, const LabelPairs& labels) {
                     for (std::size_t kind = 0; kind < kNsKindCount; ++kind) {
                       if (c.sharing.host[kind] >= 0) {
                         f.Add(with_ns(labels, kind), c.sharing.host[kind]);
                       }
                     }
                   });
  // Peers only for the kinds whose peers are known: unknown is left out, never 0.
  EmitPerContainer(input, Metric::kContainerNamespacePeers, emit,
                   [&](FamilyBuilder& f, const Container& c, const LabelPairs& labels) {
                     for (std::size_t kind = 0; kind < kNsKindCount; ++kind) {
                       if (c.sharing.peers_known[kind]) {
                         f.Add(with_ns(labels, kind), c.sharing.peers[kind]);
                       }
                     }
                   });
  EmitPerContainer(input, Metric::kContainerNamespaceForeignPeers, emit,
                   [&](FamilyBuilder& f, const Container& c, const LabelPairs& labels) {
                     for (std::size_t kind = 0; kind < kNsKindCount; ++kind) {
                       if (c.sharing.peers_known[kind]) {
                         f.Add(with_ns(labels, kind), c.sharing.foreign_peers[kind]);
                       }
                     }
                   });
  EmitPerContainer(input, Metric::kContainerMismatchedProcesses, emit,
                   [](FamilyBuilder& f, const Container& c, const LabelPairs& labels) {
                     if (!c.sharing.mismatches_known) return;
                     f.Add(With(labels, "kind", "namespace"), c.sharing.mismatched_namespace)
                         .Add(With(labels, "kind", "cgroup"), c.sharing.mismatched_cgroup);
                   });
  EmitPerContainer(input, Metric::kContainerDeclaredHostNamespace, emit,
                   [&](FamilyBuilder& f, const Container& c, const LabelPairs& labels) {
                     for (std::size_t kind = 0; kind < kNsKindCount; ++kind) {
                       if (c.declared_host[kind] >= 0) {
                         f.Add(with_ns(labels, kind), c.declared_host[kind]);
                       }
                     }
                   });
  // How many kinds the runtime declared one way and the kernel shows the other; only for a
  // container whose declaration was read.
  EmitPerContainer(input, Metric::kContainerNamespaceDeclarationMismatches, emit,
                   [](FamilyBuilder& f, const Container& c, const LabelPairs& labels) {
                     if (!c.named_from_files) return;
                     uint32_t differing = 0;
                     for (std::size_t kind = 0; kind < kNsKindCount; ++kind) {
                       const int8_t declared = c.declared_host[kind];
                       const int8_t seen = c.sharing.host[kind];
                       if (declared >= 0 && seen >= 0 && seen != declared) ++differing;
                     }
                     f.Add(labels, differing);
                   });
  EmitPerContainer(input, Metric::kContainerNamespaceSharingAllowed, emit,
                   [&](FamilyBuilder& f, const Container& c, const LabelPairs& labels) {
                     f.Add(labels, Allowed(c, allow) ? 1 : 0);
                   });
}

}  // namespace cproc
