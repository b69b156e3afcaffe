// Integration tests on the real kernel. They need root (namespaces, cgroup directories) and a
// writable cgroup hierarchy; without them the binary exits 77, which ctest reports as skipped.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "cmd/logging.h"
#include "tests/integration/kernel_fixture.h"

namespace {

constexpr int kSkipped = 77;  // SKIP_RETURN_CODE in tests/CMakeLists.txt

int Skip(const std::string& reason) {
  std::printf("cproc_integration_tests: skipped: %s\n", reason.c_str());
  return kSkipped;
}

}  // namespace

int main(int argc, char** argv) {
  using cproc::testing::kernel::CgroupHierarchies;
  if (::geteuid() != 0) {
    return Skip("needs root to create namespaces and cgroups (euid " + std::to_string(::geteuid()) +
                ")");
  }

  const CgroupHierarchies found = cproc::testing::kernel::DetectCgroupHierarchies();
  std::string why_not;
  bool writable = false;
  for (const std::string* root : {&found.v1_pids, &found.v1_systemd, &found.v2}) {
    if (root->empty()) continue;
    const std::string error = cproc::testing::kernel::ProbeWritable(*root);
    writable = writable || error.empty();
    if (!error.empty()) why_not += " " + error + ";";
  }
  if (!writable) {
    return Skip("no writable cgroup hierarchy (v1 pids '" + found.v1_pids + "', v1 systemd '" +
                found.v1_systemd + "', v2 '" + found.v2 + "'):" + why_not);
  }
  std::printf("cgroup hierarchies: v1 pids '%s', v1 name=systemd '%s', v2 '%s' (%s)\n",
              found.v1_pids.c_str(), found.v1_systemd.c_str(), found.v2.c_str(),
              found.hybrid() ? "hybrid" : (found.has_v1() ? "v1 only" : "pure v2"));

  // Root in a container without CAP_SYS_ADMIN cannot unshare: that is a skip, not a failure.
  {
    cproc::testing::kernel::FakeContainerSpec spec;
    spec.zombie = false;
    spec.sleeper = false;
    auto probe = cproc::testing::kernel::FakeContainer::Start(spec);
    if (!probe) {
      return Skip("cannot create PID, UTS, IPC, net and mount namespaces: " + probe.error());
    }
  }

  // Orphans of the fake containers that have no PID namespace of their own are re-parented to
  // this process instead of the host's init, so the fixtures reap them by pid.
  if (::prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) std::perror("prctl(PR_SET_CHILD_SUBREAPER)");

  // The scanner logs at info once per scan; the test report is what matters here.
  cproc::SetUpLogging("warn", "logfmt");

  doctest::Context context(argc, argv);
  return context.run();
}
