#include "collectors/scan/cgroup_resolver.h"

#include <spdlog/spdlog.h>

#include "collectors/cgroupfs/cgroup_namespace_root.h"
#include "collectors/procfs/proc_cgroup.h"

namespace cproc {

CgroupResolver::CgroupResolver(std::vector<ContainerLayout> layouts, std::string own_cgroup_root,
                               const MetadataStore& metadata, uint64_t retry_every)
    : layouts_(std::move(layouts)),
      own_cgroup_root_(std::move(own_cgroup_root)),
      metadata_(metadata),
      retry_every_(retry_every) {}

std::shared_ptr<const CgroupResolution> CgroupResolver::Resolve(const std::string& cgroup_text,
                                                                uint64_t scan,
                                                                ScanErrorTotals& errors) {
  auto [it, inserted] = interned_.try_emplace(cgroup_text);
  Interned& interned = it->second;
  interned.last_used_scan = scan;
  // An unconfirmed match is asked again once per period, by the first process re-read after
  // it: one access(2) per such cgroup and period, not one per process.
  if (!inserted &&
      !(interned.resolution->unconfirmed && interned.resolved_scan + retry_every_ <= scan)) {
    return interned.resolution;
  }
  interned.resolved_scan = scan;
  interned.resolution = ResolveNow(cgroup_text, inserted, errors);
  return interned.resolution;
}

std::shared_ptr<CgroupResolution> CgroupResolver::ResolveNow(const std::string& cgroup_text,
                                                             bool first_time,
                                                             ScanErrorTotals& errors) const {
  auto resolution = std::make_shared<CgroupResolution>();
  auto lines = ParseProcCgroup(cgroup_text);
  if (!lines) {
    resolution->parsed = false;
    ++errors.parse;
    return resolution;
  }
  // In a private cgroup namespace the exporter's own container reads "/": a host path again.
  for (CgroupLine& line : *lines) {
    if (line.unified()) line.path = HostCgroupPath(own_cgroup_root_, line.path);
  }
  // Every line counts (a v1 controller may name the container where the v2 line does not, see
  // docs/ARCHITECTURE.md "Kernel facts"): the first one naming a container wins.
  const LayoutConfirmer confirm =
      [this, &resolution](std::string_view runtime, std::string_view parent, std::string_view id) {
        const bool confirmed = metadata_.Confirms(runtime, parent, id);
        if (!confirmed) resolution->unconfirmed = true;
        return confirmed;
      };
  for (const CgroupLine& line : *lines) {
    if (auto match = MatchContainer(line.path, layouts_, confirm)) {
      resolution->container = std::make_shared<const ContainerMatch>(std::move(*match));
      resolution->unconfirmed = false;  // another row, or another line, named it
      return resolution;
    }
  }
  for (const CgroupLine& line : *lines) {
    if (!LooksLikeUnknownContainer(line.path)) continue;
    resolution->unknown_layout = true;
    if (first_time) {  // logged when first seen, not at every confirmation retry
      spdlog::info("cgroup {} looks like a container but matches no known layout; please report it",
                   line.path);
    }
    break;
  }
  return resolution;
}

void CgroupResolver::Evict(uint64_t scan) {
  const uint64_t keep = 2 * retry_every_;
  std::erase_if(interned_,
                [&](const auto& item) { return item.second.last_used_scan + keep < scan; });
}

}  // namespace cproc
