// The scanner on the real kernel: fake containers (real PID, UTS, IPC, net and mount
// namespaces; real cgroups named as Docker names them) with a sleeping child and an unreaped
// zombie, checked against what /proc itself says. See docs/ARCHITECTURE.md "Kernel facts" for the
// kernel facts these tests pin down (a zombie's v1 cgroup lines read "/", its ns/net is gone, ...).
#include <doctest/doctest.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "collectors/scan/scanner.h"
#include "collectors/snapshot.h"
#include "tests/integration/kernel_fixture.h"
#include "tests/integration/scan_helpers.h"
#include "tests/integration/skip.h"

namespace {

using cproc::Attribution;
using cproc::Container;
using cproc::kNoContainer;
using cproc::NsKind;
using cproc::NsOf;
using cproc::Process;
using cproc::Scanner;
using cproc::ScannerOptions;
using cproc::Snapshot;
using cproc::StateCounts;
using cproc::testing::kernel::CgroupHierarchies;
using cproc::testing::kernel::FakeContainer;
using cproc::testing::kernel::FakeContainerSpec;
using cproc::testing::kernel::HasCgroupLine;
using cproc::testing::kernel::HostChildAtPid;
using cproc::testing::kernel::NoCgroupLineMentions;
using cproc::testing::kernel::NsInode;
using cproc::testing::kernel::RandomHex;
using cproc::testing::kernel::ReadKernelCgroup;
using cproc::testing::kernel::ReadKernelStat;
using cproc::testing::kernel::ScopedCgroup;

using cproc::testing::kernel::Cgroups;
using cproc::testing::kernel::CountsText;
using cproc::testing::kernel::FindContainer;
using cproc::testing::kernel::FindProcess;
using cproc::testing::kernel::Hierarchies;
using cproc::testing::kernel::MakeCgroup;
using cproc::testing::kernel::MakeCgroupsEverywhere;
using cproc::testing::kernel::ScanOnce;
using cproc::testing::kernel::StartContainer;

std::string PidsText(const std::set<int32_t>& pids) {
  std::ostringstream out;
  for (int32_t pid : pids) out << pid << ' ';
  return out.str();
}

std::string AttributionName(Attribution attribution) {
  switch (attribution) {
    case Attribution::kNone:
      return "none";
    case Attribution::kCgroup:
      return "cgroup";
    case Attribution::kCached:
      return "cached";
    case Attribution::kPidNamespace:
      return "pid-namespace";
    case Attribution::kParent:
      return "parent";
    case Attribution::kRuntimeFiles:
      return "runtime-files";
  }
  return "?";
}

// The container `id` holds exactly the fake container's processes, with the states, threads and
// comms /proc gives for them right now. Returns the container (null when absent).
const Container* CheckContainerMatchesKernel(const Snapshot& snapshot, const std::string& id,
                                             const std::string& cgroup, const std::string& layout,
                                             const FakeContainer& fake) {
  int32_t index = kNoContainer;
  const Container* c = FindContainer(snapshot, id, &index);
  CHECK_MESSAGE(c != nullptr, "no container " << id << " in the snapshot");
  if (c == nullptr) return nullptr;
  CHECK(c->runtime == "docker");
  CHECK(c->container_id() == "docker://" + id);
  CHECK(c->cgroup == cgroup);
  CHECK(c->layout == layout);

  StateCounts expected{};
  uint64_t expected_threads = 0;
  std::set<int32_t> expected_pids;
  for (pid_t pid : fake.pids()) {
    const auto stat = ReadKernelStat(pid);
    REQUIRE_MESSAGE(stat.has_value(), "pid " << pid << " is gone from /proc");
    ++expected[static_cast<std::size_t>(cproc::ProcessStateFromCode(stat->state))];
    expected_threads += stat->threads;
    expected_pids.insert(pid);
    const Process* p = FindProcess(snapshot, pid);
    REQUIRE_MESSAGE(p != nullptr, "pid " << pid << " missing from the snapshot");
    CHECK(p->state_code == stat->state);
    CHECK(p->comm == stat->comm);
    CHECK(p->ppid == stat->ppid);
    CHECK(p->threads == stat->threads);
  }
  std::set<int32_t> members;
  for (const Process& p : snapshot.processes) {
    if (p.container == index) members.insert(p.pid);
  }
  CHECK(PidsText(members) == PidsText(expected_pids));
  CHECK(CountsText(c->processes) == CountsText(expected));
  CHECK(c->threads == expected_threads);
  return c;
}

// Every process of `fake` is a host process, and no container came out of `marker`'s cgroup.
void CheckHostProcesses(const Snapshot& snapshot, const FakeContainer& fake,
                        const std::string& marker) {
  for (pid_t pid : fake.pids()) {
    const Process* p = FindProcess(snapshot, pid);
    REQUIRE_MESSAGE(p != nullptr, "pid " << pid << " missing from the snapshot");
    CHECK_MESSAGE(p->container == kNoContainer,
                  "pid " << pid << " (" << p->comm << ") attributed to "
                         << snapshot.containers[static_cast<std::size_t>(p->container)].cgroup
                         << " by " << AttributionName(p->attribution));
    CHECK(p->attribution == Attribution::kNone);
  }
  for (const Container& c : snapshot.containers) {
    CHECK_MESSAGE(c.cgroup.find(marker) == std::string::npos, "container from " << c.cgroup);
  }
}

}  // namespace

TEST_SUITE("scanner on the real kernel") {
  TEST_CASE("cgroupfs driver: a container's processes, its zombie and its namespaces") {
    const CgroupHierarchies& h = Hierarchies();
    const std::string id = RandomHex(64);
    const std::string relative = "/docker/" + id;
    const Cgroups cgroups = MakeCgroupsEverywhere(relative);
    const auto fake = StartContainer(cgroups);

    // The kernel shapes this test relies on.
    CHECK(ReadKernelStat(fake->init())->state == 'S');
    CHECK(ReadKernelStat(fake->sleeper())->state == 'S');
    CHECK(ReadKernelStat(fake->zombie())->state == 'Z');
    if (h.hybrid()) {
      // docs/ARCHITECTURE.md "Kernel facts": the zombie's v1 lines read "/", its 0:: line keeps the
      // container's path.
      for (const auto& line : ReadKernelCgroup(fake->zombie())) {
        INFO("zombie cgroup line " << line.hierarchy << ':' << line.controllers << ':'
                                   << line.path);
        CHECK(line.path == (line.hierarchy == "0" ? relative : std::string("/")));
      }
      CHECK(HasCgroupLine(fake->sleeper(), relative));
    } else {
      SKIP_PART("not a hybrid cgroup host (v1 pids '"
                << h.v1_pids << "', v2 '" << h.v2
                << "'): the zombie's v1-lines-read-'/' shape is not checked here");
    }

    Scanner scanner(ScannerOptions{});
    const auto snapshot = ScanOnce(scanner);
    const Container* c =
        CheckContainerMatchesKernel(*snapshot, id, relative, "docker-cgroupfs", *fake);
    REQUIRE(c != nullptr);
    CHECK(CountsText(c->processes) == "sleeping=2 zombie=1 ");

    // The zombie: on a hybrid host its 0:: line names the container (every line counts); where
    // all lines say "/" (v1 only), only a fallback can attribute it.
    const Process* zombie = FindProcess(*snapshot, fake->zombie());
    REQUIRE(zombie != nullptr);
    INFO("zombie attribution: " << AttributionName(zombie->attribution));
    if (!h.v2.empty()) {
      CHECK(zombie->attribution == Attribution::kCgroup);
    } else {
      CHECK(zombie->attribution == Attribution::kPidNamespace);
    }
    CHECK(FindProcess(*snapshot, fake->init())->attribution == Attribution::kCgroup);
    CHECK(FindProcess(*snapshot, fake->sleeper())->attribution == Attribution::kCgroup);

    // The host's PID namespace is kthreadd's (or PID 1's where that is readable).
    const cproc::NsId& host_pid = NsOf(snapshot->host_ns, NsKind::kPid);
    const auto kthreadd_pid_ns = NsInode(2, "pid");
    const auto init_pid_ns = NsInode(1, "pid");
    REQUIRE((kthreadd_pid_ns || init_pid_ns));
    CHECK(host_pid.ino == (kthreadd_pid_ns ? *kthreadd_pid_ns : *init_pid_ns));

    // Namespaces per process, against stat(2) of the links. Only ns/pid survives in a zombie.
    for (pid_t pid : fake->pids()) {
      const Process& p = *FindProcess(*snapshot, pid);
      const cproc::NsSet& ns = snapshot->NsSetOf(p);
      INFO("pid " << pid << " (" << p.comm << ")");
      const auto pid_ns = NsInode(pid, "pid");
      REQUIRE(pid_ns.has_value());
      CHECK(NsOf(ns, NsKind::kPid).ino == *pid_ns);
      CHECK(NsOf(ns, NsKind::kPid).ino != host_pid.ino);
      for (const auto& [kind, name] :
           {std::pair{NsKind::kNet, "net"}, std::pair{NsKind::kUts, "uts"},
            std::pair{NsKind::kIpc, "ipc"}, std::pair{NsKind::kMnt, "mnt"}}) {
        INFO("ns " << name);
        errno = 0;
        const auto inode = NsInode(pid, name);
        const int error = errno;
        if (pid == fake->zombie()) {
          CHECK_FALSE(inode.has_value());
          CHECK(error == ENOENT);
          CHECK_FALSE(NsOf(ns, kind).known());
        } else {
          REQUIRE(inode.has_value());
          CHECK(NsOf(ns, kind).ino == *inode);
          CHECK(NsOf(ns, kind).ino != NsOf(snapshot->host_ns, kind).ino);
        }
      }
    }

    // What the analyses make of it: init is PID 1 of its namespace, the zombie is its.
    CHECK(c->init.pid == fake->init());
    CHECK(c->init.is_namespace_init);
    CHECK(c->init.comm == cproc::testing::kernel::kInitComm);
    CHECK(c->init.init == "none");
    CHECK_FALSE(c->init.handles_sigterm);
    CHECK(c->zombies.parent_pid1 == 1U);
    CHECK(c->zombies.parent_other == 0U);
    CHECK(c->zombies.parent_outside == 0U);
    for (const auto& [kind, host] :
         {std::pair{NsKind::kPid, 0}, std::pair{NsKind::kNet, 0}, std::pair{NsKind::kIpc, 0},
          std::pair{NsKind::kUts, 0}, std::pair{NsKind::kMnt, 0}, std::pair{NsKind::kUser, 1}}) {
      INFO("ns " << cproc::NsKindName(kind));
      CHECK(c->sharing.host[static_cast<std::size_t>(kind)] == host);
    }
    CHECK(c->sharing.mismatched_namespace == 0U);
    CHECK(c->sharing.mismatched_cgroup == 0U);

    // pids controller: zombies hold their pid until reaped, so they count.
    if (!h.v1_pids.empty()) {
      const auto current =
          cproc::testing::kernel::ReadWholeFile(h.v1_pids + relative + "/pids.current");
      REQUIRE(current.has_value());
      REQUIRE(c->pids.current.has_value());
      CHECK(*c->pids.current == std::stoull(*current));
      // pids.current counts tasks: the three processes' threads (a sanitizer runtime may add
      // a thread to the forked init).
      CHECK(*c->pids.current == c->threads);
      CHECK(*c->pids.current >= 3U);
      CHECK_FALSE(c->pids.limit.has_value());  // "max"
    } else {
      SKIP_PART("no v1 pids hierarchy: pids.current not checked");
    }
  }

  TEST_CASE("systemd driver on cgroup v2: system.slice/docker-<id>.scope") {
    const CgroupHierarchies& h = Hierarchies();
    if (h.v2.empty()) {
      SKIP_CASE("no cgroup2 hierarchy mounted");
    }
    const std::string id = RandomHex(64);
    const std::string relative = "/system.slice/docker-" + id + ".scope";
    Cgroups cgroups;
    cgroups.push_back(MakeCgroup(h.v2, relative));  // v2 only: v1 lines stay where they were
    // An init that catches SIGTERM, as /proc/PID/status SigCgt shows it.
    FakeContainerSpec spec;
    spec.catch_sigterm = true;
    const auto fake = StartContainer(cgroups, spec);
    if (h.hybrid()) {
      // Only the 0:: line names the container, even for the live processes.
      for (const auto& line : ReadKernelCgroup(fake->init())) {
        INFO("init cgroup line " << line.hierarchy << ':' << line.controllers << ':' << line.path);
        CHECK((line.hierarchy == "0") == (line.path == relative));
      }
    }

    Scanner scanner(ScannerOptions{});
    const auto snapshot = ScanOnce(scanner);
    const Container* c =
        CheckContainerMatchesKernel(*snapshot, id, relative, "docker-systemd", *fake);
    REQUIRE(c != nullptr);
    CHECK(CountsText(c->processes) == "sleeping=2 zombie=1 ");
    CHECK(FindProcess(*snapshot, fake->zombie())->attribution == Attribution::kCgroup);
    CHECK(c->init.pid == fake->init());
    CHECK(c->init.is_namespace_init);
    CHECK(c->init.handles_sigterm);
  }

  TEST_CASE("systemd driver on a v1 hierarchy only, host namespaces: the zombie by its parent") {
    const CgroupHierarchies& h = Hierarchies();
    if (h.v1_pids.empty()) {
      SKIP_CASE("no v1 pids hierarchy (pure cgroup v2 host)");
    }
    const std::string id = RandomHex(64);
    const std::string relative = "/system.slice/docker-" + id + ".scope";
    Cgroups cgroups;
    cgroups.push_back(MakeCgroup(h.v1_pids, relative));
    // No namespaces (like --pid=host): the zombie's PID namespace is the host's, and with its
    // v1 line turned "/" only the parent chain ties it to the container.
    FakeContainerSpec spec;
    spec.namespaces = 0;
    const auto fake = StartContainer(cgroups, spec);
    CHECK(HasCgroupLine(fake->init(), relative));
    CHECK(NoCgroupLineMentions(fake->zombie(), id));

    Scanner scanner(ScannerOptions{});
    const auto snapshot = ScanOnce(scanner);
    const Container* c =
        CheckContainerMatchesKernel(*snapshot, id, relative, "docker-systemd", *fake);
    REQUIRE(c != nullptr);
    CHECK(CountsText(c->processes) == "sleeping=2 zombie=1 ");
    const Process* zombie = FindProcess(*snapshot, fake->zombie());
    INFO("zombie attribution: " << AttributionName(zombie->attribution));
    CHECK(zombie->attribution == Attribution::kParent);
    CHECK(c->init.pid == fake->init());
    CHECK_FALSE(c->init.is_namespace_init);  // NSpid has a single entry
    CHECK(c->sharing.host[static_cast<std::size_t>(NsKind::kPid)] == 1);
  }

  TEST_CASE("a zombie whose only container evidence is its PID namespace") {
    const CgroupHierarchies& h = Hierarchies();
    if (h.v1_pids.empty()) {
      SKIP_CASE("needs a v1 pids hierarchy, where a zombie's lines all read '/'");
    }
    const std::string id = RandomHex(64);
    const std::string relative = "/docker/" + id;
    Cgroups cgroups;
    cgroups.push_back(MakeCgroup(h.v1_pids, relative));  // v1 only: no 0:: line names it
    const auto fake = StartContainer(cgroups);
    REQUIRE(NoCgroupLineMentions(fake->zombie(), id));

    Scanner scanner(ScannerOptions{});
    const auto snapshot = ScanOnce(scanner);
    const Container* c =
        CheckContainerMatchesKernel(*snapshot, id, relative, "docker-cgroupfs", *fake);
    REQUIRE(c != nullptr);
    CHECK(CountsText(c->processes) == "sleeping=2 zombie=1 ");
    const Process* zombie = FindProcess(*snapshot, fake->zombie());
    MESSAGE("zombie with no container cgroup line attributed by "
            << AttributionName(zombie->attribution));
    CHECK((zombie->attribution == Attribution::kPidNamespace ||
           zombie->attribution == Attribution::kCached));
  }

  TEST_CASE("not containers: near-miss cgroup names and bare PID namespaces stay host processes") {
    struct NearMiss {
      const char* why;
      std::string relative;
      bool looks_like_container;  // a 64-hex run: counted as an unknown layout
    };
    const std::string marker = "cproc-it-" + RandomHex(16);
    const std::vector<NearMiss> near_misses = {
        // Where dockerd itself runs under systemd (unique parent: never the real one).
        {"the Docker daemon's unit", "/" + marker + "/system.slice/docker.service", false},
        {"63 hex digits", "/docker/" + RandomHex(63), false},
        {"upper-case hex", "/docker/A" + RandomHex(63), false},
        {"docker- prefix without .scope", "/" + marker + "/docker-" + RandomHex(64), true},
    };
    for (const NearMiss& near_miss : near_misses) {
      SUBCASE(near_miss.why) {
        INFO("cgroup " << near_miss.relative);
        const Cgroups cgroups = MakeCgroupsEverywhere(near_miss.relative);
        const auto fake = StartContainer(cgroups);
        CHECK(HasCgroupLine(fake->init(), near_miss.relative));
        Scanner scanner(ScannerOptions{});
        const auto snapshot = ScanOnce(scanner);
        const std::string leaf = near_miss.relative.substr(near_miss.relative.rfind('/') + 1);
        CheckHostProcesses(*snapshot, *fake, leaf);
        if (near_miss.looks_like_container) {
          // init and sleeper at least (and the zombie, whose 0:: line keeps the path).
          CHECK(snapshot->stats.unknown_layout_processes >= 2U);
        }
      }
    }
    SUBCASE("fresh namespaces, no container cgroup") {
      const auto fake = StartContainer(Cgroups{});
      Scanner scanner(ScannerOptions{});
      const auto snapshot = ScanOnce(scanner);
      CHECK(NsOf(snapshot->NsSetOf(*FindProcess(*snapshot, fake->init())), NsKind::kPid).ino !=
            NsOf(snapshot->host_ns, NsKind::kPid).ino);
      CheckHostProcesses(*snapshot, *fake, marker);
    }
  }

  TEST_CASE("a container that is gone disappears from the next scan") {
    const std::string id = RandomHex(64);
    const std::string relative = "/docker/" + id;
    Cgroups cgroups = MakeCgroupsEverywhere(relative);
    auto fake = StartContainer(cgroups);
    const std::vector<pid_t> pids = fake->pids();

    Scanner scanner(ScannerOptions{});
    for (int i = 0; i < 2; ++i) {  // twice, so the second one comes from the scanner's caches
      const auto snapshot = ScanOnce(scanner);
      REQUIRE(CheckContainerMatchesKernel(*snapshot, id, relative, "docker-cgroupfs", *fake) !=
              nullptr);
    }

    fake.reset();     // killed and reaped
    cgroups.clear();  // rmdir
    for (pid_t pid : pids) CHECK_FALSE(ReadKernelStat(pid).has_value());
    for (const std::string* root :
         {&Hierarchies().v1_pids, &Hierarchies().v1_systemd, &Hierarchies().v2}) {
      if (!root->empty()) CHECK(::access((*root + relative).c_str(), F_OK) != 0);
    }
    for (int i = 0; i < 2; ++i) {
      const auto snapshot = ScanOnce(scanner);
      CHECK(FindContainer(*snapshot, id) == nullptr);
    }
  }

  TEST_CASE("re-parenting: an orphan adopted by the container's init is counted once") {
    const std::string id = RandomHex(64);
    const std::string relative = "/docker/" + id;
    const Cgroups cgroups = MakeCgroupsEverywhere(relative);
    FakeContainerSpec spec;
    spec.orphan = true;
    const auto fake = StartContainer(cgroups, spec);

    Scanner scanner(ScannerOptions{});
    {
      const auto snapshot = ScanOnce(scanner);
      const Container* c =
          CheckContainerMatchesKernel(*snapshot, id, relative, "docker-cgroupfs", *fake);
      REQUIRE(c != nullptr);
      CHECK(CountsText(c->processes) == "sleeping=4 zombie=1 ");
      CHECK(FindProcess(*snapshot, fake->orphan())->ppid == fake->middle());
      CHECK(c->orphans_adopted_total == 0U);
    }

    const std::string killed = fake->KillMiddle();
    REQUIRE_MESSAGE(killed.empty(), killed);
    for (int i = 0; i < 2; ++i) {  // the adoption is counted once, not once per scan
      const auto snapshot = ScanOnce(scanner);
      const Container* c =
          CheckContainerMatchesKernel(*snapshot, id, relative, "docker-cgroupfs", *fake);
      REQUIRE(c != nullptr);
      CHECK(CountsText(c->processes) == "sleeping=3 zombie=2 ");
      CHECK(FindProcess(*snapshot, fake->orphan())->ppid == fake->init());
      CHECK(c->orphans_adopted_total == 1U);
      CHECK(c->zombies.parent_pid1 == 2U);
      // Seen alive by this scanner: its cgroup and namespaces are remembered, not re-read.
      const Process* middle = FindProcess(*snapshot, fake->middle());
      INFO("middle attribution: " << AttributionName(middle->attribution));
      CHECK(middle->attribution == Attribution::kCached);
    }
  }

  TEST_CASE("a reused pid is a new process: the host process now at a container's old pid") {
    const std::string id = RandomHex(64);
    const std::string relative = "/docker/" + id;
    Cgroups cgroups = MakeCgroupsEverywhere(relative);
    auto fake = StartContainer(cgroups);
    const pid_t reused = fake->sleeper();

    // No periodic re-read of cgroup and namespaces (it would hide a stale cache entry one scan
    // in revalidate_every): only the process identity (pid, starttime) can tell them apart.
    ScannerOptions options;
    options.revalidate_every = 1U << 30;
    Scanner scanner(options);
    for (int i = 0; i < 2; ++i) {  // the second scan keeps its stat descriptor and cache
      const auto snapshot = ScanOnce(scanner);
      REQUIRE(CheckContainerMatchesKernel(*snapshot, id, relative, "docker-cgroupfs", *fake) !=
              nullptr);
    }
    fake.reset();
    cgroups.clear();
    // No scan in between: the scanner last saw this pid inside the container.
    auto child = HostChildAtPid::Start(reused);
    if (!child.ok()) {
      SKIP_CASE("cannot fork a process at pid " << reused << ": " << child.error());
    }
    const auto snapshot = ScanOnce(scanner);
    const Process* p = FindProcess(*snapshot, reused);
    REQUIRE(p != nullptr);
    CHECK(p->comm == cproc::testing::kernel::kReuseComm);
    CHECK(p->container == kNoContainer);
    CHECK(p->attribution == Attribution::kNone);
    CHECK(NsOf(snapshot->NsSetOf(*p), NsKind::kPid).ino ==
          NsOf(snapshot->host_ns, NsKind::kPid).ino);
    CHECK(FindContainer(*snapshot, id) == nullptr);
  }

  TEST_CASE("churn while scanning: long-lived processes keep their container") {
    const std::string id = RandomHex(64);
    const std::string relative = "/docker/" + id;
    const Cgroups cgroups = MakeCgroupsEverywhere(relative);
    // Started before the churn thread exists: fork and clone from a single-threaded process.
    const auto fake = StartContainer(cgroups);

    Scanner scanner(ScannerOptions{});
    const uint64_t vanished_before = ScanOnce(scanner)->stats.errors.vanished;
    uint64_t vanished_after = vanished_before;
    int scans = 0;
    int wrong_scans = 0;
    {
      cproc::testing::kernel::Churn churn(2000, std::chrono::seconds(10));
      // At least 20 scans, and keep scanning while the churn lasts (bounded: 300 scans).
      for (; scans < 300 && (scans < 20 || !churn.finished()); ++scans) {
        const auto snapshot = ScanOnce(scanner);
        const Container* c =
            CheckContainerMatchesKernel(*snapshot, id, relative, "docker-cgroupfs", *fake);
        if (c == nullptr || CountsText(c->processes) != "sleeping=2 zombie=1 ") ++wrong_scans;
        vanished_after = snapshot->stats.errors.vanished;
      }
      churn.Stop();
      MESSAGE("churn: " << churn.forked() << " children forked and reaped ("
                        << churn.fork_failures() << " fork failures) during " << scans
                        << " scans; vanished grew by " << vanished_after - vanished_before);
      CHECK(churn.forked() > 0U);
      // Children exiting between the listing and the read are counted, not errors: with
      // thousands of them over tens of scans some always fall in that window (86-149 here).
      CHECK(vanished_after > vanished_before);
    }
    CHECK(scans >= 20);
    CHECK(wrong_scans == 0);
  }
}
