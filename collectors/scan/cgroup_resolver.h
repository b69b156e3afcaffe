// What a /proc/PID/cgroup text says about containers, resolved once per distinct text: every
// process of a container (and every thread-group leader of a pod) shares one resolution.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "collectors/runtimes/container_layouts.h"
#include "collectors/runtimes/metadata_store.h"
#include "collectors/snapshot.h"

namespace cproc {

struct CgroupResolution {
  std::shared_ptr<const ContainerMatch> container;  // null: no line names a container
  bool parsed = true;
  bool unknown_layout = false;  // no match, yet a line looks like a container's cgroup
  // A layout row matched but the runtime's files did not confirm it (not written yet, or not
  // readable yet): asked again, not cached as "no container" for as long as the text is in use.
  bool unconfirmed = false;
};

class CgroupResolver {
 public:
  // `own_cgroup_root`: where the exporter's private cgroup namespace is rooted ("" = the
  // host's). `retry_every`: scans between two confirmations of an unconfirmed match.
  CgroupResolver(std::vector<ContainerLayout> layouts, std::string own_cgroup_root,
                 const MetadataStore& metadata, uint64_t retry_every);

  // The resolution of one cgroup file text at scan `scan`; a text that does not parse counts
  // in `errors.parse`. Resolutions are shared, so a cache entry may keep one past eviction.
  std::shared_ptr<const CgroupResolution> Resolve(const std::string& cgroup_text, uint64_t scan,
                                                  ScanErrorTotals& errors);
  // Drops resolutions no process used for two periods: containers that are gone.
  void Evict(uint64_t scan);
  std::size_t size() const { return interned_.size(); }

 private:
  struct Interned {
    std::shared_ptr<const CgroupResolution> resolution;
    uint64_t last_used_scan = 0;
    uint64_t resolved_scan = 0;
  };
  std::shared_ptr<CgroupResolution> ResolveNow(const std::string& cgroup_text, bool first_time,
                                               ScanErrorTotals& errors) const;

  std::vector<ContainerLayout> layouts_;
  std::string own_cgroup_root_;
  const MetadataStore& metadata_;
  uint64_t retry_every_;
  std::unordered_map<std::string, Interned> interned_;  // by cgroup file text
};

}  // namespace cproc
