#include "collectors/scan/container_naming.h"

#include <unordered_set>

#include "collectors/runtimes/describe_container.h"

namespace cproc {

ContainerNaming::ContainerNaming(MetadataPaths paths) : metadata_(std::move(paths)) {}

std::string ContainerNaming::RuntimeOf(const ContainerMatch& match, double now) {
  const MetadataLookup found = metadata_.Lookup(match.runtime, match.id, now);
  return found.metadata != nullptr ? found.runtime : match.runtime;
}

void ContainerNaming::Describe(Container& c, double now) {
  const MetadataLookup found = metadata_.Lookup(c.runtime, c.id, now);
  if (found.metadata != nullptr) DescribeFromMetadata(*found.metadata, found.runtime, c);
  const double first = first_seen_.try_emplace(c.container_id(), now).first->second;
  c.identity_pending = !found.complete && now - first < kIdentityGraceSeconds;
  // A rootless runtime's OCI config lists no user namespace: the container keeps the runtime's
  // own, which is not the host's. Declared: unknown, not "host".
  if (c.cgroup.empty()) c.declared_host[static_cast<std::size_t>(NsKind::kUser)] = -1;
}

void ContainerNaming::ForgetAllBut(const std::vector<Container>& present) {
  metadata_.ForgetUnused();
  std::unordered_set<std::string> ids;
  for (const Container& c : present) ids.insert(c.container_id());
  std::erase_if(first_seen_, [&](const auto& item) { return ids.count(item.first) == 0; });
}

}  // namespace cproc
