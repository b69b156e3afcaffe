// The scanner over a fixture procfs: attribution on a hybrid host, zombies, the cache, PID reuse.
#include <doctest/doctest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "collectors/scan/scanner.h"
#include "tests/support/fixture_procfs.h"
#include "tests/support/scan_once.h"

using namespace cproc;
using cproc::testing::ContainerNs;
using cproc::testing::FixtureProcfs;
using cproc::testing::HostNs;
using cproc::testing::ScanOnce;

namespace {

const std::string kA = std::string(64, 'a');
const std::string kB = std::string(64, 'b');
constexpr uint64_t kHostPid = 4026531836;  // HostNs()'s pid namespace

std::string HybridCgroup(const std::string& path, const std::string& unified) {
  return "9:name=systemd:" + path + "\n8:pids:" + path + "\n4:memory:" + path + "\n0::" + unified +
         "\n";
}

// A hybrid host like this CI machine with two Docker containers (cgroupfs and systemd driver).
void BuildHost(const FixtureProcfs& fs) {
  fs.Stat(1, "systemd", 'S', 0, 1);
  fs.Cgroup(1, HybridCgroup("/", "/init.scope"));
  fs.Namespaces(1, HostNs());
  fs.Stat(2, "kthreadd", 'S', 0, 1);
  fs.Cgroup(2, HybridCgroup("/", "/"));
  fs.Namespaces(2, HostNs());
  fs.Stat(100, "bash", 'S', 1, 50);
  fs.Cgroup(100, "4:memory:/process_api/b4e8\n0::/\n");  // never trust one line (ARCHITECTURE.md)
  fs.Namespaces(100, HostNs());

  // Container A (cgroupfs driver): PID 1 sleep, one child, one unreaped zombie.
  fs.Stat(3050, "sleep", 'S', 3029, 1000);
  fs.Cgroup(3050, HybridCgroup("/docker/" + kA, "/docker/" + kA));
  fs.Namespaces(3050, ContainerNs(5000));
  fs.Stat(3060, "worker (x) R 1", 'R', 3050, 1001, 4);
  fs.Cgroup(3060, HybridCgroup("/docker/" + kA, "/docker/" + kA));
  fs.Namespaces(3060, ContainerNs(5000));
  fs.Stat(3078, "sleep", 'Z', 3050, 1002);
  fs.Cgroup(3078, HybridCgroup("/", "/docker/" + kA));  // zombie: v1 lines say '/'
  fs.Namespaces(3078, {{"pid", 5000}, {"user", 4026531837}});

  // Container B (systemd driver), v1 lines only, and a zombie whose lines all say '/'.
  fs.Stat(4000, "nginx", 'S', 3999, 2000);
  fs.Cgroup(4000, "8:pids:/system.slice/docker-" + kB + ".scope\n");
  fs.Namespaces(4000, ContainerNs(6000));
  fs.Stat(4010, "nginx", 'Z', 4000, 2001);
  fs.Cgroup(4010, "8:pids:/\n");
  fs.Namespaces(4010, {{"pid", 6000}, {"user", 4026531837}});

  fs.Write("self/stat", "not a process");  // non-numeric entries are skipped
  fs.Write("sys/kernel/pid_max", "4194304");
}

const Container* FindContainer(const Snapshot& s, const std::string& id) {
  for (const Container& c : s.containers) {
    if (c.id == id) return &c;
  }
  return nullptr;
}

const Process* FindProcess(const Snapshot& s, int32_t pid) {
  for (const Process& p : s.processes) {
    if (p.pid == pid) return &p;
  }
  return nullptr;
}

uint32_t Count(const StateCounts& counts, ProcessState state) {
  return counts[static_cast<std::size_t>(state)];
}

}  // namespace

TEST_CASE("scanner: hybrid host, both Docker drivers, zombies attributed to their container") {
  FixtureProcfs fs;
  BuildHost(fs);
  Scanner scanner(ScannerOptions{.procfs = fs.root()});
  auto snap = ScanOnce(scanner);

  REQUIRE(snap->containers.size() == 2);
  const Container* a = FindContainer(*snap, kA);
  const Container* b = FindContainer(*snap, kB);
  REQUIRE(a != nullptr);
  REQUIRE(b != nullptr);
  CHECK(a->container_id() == "docker://" + kA);
  CHECK(a->cgroup == "/docker/" + kA);
  CHECK(b->cgroup == "/system.slice/docker-" + kB + ".scope");
  CHECK(Count(a->processes, ProcessState::kSleeping) == 1);
  CHECK(Count(a->processes, ProcessState::kRunning) == 1);
  CHECK(Count(a->processes, ProcessState::kZombie) == 1);
  CHECK(a->threads == 1 + 4 + 1);
  CHECK(Count(b->processes, ProcessState::kSleeping) == 1);
  CHECK(Count(b->processes, ProcessState::kZombie) == 1);
  CHECK(Count(snap->host_processes, ProcessState::kSleeping) == 3);

  const Process* zombie_a = FindProcess(*snap, 3078);
  const Process* zombie_b = FindProcess(*snap, 4010);
  const Process* worker = FindProcess(*snap, 3060);
  REQUIRE((zombie_a != nullptr && zombie_b != nullptr && worker != nullptr));
  CHECK(zombie_a->attribution == Attribution::kCgroup);  // its 0:: line
  CHECK(zombie_b->attribution == Attribution::kPidNamespace);
  CHECK(worker->comm == "worker (x) R 1");
  CHECK(NsOf(snap->host_ns, NsKind::kPid).ino == kHostPid);
  CHECK(snap->stats.processes == 8);
  CHECK(snap->stats.errors.parse == 0);
  CHECK(snap->stats.errors.vanished == 0);
  for (std::size_t i = 1; i < snap->processes.size(); ++i) {
    CHECK(snap->processes[i - 1].pid < snap->processes[i].pid);
  }
}

TEST_CASE("scanner: caches cgroup and namespaces, and re-reads them when the pid is reused") {
  FixtureProcfs fs;
  BuildHost(fs);
  Scanner scanner(ScannerOptions{.procfs = fs.root(), .revalidate_every = 1000});
  auto first = ScanOnce(scanner);
  CHECK(first->stats.cache_hits == 0);
  auto second = ScanOnce(scanner);
  CHECK(second->stats.cache_hits == second->stats.processes);

  // PID 3060 exits and the pid is reused by a host process: new starttime, new cgroup.
  fs.Stat(3060, "cron", 'S', 1, 9999);
  fs.Cgroup(3060, HybridCgroup("/", "/system.slice/cron.service"));
  fs.Namespaces(3060, HostNs());
  auto third = ScanOnce(scanner);
  const Process* reused = FindProcess(*third, 3060);
  REQUIRE(reused != nullptr);
  CHECK(reused->comm == "cron");
  CHECK(reused->container == kNoContainer);
  const Container* a = FindContainer(*third, kA);
  REQUIRE(a != nullptr);
  CHECK(Count(a->processes, ProcessState::kRunning) == 0);
}

TEST_CASE("scanner: a process that moves cgroup is re-attributed within revalidate_every scans") {
  FixtureProcfs fs;
  BuildHost(fs);
  Scanner scanner(ScannerOptions{.procfs = fs.root(), .revalidate_every = 3});
  ScanOnce(scanner);
  fs.Cgroup(100, HybridCgroup("/docker/" + kA, "/docker/" + kA));  // like runc before exec
  bool moved = false;
  for (int i = 0; i < 3 && !moved; ++i) {
    auto snap = ScanOnce(scanner);
    const Process* p = FindProcess(*snap, 100);
    REQUIRE(p != nullptr);
    moved = p->container != kNoContainer;
  }
  CHECK(moved);
}

TEST_CASE("scanner: a zombie keeps the container it had while alive") {
  FixtureProcfs fs;
  BuildHost(fs);
  Scanner scanner(ScannerOptions{.procfs = fs.root(), .revalidate_every = 1});
  ScanOnce(scanner);
  // 3060 dies and becomes a zombie of a v1-only view: every line says '/' now.
  fs.Stat(3060, "worker", 'Z', 3050, 1001);
  fs.Cgroup(3060, "8:pids:/\n");
  fs.Namespaces(3060, {{"net", 0}, {"mnt", 0}, {"ipc", 0}, {"uts", 0}, {"cgroup", 0}});
  auto snap = ScanOnce(scanner);
  const Process* zombie = FindProcess(*snap, 3060);
  REQUIRE(zombie != nullptr);
  CHECK(zombie->attribution == Attribution::kCached);
  CHECK(snap->containers[static_cast<std::size_t>(zombie->container)].id == kA);
}

TEST_CASE("scanner: vanished and malformed processes are counted, not fatal") {
  FixtureProcfs fs;
  BuildHost(fs);
  fs.Write("7000/cgroup", "0::/\n");  // listed, but no stat: it exited
  fs.Write("7001/stat", "7001 (broken");
  Scanner scanner(ScannerOptions{.procfs = fs.root()});
  auto snap = ScanOnce(scanner);
  CHECK(snap->stats.errors.vanished == 1);
  CHECK(snap->stats.errors.parse == 1);
  CHECK(snap->stats.processes == 8);
  auto again = ScanOnce(scanner);
  CHECK(again->stats.errors.vanished == 2);  // totals accumulate, as counters

  Scanner missing(ScannerOptions{.procfs = fs.root() + "/nonexistent"});
  auto failed = missing.Scan();
  REQUIRE_FALSE(failed.ok());
  CHECK(failed.error().find("nonexistent") != std::string::npos);
}

TEST_CASE("scanner: a container that is gone is dropped") {
  FixtureProcfs fs;
  BuildHost(fs);
  Scanner scanner(ScannerOptions{.procfs = fs.root()});
  REQUIRE(ScanOnce(scanner)->containers.size() == 2);
  std::filesystem::remove_all(fs.root() + "/4000");
  std::filesystem::remove_all(fs.root() + "/4010");
  auto snap = ScanOnce(scanner);
  REQUIRE(snap->containers.size() == 1);
  CHECK(snap->containers[0].id == kA);
}

TEST_CASE("scanner: a process that execs is re-read at once (runc, nsenter exec after joining)") {
  FixtureProcfs fs;
  BuildHost(fs);
  Scanner scanner(ScannerOptions{.procfs = fs.root(), .revalidate_every = 1000});
  ScanOnce(scanner);
  ScanOnce(scanner);
  // PID 100 joins container A's cgroup and execs: a new comm, same pid and start time.
  fs.Cgroup(100, HybridCgroup("/docker/" + kA, "/docker/" + kA));
  fs.Stat(100, "runc:[2:INIT]", 'S', 1, 50);
  auto snap = ScanOnce(scanner);
  const Process* p = FindProcess(*snap, 100);
  REQUIRE(p != nullptr);
  CHECK(p->container != kNoContainer);
  CHECK(snap->stats.cache_hits == snap->stats.processes - 1);  // only it was re-read
}

TEST_CASE("scanner: a cgroup Docker's files did not confirm yet is asked again, not cached") {
  // docker run --cgroup-parent: the bare id is Docker's only once its config.v2.json is seen.
  // A process first seen before that (or while the file is unreadable) must not stay
  // unattributed while it keeps the same cgroup.
  FixtureProcfs fs;
  BuildHost(fs);
  const std::string id = std::string(64, 'c');
  const std::string cgroup = HybridCgroup("/my-parent/" + id, "/my-parent/" + id);
  for (int32_t pid : {5000, 5001}) {
    fs.Stat(pid, "app", 'S', pid == 5000 ? 4999 : 5000, 3000);
    fs.Cgroup(pid, cgroup);
    fs.Namespaces(pid, ContainerNs(7000));
  }
  FixtureProcfs host_root;  // --path.rootfs
  ScannerOptions options{.procfs = fs.root(), .revalidate_every = 3};
  options.metadata.rootfs = host_root.root();
  Scanner scanner(options);
  for (int i = 0; i < 4; ++i) {
    auto snap = ScanOnce(scanner);
    REQUIRE(FindContainer(*snap, id) == nullptr);
    CHECK(snap->stats.unknown_layout_processes == 2);
  }

  host_root.Write("var/lib/docker/containers/" + id + "/config.v2.json",
                  R"({"Name":"/late","Config":{"Image":"busybox"}})");
  // Both processes are re-read within two revalidation periods; nothing else changed for them.
  const Container* c = nullptr;
  std::shared_ptr<const Snapshot> snap;
  for (int i = 0; i < 6; ++i) {
    snap = ScanOnce(scanner);
    c = FindContainer(*snap, id);
    if (c != nullptr && snap->stats.unknown_layout_processes == 0) break;
  }
  REQUIRE_MESSAGE(c != nullptr, "still unattributed although Docker's files now know it");
  CHECK(c->runtime == "docker");
  CHECK(c->name == "late");
  CHECK(Count(c->processes, ProcessState::kSleeping) == 2);
  CHECK(FindProcess(*snap, 5001)->container == FindProcess(*snap, 5000)->container);
}

TEST_CASE("scanner: two layouts naming one container make one container, not two series") {
  // cri-dockerd: the processes of one Docker container under kubepods (cgroupfs row, which
  // guesses containerd) and, for one of them, a systemd-driver line (the docker row). Docker's
  // files say docker: both are docker://<id>, so they must be one container.
  FixtureProcfs fs;
  BuildHost(fs);
  const std::string id = std::string(64, 'd');
  const std::string uid = "0b5a1e6c-2f3d-4a5b-8c7d-9e0f1a2b3c4d";
  fs.Stat(5000, "app", 'S', 4999, 3000);
  fs.Cgroup(5000, "0::/kubepods/besteffort/pod" + uid + "/" + id + "\n");
  fs.Namespaces(5000, ContainerNs(7000));
  fs.Stat(5001, "worker", 'S', 5000, 3001);
  fs.Cgroup(5001, "8:pids:/system.slice/docker-" + id + ".scope\n");
  fs.Namespaces(5001, ContainerNs(7000));
  FixtureProcfs host_root;
  host_root.Write("var/lib/docker/containers/" + id + "/config.v2.json",
                  R"({"Name":"/k8s_app","Config":{"Image":"busybox"}})");
  ScannerOptions options{.procfs = fs.root()};
  options.metadata.rootfs = host_root.root();
  Scanner scanner(options);
  for (int i = 0; i < 3; ++i) {
    auto snap = ScanOnce(scanner);
    int found = 0;
    for (const Container& c : snap->containers) found += c.id == id ? 1 : 0;
    REQUIRE(found == 1);
    const Container* c = FindContainer(*snap, id);
    CHECK(c->runtime == "docker");
    CHECK(Count(c->processes, ProcessState::kSleeping) == 2);
    CHECK(FindProcess(*snap, 5001)->container == FindProcess(*snap, 5000)->container);
  }
}

// ScannerOptions::keep_processes = false (the daemon): the list goes, its buffer is the next
// scan's. What the scan counted must not change, scan after scan, while the host does.
TEST_CASE("scanner: without its process list, a snapshot counts what one with it counts") {
  FixtureProcfs fs;
  BuildHost(fs);
  Scanner keeping(ScannerOptions{.procfs = fs.root()});
  Scanner dropping(ScannerOptions{.procfs = fs.root(), .keep_processes = false});
  const auto summary = [](const Snapshot& s) {
    std::string out = "processes=" + std::to_string(s.stats.processes) + " host=";
    for (const uint32_t n : s.host_processes) out += std::to_string(n) + ",";
    for (const Container& c : s.containers) {
      out += " " + c.id.substr(0, 4) + ":init=" + std::to_string(c.init.pid) +
             ",threads=" + std::to_string(c.threads) + ",states=";
      for (const uint32_t n : c.processes) out += std::to_string(n) + ",";
      out += "zombies=" + std::to_string(c.zombies.parent_pid1) + "/" +
             std::to_string(c.zombies.parent_other) + "/" +
             std::to_string(c.zombies.parent_outside);
    }
    return out;
  };
  std::vector<std::string> seen;
  for (int scan = 0; scan < 6; ++scan) {
    INFO("scan " << scan);
    const auto kept = ScanOnce(keeping);
    const auto dropped = ScanOnce(dropping);
    CHECK(kept->processes.size() == kept->stats.processes);
    CHECK(dropped->processes.empty());
    CHECK(summary(*dropped) == summary(*kept));
    seen.push_back(summary(*dropped));
    // The host changes: container A forks, a child dies unreaped, B goes, a host process comes.
    switch (scan) {
      case 0:
        fs.Stat(3070 + scan, "worker", 'S', 3050, 1003);
        fs.Cgroup(3070 + scan, HybridCgroup("/docker/" + kA, "/docker/" + kA));
        fs.Namespaces(3070 + scan, ContainerNs(5000));
        break;
      case 1:
        fs.Stat(3060, "worker", 'Z', 3050, 1001);
        break;
      case 2:
        std::filesystem::remove_all(fs.root() + "/4000");
        std::filesystem::remove_all(fs.root() + "/4010");
        break;
      case 3:
        fs.Stat(200, "cron", 'S', 1, 60);
        fs.Cgroup(200, HybridCgroup("/", "/cron.service"));
        fs.Namespaces(200, HostNs());
        break;
      default:
        break;
    }
  }
  // Each change showed in the scan after it.
  for (std::size_t i = 1; i < 5; ++i) CHECK(seen[i] != seen[i - 1]);
  CHECK(seen[5] == seen[4]);
}
