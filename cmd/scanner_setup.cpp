#include "cmd/scanner_setup.h"

#include <sched.h>

#include <algorithm>

#include <spdlog/spdlog.h>

#include "collectors/cgroupfs/cgroup_namespace_root.h"
#include "collectors/procfs/self_namespaces.h"
#include "collectors/runtimes/host_paths.h"

namespace cproc {
namespace {

// The CPUs this process may run on (taskset, cpuset): more scan threads than that only queue.
std::size_t UsableCpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (::sched_getaffinity(0, sizeof(set), &set) != 0) return 1;
  return static_cast<std::size_t>(std::max(1, CPU_COUNT(&set)));
}

}  // namespace

ScannerOptions ScannerOptionsFor(const Config& config) {
  ScannerOptions options;
  options.procfs = config.path_procfs;
  options.sysfs = config.path_sysfs;
  options.revalidate_every = config.scan_revalidate_every;
  options.kept_descriptors = config.scan_kept_descriptors;
  options.threads = std::min<std::size_t>(config.scan_threads, UsableCpus());
  options.self_ns = ReadSelfNamespaces();
  options.metadata = MetadataPathsOf(config);
  // A wrong --runtime.docker-root fails silently otherwise: Docker containers keep short ids.
  if (config.runtime_docker_root_given) {
    const std::string containers =
        HostPath(config.path_rootfs, config.runtime_docker_root) + "/containers";
    if (!IsDirectory(containers)) {
      spdlog::warn(
          "--runtime.docker-root {} has no containers directory ({}); Docker containers are "
          "counted but keep their short ids",
          config.runtime_docker_root, containers);
    }
  }
  options.own_cgroup_root = FindOwnCgroupNamespaceRoot(config.path_sysfs);
  if (!options.own_cgroup_root.empty()) {
    spdlog::info("running in a private cgroup namespace rooted at {} of {}/fs/cgroup",
                 options.own_cgroup_root, config.path_sysfs);
  }
  return options;
}

}  // namespace cproc
