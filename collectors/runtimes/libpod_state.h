// Podman 4's state database, <graph root>/libpod/bolt_state.db (a bbolt file, read with
// boltdb.h): the only file that names a Podman pod. Pod members' cgroups give the pod id,
// containers.json and the OCI config.json never give its name.
//
// The schema, as libpod 4.3 writes it (libpod/boltdb_state.go AddPod, boltdb_state_internal.go
// addContainer, in containers/podman):
// - top-level buckets "ctr" and "pod" hold one bucket per container or pod, keyed by its id;
//   "id-registry", "name-registry", "all-ctrs", "allPods" map ids and names both ways;
// - a container's bucket: "config" (the ContainerConfig as JSON: "id", "name", "pod" = the
//   pod's id when in one, "pause" = true for a pod's infra container), "state", and "pod-id"
//   for pod members;
// - a pod's bucket: "config" (the PodConfig as JSON: "id", "name", "namespace"), "state", and
//   a "containers" bucket of its members' ids.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>

#include "collectors/base/expected.h"

namespace cproc {

struct LibpodContainer {
  std::string name;
  std::string pod_id;   // "" when not in a pod
  bool infra = false;   // a pod's infra container (config "pause")
  int stop_signal = 0;  // config "stopSignal"; 0 when absent or out of range
};

struct LibpodState {
  std::unordered_map<std::string, LibpodContainer> containers;  // by full id
  std::unordered_map<std::string, std::string> pod_names;       // pod id -> name
  // Entries whose bucket or config could not be used (skipped, the rest still counts), and why
  // the first one could not.
  std::size_t skipped = 0;
  std::string first_problem;
};

// An error when the file is not a bbolt file, its pages do not hold together, or it has no
// "ctr" and "pod" buckets (not libpod's state).
Expected<LibpodState> ParseLibpodState(std::string_view bolt_file);

}  // namespace cproc
