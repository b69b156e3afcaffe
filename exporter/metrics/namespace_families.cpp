// Namespace sharing: with the host, between containers, and processes that disagree.
#include <fnmatch.h>

#include <optional>
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
  // One sample per container and namespace kind: `value(container, kind)`, or none where it is
  // nullopt (unknown is left out, never 0).
  const auto per_kind = [&](Metric metric, auto value) {
    EmitPerContainer(input, metric, emit,
                     [&](FamilyBuilder& f, const Container& c, const LabelPairs& labels) {
                       for (std::size_t kind = 0; kind < kNsKindCount; ++kind) {
                         if (const std::optional<double> v = value(c, kind)) {
                           f.Add(With(labels, "ns", std::string(kNsKindNames[kind])), *v);
                         }
                       }
                     });
  };
  per_kind(Metric::kContainerHostNamespace,
           [](const Container& c, std::size_t kind) -> std::optional<double> {
             if (c.sharing.host[kind] < 0) return std::nullopt;
             return c.sharing.host[kind];
           });
  per_kind(Metric::kContainerNamespacePeers,
           [](const Container& c, std::size_t kind) -> std::optional<double> {
             if (!c.sharing.peers_known[kind]) return std::nullopt;
             return c.sharing.peers[kind];
           });
  per_kind(Metric::kContainerNamespaceForeignPeers,
           [](const Container& c, std::size_t kind) -> std::optional<double> {
             if (!c.sharing.peers_known[kind]) return std::nullopt;
             return c.sharing.foreign_peers[kind];
           });
  EmitPerContainer(input, Metric::kContainerMismatchedProcesses, emit,
                   [](FamilyBuilder& f, const Container& c, const LabelPairs& labels) {
                     if (!c.sharing.mismatches_known) return;
                     f.Add(With(labels, "kind", "namespace"), c.sharing.mismatched_namespace)
                         .Add(With(labels, "kind", "cgroup"), c.sharing.mismatched_cgroup);
                   });
  per_kind(Metric::kContainerDeclaredHostNamespace,
           [](const Container& c, std::size_t kind) -> std::optional<double> {
             if (c.declared_host[kind] < 0) return std::nullopt;
             return c.declared_host[kind];
           });
  // How many kinds the runtime declared one way and the kernel shows the other; only for a
  // container whose declaration was read.
  EmitOnePerContainer(input, Metric::kContainerNamespaceDeclarationMismatches, emit,
                      [](const Container& c) -> std::optional<double> {
                        if (!c.named_from_files) return std::nullopt;
                        uint32_t differing = 0;
                        for (std::size_t kind = 0; kind < kNsKindCount; ++kind) {
                          const int8_t declared = c.declared_host[kind];
                          const int8_t seen = c.sharing.host[kind];
                          if (declared >= 0 && seen >= 0 && seen != declared) ++differing;
                        }
                        return differing;
                      });
  EmitOnePerContainer(
      input, Metric::kContainerNamespaceSharingAllowed, emit,
      [&](const Container& c) -> std::optional<double> { return Allowed(c, allow) ? 1 : 0; });
}

}  // namespace cproc
