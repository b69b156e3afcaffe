// The fallbacks of container attribution, for processes no cgroup line ties to a container.
// Pure: works on the processes of one scan.
#pragma once

#include <cstdint>
#include <vector>

#include "collectors/procfs/namespaces.h"
#include "collectors/snapshot.h"

namespace cproc {

// `processes` is sorted by pid, their namespaces in `ns_sets` (Snapshot::ns_sets); those
// attributed by cgroup carry kCgroup/kCached. The others get:
//  1. the container owning their PID namespace, when exactly one does and it is not the host's
//     (zombies, and processes moved out of the container's cgroup but still inside it);
//  2. else, for zombies and processes whose cgroup file could not be read
//     (`cgroup_unknown[i]`), the container of the nearest attributed ancestor;
//  3. else, when that ancestor's container has no cgroup of its own (`without_cgroup[c]`:
//     found through its runtime's pidfile, as rootless Podman's on cgroup v1), its container
//     too: in the host's PID namespace (--pid=host) only descent tells its processes apart.
void AttributeWithoutCgroup(std::vector<Process>& processes, const std::vector<NsSet>& ns_sets,
                            const std::vector<uint8_t>& cgroup_unknown, const NsSet& host_ns,
                            const std::vector<uint8_t>& without_cgroup = {});

}  // namespace cproc
