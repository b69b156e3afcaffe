// The pure step of a scan: a process listing into containers and counts.
#include "collectors/scan/snapshot_builder.h"

#include <doctest/doctest.h>

using namespace cproc;

namespace {

Process Proc(int32_t pid, ProcessState state, uint32_t threads = 1) {
  Process p;
  p.pid = pid;
  p.state = state;
  p.threads = threads;
  return p;
}

}  // namespace

TEST_CASE("snapshot builder: one container per runtime and id, sorted, processes indexed") {
  const std::string a(64, 'a'), b(64, 'b');
  // Two layouts naming container a (its processes' cgroup lines differ), and a bare id under
  // kubepods that Docker's files say is cri-dockerd's.
  const ContainerMatch a_v1{.runtime = "docker",
                            .layout = "docker-cgroupfs",
                            .id = a,
                            .cgroup = "/docker/" + a,
                            .pod_uid = {}};
  const ContainerMatch a_v2{.runtime = "docker",
                            .layout = "docker-systemd",
                            .id = a,
                            .cgroup = "/system.slice/docker-" + a + ".scope",
                            .pod_uid = {}};
  const ContainerMatch b_bare{.runtime = "containerd",
                              .layout = "kubepods-cgroupfs",
                              .id = b,
                              .cgroup = "/kubepods/pod1/" + b,
                              .pod_uid = "1"};
  const ContainerMatch lxc{.runtime = "lxc",
                           .layout = "lxc-payload",
                           .id = "web",
                           .cgroup = "/lxc.payload.web",
                           .pod_uid = {}};
  std::vector<Process> processes = {
      Proc(10, ProcessState::kSleeping), Proc(11, ProcessState::kRunning),
      Proc(12, ProcessState::kSleeping), Proc(13, ProcessState::kZombie),
      Proc(14, ProcessState::kSleeping)};
  const std::vector<const ContainerMatch*> matches = {&lxc, &a_v1, nullptr, &a_v2, &b_bare};
  std::vector<std::string> asked;
  const RuntimeOf runtime_of = [&](const ContainerMatch& m) {
    asked.push_back(m.layout);
    return m.id == b ? std::string("docker") : m.runtime;
  };
  std::vector<Container> containers;
  GroupContainers(matches, runtime_of, processes, containers);

  CHECK(asked.size() == 4);  // once per distinct match, not per process
  REQUIRE(containers.size() == 3);
  // By container_id: docker://a…, docker://b… (the files' runtime), lxc://web.
  CHECK(containers[0].id == a);
  CHECK(containers[0].layout == "docker-cgroupfs");  // the first match of the id
  CHECK(containers[0].name == a.substr(0, 12));
  CHECK(containers[1].id == b);
  CHECK(containers[1].runtime == "containerd");  // corrected later, from its files
  CHECK(containers[1].pod_uid == "1");
  CHECK(containers[2].name == "web");  // not a 64-hex id: the name as it is
  CHECK(processes[0].container == 2);
  CHECK(processes[1].container == 0);
  CHECK(processes[2].container == kNoContainer);
  CHECK(processes[3].container == 0);
  CHECK(processes[4].container == 1);

  Snapshot s;
  s.processes = processes;
  s.processes[1].threads = 5;
  s.containers = containers;
  CountProcesses(s);
  CHECK(s.containers[0].processes[static_cast<std::size_t>(ProcessState::kRunning)] == 1);
  CHECK(s.containers[0].processes[static_cast<std::size_t>(ProcessState::kZombie)] == 1);
  CHECK(s.containers[0].threads == 6);
  CHECK(s.host_processes[static_cast<std::size_t>(ProcessState::kSleeping)] == 1);
}

TEST_CASE("snapshot builder: sorting by pid keeps the parallel flags in step") {
  std::vector<Process> processes = {Proc(30, ProcessState::kSleeping),
                                    Proc(7, ProcessState::kSleeping),
                                    Proc(12, ProcessState::kSleeping)};
  std::vector<uint8_t> unknown = {1, 0, 1};
  SortByPid(processes, unknown);
  REQUIRE(processes.size() == 3);
  CHECK(processes[0].pid == 7);
  CHECK(processes[1].pid == 12);
  CHECK(processes[2].pid == 30);
  CHECK(unknown == std::vector<uint8_t>{0, 1, 1});
  SortByPid(processes, unknown);  // sorted already: nothing moves
  CHECK(unknown == std::vector<uint8_t>{0, 1, 1});
}
