// What the scanner's integration tests share: the host's cgroup hierarchies, a container's
// cgroup made in every one of them (as Docker's cgroupfs driver does), one checked scan, a fake
// container started in cgroups, and lookups in a snapshot.
#pragma once

#include <doctest/doctest.h>

#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "collectors/scan/scanner.h"
#include "collectors/snapshot.h"
#include "tests/integration/kernel_fixture.h"
#include "tests/support/scan_once.h"

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

using ::cproc::testing::ScanOnce;

// Declare the cgroups before the container: it is destroyed (killed, reaped) first.
inline std::unique_ptr<FakeContainer> StartContainer(const Cgroups& cgroups,
                                                     FakeContainerSpec spec = FakeContainerSpec()) {
  for (const auto& cgroup : cgroups) spec.cgroups.push_back(cgroup.get());
  auto container = FakeContainer::Start(spec);
  REQUIRE_MESSAGE(container.ok(), (container.ok() ? "" : container.error()));
  return std::move(container).value();
}

// "sleeping=2 zombie=1 ": a container's processes by state, the states it has only.
inline std::string CountsText(const StateCounts& counts) {
  std::ostringstream out;
  for (std::size_t i = 0; i < counts.size(); ++i) {
    if (counts[i] != 0) out << kProcessStateNames[i] << '=' << counts[i] << ' ';
  }
  return out.str();
}

// The container with this id, and its index in the snapshot (what Process::container holds).
inline const Container* FindContainer(const Snapshot& snapshot, const std::string& id,
                                      int32_t* index = nullptr) {
  for (std::size_t i = 0; i < snapshot.containers.size(); ++i) {
    if (snapshot.containers[i].id == id) {
      if (index != nullptr) *index = static_cast<int32_t>(i);
      return &snapshot.containers[i];
    }
  }
  return nullptr;
}

inline const Process* FindProcess(const Snapshot& snapshot, int32_t pid) {
  return cproc::FindProcess(snapshot.processes, pid);
}

// The container `pid` is attributed to; null when it is not in the snapshot or in none.
inline const Container* ContainerOf(const Snapshot& snapshot, int32_t pid) {
  const Process* p = FindProcess(snapshot, pid);
  if (p == nullptr || p->container == kNoContainer) return nullptr;
  return &snapshot.containers[static_cast<std::size_t>(p->container)];
}

}  // namespace cproc::testing::kernel
