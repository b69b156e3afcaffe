// What container runtimes write about their containers, parsed from their own files (no runtime
// socket): Docker's config.v2.json + hostconfig.json (and daemon.json for its data-root), the
// OCI bundle config.json that containerd, CRI-O and Podman keep (annotations carry pod name,
// namespace, container name), and containers/storage's containers.json (Podman's names).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/base/expected.h"
#include "collectors/procfs/namespaces.h"

namespace cproc {

struct ContainerMetadata {
  std::string name;  // Docker name without '/', or the Kubernetes container name
  std::string image;
  std::string pod_name;
  std::string pod_namespace;
  std::string pod_uid;   // Kubernetes pod UID, or Podman pod id
  bool sandbox = false;  // a Kubernetes pod sandbox (pause) rather than an app container
  // Declared use of the host's namespaces, per NsKind: 1 host, 0 own or another container's,
  // -1 not declared by this runtime's files.
  std::array<int8_t, kNsKindCount> declared_host{-1, -1, -1, -1, -1, -1, -1, -1};
  // The signal `docker stop` / the kubelet sends first; 0 when these files declare none (or an
  // invalid one: the runtime then sends SIGTERM).
  int stop_signal = 0;
};

// Docker: <data-root>/containers/<id>/config.v2.json and hostconfig.json (the latter may be
// empty if unreadable: names still work, declarations stay -1). The stop signal is
// Config.StopSignal (docker run --stop-signal, Dockerfile STOPSIGNAL; absent for SIGTERM).
Expected<ContainerMetadata> ParseDockerMetadata(std::string_view config_v2_json,
                                                std::string_view hostconfig_json);

// OCI runtime bundle config.json: annotations of containerd CRI (io.kubernetes.cri.*), CRI-O
// (io.kubernetes.cri-o.*, io.kubernetes.pod.*), nerdctl (nerdctl/name), and linux.namespaces
// (a kind that is not listed is inherited from the runtime, i.e. the host's). Podman writes no
// name or image annotation (io.container.manager=libpod, io.podman.annotations.* flags only):
// its names are in containers.json. Its linux.cgroupsPath names a pod's slice
// ("machine-libpod_pod_<pod id>.slice:libpod:<id>"), which gives the Podman pod id. The stop
// signal is the annotation org.opencontainers.image.stopSignal (Podman writes the number) or
// io.containerd.image.config.stop-signal.
Expected<ContainerMetadata> ParseOciConfig(std::string_view config_json);

// One entry of containers/storage's <driver>-containers/containers.json (or
// volatile-containers.json, for --rm and transient stores): an array of
// {"id", "names": [...], "image": <image id>, "metadata": "<JSON in a string>"}, where Podman's
// metadata is {"image-name", "image-id", "name", "created-at"} (libpod/storage.go) and CRI-O's
// adds "metadata-name" (the Kubernetes container name), "pod-name", "pod-id".
struct StorageContainer {
  std::string id;
  std::string name;   // metadata-name (CRI-O), else names[0] (follows `podman rename`), else name
  std::string image;  // metadata image-name: what the user asked for, e.g. docker.io/library/redis
};

// The whole list; entries without an id are skipped, odd field types are ignored.
Expected<std::vector<StorageContainer>> ParseStorageContainers(std::string_view containers_json);

// Docker's daemon.json: its "data-root" (or the older "graph"); "" when it sets none. An error
// for a file that is not a JSON object or a data-root that is not an absolute path.
Expected<std::string> ParseDockerDataRoot(std::string_view daemon_json);

}  // namespace cproc
