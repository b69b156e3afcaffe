// Names, image, pod and declared namespaces of a scan's containers, from their runtime's files
// (collectors/runtimes/metadata_store.h), and the hold-back of a new container whose runtime is
// still writing them (Container::identity_pending).
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "collectors/runtimes/container_layouts.h"
#include "collectors/runtimes/metadata_store.h"
#include "collectors/snapshot.h"

namespace cproc {

// How long a new container whose runtime files are still being written (MetadataLookup::complete)
// is left out of the metrics (Container::identity_pending), so that its labels do not change a
// scan after its first series. A write takes milliseconds; this bounds a runtime that never
// finishes one.
inline constexpr double kIdentityGraceSeconds = 10;

class ContainerNaming {
 public:
  explicit ContainerNaming(MetadataPaths paths);

  // The runtime whose files know the container of `match`, else the layout's guess.
  std::string RuntimeOf(const ContainerMatch& match, double now);
  // Describes one container of this scan from its runtime's files, at wall time `now`.
  void Describe(Container& c, double now);
  // After a scan's Describe calls: forgets the containers that were not in it.
  void ForgetAllBut(const std::vector<Container>& present);

  const MetadataStore& metadata() const { return metadata_; }

 private:
  MetadataStore metadata_;
  std::unordered_map<std::string, double> first_seen_;  // wall time, by container_id
};

}  // namespace cproc
