// Puts what a runtime's files say about a container (ContainerMetadata) on its snapshot entry.
// One place, so the scanner and the metadata fuzz targets (tests/fuzz/runtime_metadata_check.h)
// cannot drift apart.
#pragma once

#include <string>
#include <string_view>

#include "collectors/runtimes/runtime_metadata.h"
#include "collectors/snapshot.h"

namespace cproc {

// `runtime`: the runtime whose files named it (it may correct the layout's guess, e.g. a bare id
// under kubepods that is cri-dockerd's, not containerd's). The cgroup-derived name (the short
// id) stays when the files give none.
inline void DescribeFromMetadata(const ContainerMetadata& m, std::string_view runtime,
                                 Container& c) {
  c.runtime = std::string(runtime);
  c.named_from_files = true;
  if (!m.name.empty()) c.name = m.name;
  c.image = m.image;
  c.pod_name = m.pod_name;
  c.pod_namespace = m.pod_namespace;
  if (!m.pod_uid.empty()) c.pod_uid = m.pod_uid;
  c.declared_host = m.declared_host;
  c.declared_stop_signal = m.stop_signal;
}

}  // namespace cproc
