#include "cmd/settings/config.h"

#include "cmd/settings/settings.h"
#include "collectors/runtimes/metadata_store.h"

namespace cproc {

Config::Config() {
  // Every default parses (tests/unit/cmd/settings/settings_test.cpp), so none is dropped here.
  for (const Setting& setting : Settings()) {
    if (!setting.default_value.empty()) (void)setting.value.parse(setting.default_value, *this);
  }
}

MetadataPaths MetadataPathsOf(const Config& config) {
  MetadataPaths paths;
  paths.rootfs = config.path_rootfs;
  // Not given: MetadataStore reads Docker's daemon.json under the rootfs.
  if (config.runtime_docker_root_given) paths.docker_root = config.runtime_docker_root;
  if (config.runtime_bundle_roots) paths.bundle_roots = *config.runtime_bundle_roots;
  if (config.runtime_storage_roots) paths.storage_roots = *config.runtime_storage_roots;
  return paths;
}

}  // namespace cproc
