// What the scanner's integration tests share: the host's cgroup hierarchies, a container's
// cgroup made in every one of them (as Docker's cgroupfs driver does) and one checked scan.
#pragma once

#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

#include "collectors/scanner.h"
#include "collectors/snapshot.h"
#include "tests/integration/kernel_fixture.h"

namespace cproc::testing::kernel {

using Cgroups = std::vector<std::unique_ptr<ScopedCgroup>>;

inline const CgroupHierarchies& Hierarchies() {
  static const CgroupHierarchies found = DetectCgroupHierarchies();
  return found;
}

inline std::unique_ptr<ScopedCgroup> MakeCgroup(const std::string& root,
                                                const std::string& relative) {
  auto cgroup = ScopedCgroup::Create(root, relative);
  REQUIRE_MESSAGE(cgroup.ok(), (cgroup.ok() ? "" : cgroup.error()));
  return std::move(cgroup).value();
}

// The same path in every hierarchy this host has, as Docker's cgroupfs driver does it.
inline Cgroups MakeCgroupsEverywhere(const std::string& relative) {
  Cgroups cgroups;
  const CgroupHierarchies& h = Hierarchies();
  for (const std::string* root : {&h.v1_pids, &h.v1_systemd, &h.v2}) {
    if (!root->empty()) cgroups.push_back(MakeCgroup(*root, relative));
  }
  return cgroups;
}

inline std::shared_ptr<const Snapshot> ScanOnce(Scanner& scanner) {
  auto result = scanner.Scan();
  REQUIRE_MESSAGE(result.ok(), (result.ok() ? "" : result.error()));
  return *result;
}

}  // namespace cproc::testing::kernel
