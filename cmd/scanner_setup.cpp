#include "cmd/scanner_setup.h"

#include <spdlog/spdlog.h>

#include "collectors/cgroup_namespace_root.h"

namespace cproc {

ScannerOptions ScannerOptionsFor(const Config& config) {
  ScannerOptions options;
  options.procfs = config.path_procfs;
  options.sysfs = config.path_sysfs;
  options.revalidate_every = config.scan_revalidate_every;
  options.self_ns = ReadSelfNamespaces();
  options.metadata = MetadataPathsOf(config);
  options.own_cgroup_root = FindOwnCgroupNamespaceRoot(config.path_sysfs);
  if (!options.own_cgroup_root.empty()) {
    spdlog::info("running in a private cgroup namespace rooted at {} of {}/fs/cgroup",
                 options.own_cgroup_root, config.path_sysfs);
  }
  return options;
}

}  // namespace cproc
