#include "collectors/events/connector_namespaces.h"

#include <array>

namespace cproc {

std::optional<std::string> ConnectorNamespaceProblem(const NsSet& self,
                                                     std::optional<KernelVersion> kernel) {
  std::string differ;
  for (NsKind kind : std::array{NsKind::kUser, NsKind::kPid, NsKind::kNet}) {
    const NsId& own = NsOf(self, kind);
    const std::optional<uint32_t> initial = InitialNamespaceInode(kind, kernel);
    if (!own.known() || !initial || own.ino == *initial) continue;
    differ += (differ.empty() ? "" : ", ") + std::string(NsKindName(kind)) + ":[" +
              std::to_string(own.ino) + "] (initial " + std::to_string(*initial) + ")";
  }
  if (differ.empty()) return std::nullopt;
  return "not in the initial namespaces (" + differ +
         "): the kernel reports process events only to listeners in the initial user, PID and "
         "network namespaces";
}

}  // namespace cproc
