#include "collectors/analysis/attribution.h"

#include <doctest/doctest.h>

#include "tests/support/make_process.h"

using namespace cproc;

namespace {

constexpr uint32_t kHostPidNs = 4026531836;

// One scan's processes are made through it: their namespace sets are interned in ns_sets.
struct Scan {
  std::vector<NsSet> ns_sets;

  Process Make(int32_t pid, int32_t ppid, char state, uint32_t pid_ns,
               int32_t container = kNoContainer) {
    Process p;
    p.pid = pid;
    p.ppid = ppid;
    p.state_code = state;
    p.state = ProcessStateFromCode(state);
    NsSet ns{};
    NsOf(ns, NsKind::kPid) = NsId{.dev = 4, .ino = pid_ns};
    testing::SetNs(ns_sets, p, ns);
    p.container = container;
    p.attribution = container == kNoContainer ? Attribution::kNone : Attribution::kCgroup;
    return p;
  }
};

NsSet Host() {
  NsSet host{};
  NsOf(host, NsKind::kPid) = NsId{.dev = 4, .ino = kHostPidNs};
  return host;
}

}  // namespace

TEST_CASE_FIXTURE(
    Scan, "attribution: a zombie whose cgroup lines say '/' joins its PID namespace's container") {
  std::vector<Process> ps = {
      Make(1, 0, 'S', kHostPidNs), Make(3029, 1, 'S', kHostPidNs),  // containerd-shim, on the host
      Make(3050, 3029, 'S', 777, 0),  // container PID 1, cgroup says docker
      Make(3078, 3050, 'Z', 777),     // its zombie: v1 lines '/', no 0:: line
  };
  AttributeWithoutCgroup(ps, ns_sets, std::vector<uint8_t>(ps.size(), 0), Host());
  CHECK(ps[3].container == 0);
  CHECK(ps[3].attribution == Attribution::kPidNamespace);
  CHECK(ps[1].container == kNoContainer);
  CHECK(ps[0].container == kNoContainer);
}

TEST_CASE_FIXTURE(
    Scan, "attribution: host PID namespace is never a container's; zombies then follow parents") {
  // --pid=host container: its processes share the host PID namespace.
  std::vector<Process> ps = {
      Make(1, 0, 'S', kHostPidNs),      Make(500, 1, 'S', kHostPidNs),  // unrelated host process
      Make(600, 1, 'S', kHostPidNs, 0),  // the --pid=host container's main process
      Make(601, 600, 'Z', kHostPidNs),   // its zombie
      Make(700, 500, 'S', kHostPidNs),   // a live host process is never pulled in
  };
  AttributeWithoutCgroup(ps, ns_sets, std::vector<uint8_t>(ps.size(), 0), Host());
  CHECK(ps[3].container == 0);
  CHECK(ps[3].attribution == Attribution::kParent);
  CHECK(ps[1].container == kNoContainer);
  CHECK(ps[4].container == kNoContainer);
}

TEST_CASE_FIXTURE(Scan, "attribution: a PID namespace shared by two containers is ambiguous") {
  // --pid=container:X: two containers in one PID namespace; the zombie follows its parent.
  std::vector<Process> ps = {
      Make(1, 0, 'S', kHostPidNs),
      Make(10, 1, 'S', 900, 0),
      Make(20, 1, 'S', 900, 1),
      Make(21, 20, 'Z', 900),
  };
  AttributeWithoutCgroup(ps, ns_sets, std::vector<uint8_t>(ps.size(), 0), Host());
  CHECK(ps[3].container == 1);
  CHECK(ps[3].attribution == Attribution::kParent);
}

TEST_CASE_FIXTURE(
    Scan, "attribution: unreadable cgroup falls back to ancestors, unknown namespaces to nothing") {
  std::vector<Process> ps = {
      Make(1, 0, 'S', kHostPidNs), Make(10, 1, 'S', 900, 0),
      Make(11, 10, 'S', 0),  // ns unknown (no permission), cgroup unreadable
      Make(12, 1, 'S', 0),   // ns unknown, cgroup readable: stays on the host
  };
  std::vector<uint8_t> unknown = {0, 0, 1, 0};
  AttributeWithoutCgroup(ps, ns_sets, unknown, Host());
  CHECK(ps[2].container == 0);
  CHECK(ps[2].attribution == Attribution::kParent);
  CHECK(ps[3].container == kNoContainer);
}

TEST_CASE_FIXTURE(Scan, "attribution: a parent loop in a racy snapshot terminates") {
  std::vector<Process> ps = {Make(5, 6, 'Z', kHostPidNs), Make(6, 5, 'Z', kHostPidNs)};
  AttributeWithoutCgroup(ps, ns_sets, std::vector<uint8_t>(ps.size(), 0), Host());
  CHECK(ps[0].container == kNoContainer);
}

TEST_CASE_FIXTURE(
    Scan, "attribution: descendants of a container without a cgroup (pidfile) in the host PID ns") {
  // Rootless Podman on cgroup v1 with --pid=host: every process sits in the user's cgroup; the
  // pidfile names 600 (container 0, no cgroup of its own). Its descendants are the container's,
  // its monitor (conmon, 590) and the user's other processes are not.
  std::vector<Process> ps = {
      Make(1, 0, 'S', kHostPidNs),        Make(590, 1, 'S', kHostPidNs),  // conmon
      Make(600, 590, 'S', kHostPidNs, 0),                                 // named by the pidfile
      Make(610, 600, 'S', kHostPidNs),                                    // its child
      Make(620, 610, 'S', kHostPidNs),                                    // and grandchild
      Make(700, 1, 'S', kHostPidNs),                                      // the user's shell
      Make(710, 700, 'S', kHostPidNs, 1),  // a container with a cgroup (docker)
      Make(720, 710, 'S', kHostPidNs),     // its child in the host cgroup (moved out): not pulled
  };
  ps[2].attribution = Attribution::kRuntimeFiles;
  const std::vector<uint8_t> known(ps.size(), 0);
  SUBCASE("with the container marked as having no cgroup") {
    AttributeWithoutCgroup(ps, ns_sets, known, Host(), {1, 0});
    CHECK(ps[3].container == 0);
    CHECK(ps[3].attribution == Attribution::kParent);
    CHECK(ps[4].container == 0);
    CHECK(ps[1].container == kNoContainer);
    CHECK(ps[5].container == kNoContainer);
    CHECK(ps[7].container == kNoContainer);
  }
  SUBCASE("without: live processes with a readable cgroup never follow their parent") {
    AttributeWithoutCgroup(ps, ns_sets, known, Host());
    CHECK(ps[3].container == kNoContainer);
    CHECK(ps[4].container == kNoContainer);
  }
}
