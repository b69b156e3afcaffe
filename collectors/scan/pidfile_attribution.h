// Rootless Podman on cgroup v1: containers no cgroup names, found through the PID conmon wrote
// down (collectors/runtimes/runtime_pidfiles.h) once that PID is verified to be the container's.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "collectors/runtimes/container_layouts.h"
#include "collectors/runtimes/runtime_pidfiles.h"
#include "collectors/snapshot.h"

namespace cproc {

class PidfileAttribution {
 public:
  PidfileAttribution(std::string rootfs, std::vector<std::string> storage_roots);

  // `processes` and `matches` are parallel, in listing order, the processes' namespaces in
  // `ns_sets`; the process a trusted pidfile names gets its container's match (owned here, valid
  // until the next call). Returns how many running containers' pidfiles could not be trusted.
  uint64_t Attribute(int proc_fd, double boot_time, const NsSet& host_ns,
                     std::vector<Process>& processes, const std::vector<NsSet>& ns_sets,
                     std::vector<const ContainerMatch*>& matches);

 private:
  // Once per container and verdict: why a running container's file was not trusted.
  void Log(const PidfileContainer& f, PidfileVerdict verdict);

  RuntimePidfiles pidfiles_;
  const double ticks_per_second_ = static_cast<double>(::sysconf(_SC_CLK_TCK));
  std::unordered_map<std::string, std::shared_ptr<const ContainerMatch>> matches_;  // by id
  std::unordered_map<std::string, PidfileVerdict> verdicts_;  // last logged, by id
};

}  // namespace cproc
