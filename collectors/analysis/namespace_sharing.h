// Namespace sharing between containers and with the host (pure). A container's namespaces are
// those of its init (InitProcess); namespaces are compared by (device, inode).
#pragma once

#include "collectors/procfs/namespaces.h"
#include "collectors/snapshot.h"

namespace cproc {

// Fills every container's `sharing`, and `is_self` for the container whose init shares the
// exporter's own PID and mount namespaces (`self_ns`, all unknown when not in a container).
void AnalyseNamespaceSharing(Snapshot& snapshot, const NsSet& self_ns);

}  // namespace cproc
