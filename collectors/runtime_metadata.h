// What container runtimes write about their containers, parsed from their own files (no runtime
// socket): Docker's config.v2.json + hostconfig.json, and the OCI bundle config.json that
// containerd, CRI-O and Podman keep (annotations carry pod name, namespace, container name).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "collectors/expected.h"
#include "collectors/namespaces.h"

namespace cproc {

struct ContainerMetadata {
  std::string name;  // Docker name without '/', or the Kubernetes container name
  std::string image;
  std::string pod_name;
  std::string pod_namespace;
  std::string pod_uid;
  bool sandbox = false;  // a Kubernetes pod sandbox (pause) rather than an app container
  // Declared use of the host's namespaces, per NsKind: 1 host, 0 own or another container's,
  // -1 not declared by this runtime's files.
  std::array<int8_t, kNsKindCount> declared_host{-1, -1, -1, -1, -1, -1, -1, -1};
};

// Docker: <data-root>/containers/<id>/config.v2.json and hostconfig.json (the latter may be
// empty if unreadable: names still work, declarations stay -1).
Expected<ContainerMetadata> ParseDockerMetadata(std::string_view config_v2_json,
                                                std::string_view hostconfig_json);

// OCI runtime bundle config.json: annotations of containerd CRI (io.kubernetes.cri.*), CRI-O
// (io.kubernetes.cri-o.*, io.kubernetes.pod.*), nerdctl (nerdctl/name), and linux.namespaces
// (a kind that is not listed is inherited from the runtime, i.e. the host's).
Expected<ContainerMetadata> ParseOciConfig(std::string_view config_json);

}  // namespace cproc
