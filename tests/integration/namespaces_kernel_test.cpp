// Namespace sharing on the real kernel: fake containers (kernel_fixture.h) in chosen namespace
// combinations, containers that join each other's namespaces with setns(2), and processes whose
// cgroup and namespaces disagree (nsenter from the host; setns or unshare inside a container).
// What the scanner reports is checked against the ns links of /proc/self and /proc/<init>,
// read here with stat(2), not with the scanner's readers.
#include <doctest/doctest.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <iterator>
#include <memory>
#include <optional>
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
using cproc::kNsKindCount;
using cproc::NsKind;
using cproc::NsOf;
using cproc::Process;
using cproc::ProcessState;
using cproc::Scanner;
using cproc::ScannerOptions;
using cproc::Snapshot;
using cproc::testing::kernel::Cgroups;
using cproc::testing::kernel::ChildrenOf;
using cproc::testing::kernel::FakeContainer;
using cproc::testing::kernel::FakeContainerSpec;
using cproc::testing::kernel::FindContainer;
using cproc::testing::kernel::HasCgroupLine;
using cproc::testing::kernel::kContainerNamespaces;
using cproc::testing::kernel::MakeCgroupsEverywhere;
using cproc::testing::kernel::NoCgroupLineMentions;
using cproc::testing::kernel::NsInode;
using cproc::testing::kernel::NsProbe;
using cproc::testing::kernel::PollFor;
using cproc::testing::kernel::RandomHex;
using cproc::testing::kernel::ReadKernelCgroup;
using cproc::testing::kernel::ReadKernelStat;
using cproc::testing::kernel::ReadNsPids;
using cproc::testing::kernel::ScanOnce;
using cproc::testing::kernel::StartContainer;

// The eight kinds, with the name of their /proc/PID/ns link and their CLONE_NEW* flag.
struct Kind {
  NsKind kind;
  const char* name;
  int flag;
};
constexpr Kind kKinds[] = {
    {NsKind::kPid, "pid", CLONE_NEWPID},          {NsKind::kNet, "net", CLONE_NEWNET},
    {NsKind::kIpc, "ipc", CLONE_NEWIPC},          {NsKind::kUts, "uts", CLONE_NEWUTS},
    {NsKind::kMnt, "mnt", CLONE_NEWNS},           {NsKind::kUser, "user", CLONE_NEWUSER},
    {NsKind::kCgroup, "cgroup", CLONE_NEWCGROUP}, {NsKind::kTime, "time", CLONE_NEWTIME},
};
static_assert(std::size(kKinds) == kNsKindCount);

constexpr std::size_t Index(NsKind kind) { return static_cast<std::size_t>(kind); }

// What `nsenter -t PID -p -m -n -i -u` and `docker exec` enter (user, cgroup and time are the
// host's for these fake containers).
constexpr int kEntered = CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS;

// Empty when this process is in the host's namespace of every kind (those of PID 1, or of
// kthreadd where PID 1's links are unreadable, as the scanner takes them): then its own links
// are the reference "shared with the host" is checked against. Else why not.
std::string WhyNotInHostNamespaces() {
  for (const Kind& kind : kKinds) {
    const auto mine = NsInode(::getpid(), kind.name);
    if (!mine) return std::string("/proc/self/ns/") + kind.name + " is unreadable";
    std::optional<uint64_t> host = NsInode(1, kind.name);
    if (!host) host = NsInode(2, kind.name);
    if (!host) return std::string("neither /proc/1 nor /proc/2 has a readable ns/") + kind.name;
    if (*host != *mine) return std::string("this process is not in the host's ") + kind.name;
  }
  return {};
}

// Both links readable and equal.
bool SameNs(pid_t a, pid_t b, const char* kind) {
  const auto first = NsInode(a, kind);
  const auto second = NsInode(b, kind);
  return first && second && *first == *second;
}

// `pid` is in the snapshot, attributed to the container at `index` by `attribution`.
const Process* CheckAttributed(const Snapshot& snapshot, pid_t pid, int32_t index,
                               Attribution attribution) {
  INFO("pid " << pid);
  const Process* p = cproc::FindProcess(snapshot.processes, pid);
  REQUIRE(p != nullptr);
  CHECK(p->container == index);
  CHECK(p->attribution == attribution);
  return p;
}

uint32_t Count(const Container& c, ProcessState state) {
  return c.processes[static_cast<std::size_t>(state)];
}

// `nsenter -t TARGET -p -m -n -i -u -- sleep 600`, forked from this process and left in its
// cgroups: nsenter joins the namespaces, forks (a PID namespace is its children's only) and the
// child execs sleep. Killed and reaped by pid.
class Nsenter {
 public:
  static constexpr char kPath[] = "/usr/bin/nsenter";

  explicit Nsenter(pid_t target) {
    const std::string target_text = std::to_string(target);
    cproc::testing::kernel::internal::FlushBeforeCopy();
    pid_ = ::fork();
    if (pid_ == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      cproc::testing::kernel::internal::ResetSignals(false);
      ::execl(kPath, "nsenter", "-t", target_text.c_str(), "-p", "-m", "-n", "-i", "-u", "--",
              "sleep", "600", static_cast<char*>(nullptr));
      ::_exit(127);
    }
  }
  ~Nsenter() {
    // nsenter waits for its child and exits after it. Without one, the child (if any) is in the
    // container's PID namespace and dies with its init.
    if (sleep_ != 0) {
      ::kill(sleep_, SIGKILL);
    } else if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
    }
    if (pid_ > 0) {
      cproc::testing::kernel::internal::ReapChild(pid_, std::chrono::milliseconds(10000));
    }
  }
  Nsenter(const Nsenter&) = delete;
  Nsenter& operator=(const Nsenter&) = delete;

  pid_t pid() const { return pid_; }

  // nsenter's child once it runs sleep (waits at most 5 s); 0 when it does not.
  pid_t WaitForSleep() {
    PollFor(std::chrono::milliseconds(5000), [&] {
      for (pid_t child : ChildrenOf(pid_)) {
        const auto stat = ReadKernelStat(child);
        if (stat && stat->comm == "sleep" && stat->state == 'S') sleep_ = child;
      }
      return sleep_ != 0;
    });
    return sleep_;
  }

 private:
  pid_t pid_ = -1;
  pid_t sleep_ = 0;
};

}  // namespace

TEST_SUITE("namespaces on the real kernel") {
  TEST_CASE("host namespace per kind: containers in chosen combinations of namespaces") {
    const std::string why_not = WhyNotInHostNamespaces();
    if (!why_not.empty()) {
      SKIP_CASE(why_not);
    }
    struct Combination {
      const char* what;
      int clone_flags;    // given to clone(2) for init
      int unshare_flags;  // unshared just before (time: clone(2) cannot take it)
    };
    const Combination combinations[] = {
        {"only PID", CLONE_NEWPID, 0},
        {"only net", CLONE_NEWNET, 0},
        {"net, ipc and uts with the host's PID namespace",
         CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS, 0},
        {"PID and mount without net (--net=host)", CLONE_NEWPID | CLONE_NEWNS, 0},
        {"Docker's default and a private cgroup namespace", kContainerNamespaces | CLONE_NEWCGROUP,
         0},
        {"user and time only", CLONE_NEWUSER, CLONE_NEWTIME},
        {"all eight", kContainerNamespaces | CLONE_NEWCGROUP | CLONE_NEWUSER, CLONE_NEWTIME},
        {"none: every namespace the host's", 0, 0},
    };
    for (const Combination& combination : combinations) {
      SUBCASE(combination.what) {
        const int unshared = combination.clone_flags | combination.unshare_flags;
        const std::string id = RandomHex(64);
        const Cgroups cgroups = MakeCgroupsEverywhere("/docker/" + id);
        FakeContainerSpec spec;
        spec.namespaces = combination.clone_flags;
        spec.unshare_namespaces = combination.unshare_flags;
        const auto fake = StartContainer(cgroups, spec);

        // The kernel's answer, from the links themselves: init's against this process's.
        std::array<int, kNsKindCount> expected{};
        std::array<uint64_t, kNsKindCount> init_inode{};
        for (const Kind& kind : kKinds) {
          INFO("ns " << kind.name);
          const auto mine = NsInode(::getpid(), kind.name);
          const auto theirs = NsInode(fake->init(), kind.name);
          REQUIRE(mine.has_value());
          REQUIRE(theirs.has_value());
          // The fixture did what was asked, and nothing more.
          CHECK((*theirs != *mine) == ((unshared & kind.flag) != 0));
          expected[Index(kind.kind)] = *theirs == *mine ? 1 : 0;
          init_inode[Index(kind.kind)] = *theirs;
        }

        Scanner scanner(ScannerOptions{});
        const auto snapshot = ScanOnce(scanner);
        const Container* c = FindContainer(*snapshot, id);
        REQUIRE_MESSAGE(c != nullptr, "no container " << id);
        REQUIRE(c->init.pid == fake->init());  // sharing is that of the init
        CHECK(c->init.is_namespace_init == ((unshared & CLONE_NEWPID) != 0));
        const Process* init = cproc::FindProcess(snapshot->processes, fake->init());
        REQUIRE(init != nullptr);
        for (const Kind& kind : kKinds) {
          INFO("ns " << kind.name);
          const std::size_t k = Index(kind.kind);
          CHECK(NsOf(snapshot->NsSetOf(*init), kind.kind).ino == init_inode[k]);
          CHECK(static_cast<int>(c->sharing.host[k]) == expected[k]);
          CHECK(c->sharing.peers[k] == 0U);  // its own namespaces are nobody else's
          CHECK(c->sharing.foreign_peers[k] == 0U);
        }
        CHECK(c->sharing.mismatched_namespace == 0U);
        CHECK(c->sharing.mismatched_cgroup == 0U);
      }
    }
  }

  TEST_CASE("peers: a second container joins the first one's namespaces with setns(2)") {
    const std::string why_not = WhyNotInHostNamespaces();
    if (!why_not.empty()) {
      SKIP_CASE(why_not);
    }
    struct Joined {
      const char* what;
      int flags;
    };
    const Joined cases[] = {
        {"--net=container:first", CLONE_NEWNET},
        {"--pid=container:first --ipc=container:first", CLONE_NEWPID | CLONE_NEWIPC},
    };
    for (const Joined& joined : cases) {
      SUBCASE(joined.what) {
        const std::string first_id = RandomHex(64);
        const std::string second_id = RandomHex(64);
        const std::string other_id = RandomHex(64);
        const Cgroups first_cgroups = MakeCgroupsEverywhere("/docker/" + first_id);
        const Cgroups second_cgroups = MakeCgroupsEverywhere("/docker/" + second_id);
        const Cgroups other_cgroups = MakeCgroupsEverywhere("/docker/" + other_id);
        // Destroyed in reverse: the second leaves the first's namespaces before they go.
        const auto first = StartContainer(first_cgroups);
        FakeContainerSpec spec;
        spec.namespaces = kContainerNamespaces & ~joined.flags;
        spec.join_pid = first->init();
        spec.join_namespaces = joined.flags;
        const auto second = StartContainer(second_cgroups, spec);
        const auto other = StartContainer(other_cgroups);  // shares nothing with them

        // The kernel's answer: the joined kinds are one namespace, the rest are not (or are the
        // host's, for user, cgroup and time).
        for (const Kind& kind : kKinds) {
          INFO("ns " << kind.name);
          const bool host = (kContainerNamespaces & kind.flag) == 0;
          CHECK(SameNs(first->init(), second->init(), kind.name) ==
                (host || (joined.flags & kind.flag) != 0));
          CHECK(SameNs(first->init(), ::getpid(), kind.name) == host);
          CHECK(SameNs(second->init(), ::getpid(), kind.name) == host);
          CHECK(SameNs(other->init(), first->init(), kind.name) == host);
        }

        Scanner scanner(ScannerOptions{});
        const auto snapshot = ScanOnce(scanner);
        const Container* a = FindContainer(*snapshot, first_id);
        const Container* b = FindContainer(*snapshot, second_id);
        const Container* o = FindContainer(*snapshot, other_id);
        REQUIRE(a != nullptr);
        REQUIRE(b != nullptr);
        REQUIRE(o != nullptr);
        REQUIRE(a->init.pid == first->init());
        REQUIRE(b->init.pid == second->init());
        REQUIRE(o->init.pid == other->init());
        // Plain Docker: no pod, so every peer is a foreign one.
        REQUIRE(a->pod_uid.empty());
        REQUIRE(b->pod_uid.empty());
        // In the first one's PID namespace the second's init is not its PID 1.
        CHECK(b->init.is_namespace_init == ((joined.flags & CLONE_NEWPID) == 0));
        CHECK(a->init.is_namespace_init);
        for (const Kind& kind : kKinds) {
          INFO("ns " << kind.name);
          const std::size_t k = Index(kind.kind);
          const uint32_t shared = (joined.flags & kind.flag) != 0 ? 1U : 0U;
          const int host = (kContainerNamespaces & kind.flag) == 0 ? 1 : 0;
          CHECK(a->sharing.peers[k] == shared);
          CHECK(b->sharing.peers[k] == shared);
          CHECK(a->sharing.foreign_peers[k] == shared);
          CHECK(b->sharing.foreign_peers[k] == shared);
          // The host's namespaces are shared by all three, but that is host sharing, not peers.
          CHECK(static_cast<int>(a->sharing.host[k]) == host);
          CHECK(static_cast<int>(b->sharing.host[k]) == host);
          CHECK(o->sharing.peers[k] == 0U);
          CHECK(o->sharing.foreign_peers[k] == 0U);
        }
        for (const Container* c : {a, b, o}) {
          CHECK(c->sharing.mismatched_namespace == 0U);
          CHECK(c->sharing.mismatched_cgroup == 0U);
        }
      }
    }
  }

  TEST_CASE("nsenter from a host cgroup: counted in the container's mismatched_cgroup") {
    const std::string id = RandomHex(64);
    const Cgroups cgroups = MakeCgroupsEverywhere("/docker/" + id);
    const auto fake = StartContainer(cgroups);
    Scanner scanner(ScannerOptions{});
    {
      const auto snapshot = ScanOnce(scanner);
      const Container* c = FindContainer(*snapshot, id);
      REQUIRE(c != nullptr);
      CHECK(c->sharing.mismatched_cgroup == 0U);
      CHECK(c->sharing.mismatched_namespace == 0U);
    }

    SUBCASE("setns(2) then fork, without exec") {
      auto started = NsProbe::Start(fake->init(), kEntered);
      REQUIRE_MESSAGE(started.ok(), (started.ok() ? "" : started.error()));
      const auto probe = std::move(started).value();
      // The kernel's answer: the probe is in every entered namespace of init, its parent (the
      // helper that called setns) still in the host's PID namespace, both in this cgroup.
      for (const Kind& kind : kKinds) {
        if ((kEntered & kind.flag) == 0) continue;
        INFO("ns " << kind.name);
        CHECK(SameNs(probe->pid(), fake->init(), kind.name));
      }
      CHECK(SameNs(probe->helper(), ::getpid(), "pid"));
      CHECK(NoCgroupLineMentions(probe->pid(), id));

      int32_t index = kNoContainer;
      {
        const auto snapshot = ScanOnce(scanner);
        const Container* c = FindContainer(*snapshot, id, &index);
        REQUIRE(c != nullptr);
        CheckAttributed(*snapshot, probe->pid(), index, Attribution::kPidNamespace);
        const Process* helper = cproc::FindProcess(snapshot->processes, probe->helper());
        REQUIRE(helper != nullptr);
        CHECK(helper->container == kNoContainer);
        // The probe (in its PID namespace) and the helper (a host process in its mount, net,
        // IPC and UTS namespaces after setns): both outside the container's cgroup.
        CHECK(c->sharing.mismatched_cgroup == 2U);
        CHECK(c->sharing.mismatched_namespace == 0U);
        CHECK(Count(*c, ProcessState::kSleeping) == 3U);  // init, sleeper and the probe
        CHECK(c->init.pid == fake->init());
      }

      // Its child is there too, still outside the cgroup.
      auto child = probe->ForkSleeper();
      REQUIRE_MESSAGE(child.ok(), (child.ok() ? "" : child.error()));
      CHECK(SameNs(*child, fake->init(), "pid"));
      const auto snapshot = ScanOnce(scanner);
      const Container* c = FindContainer(*snapshot, id, &index);
      REQUIRE(c != nullptr);
      CheckAttributed(*snapshot, *child, index, Attribution::kPidNamespace);
      CHECK(c->sharing.mismatched_cgroup == 3U);
      CHECK(c->sharing.mismatched_namespace == 0U);
    }

    SUBCASE("the nsenter binary") {
      if (::access(Nsenter::kPath, X_OK) != 0) {
        SKIP_CASE("no " << Nsenter::kPath << " (util-linux)");
      }
      Nsenter nsenter(fake->init());
      REQUIRE(nsenter.pid() > 0);
      const pid_t sleep = nsenter.WaitForSleep();
      REQUIRE_MESSAGE(sleep != 0, "nsenter did not start sleep within 5 s");
      CHECK(SameNs(sleep, fake->init(), "pid"));
      CHECK(SameNs(sleep, fake->init(), "mnt"));
      CHECK(SameNs(nsenter.pid(), ::getpid(), "pid"));
      CHECK(NoCgroupLineMentions(sleep, id));

      const auto snapshot = ScanOnce(scanner);
      int32_t index = kNoContainer;
      const Container* c = FindContainer(*snapshot, id, &index);
      REQUIRE(c != nullptr);
      CheckAttributed(*snapshot, sleep, index, Attribution::kPidNamespace);
      // nsenter itself stays in the host's PID namespace: a host process, but in the
      // container's mount, net, IPC and UTS namespaces, so it counts as well as its sleep.
      const Process* parent = cproc::FindProcess(snapshot->processes, nsenter.pid());
      REQUIRE(parent != nullptr);
      CHECK(parent->container == kNoContainer);
      CHECK(c->sharing.mismatched_cgroup == 2U);
      CHECK(c->sharing.mismatched_namespace == 0U);
    }
  }

  TEST_CASE("in a container's cgroup, another PID or mount namespace: mismatched_namespace") {
    const std::string id = RandomHex(64);
    const std::string relative = "/docker/" + id;
    const Cgroups cgroups = MakeCgroupsEverywhere(relative);
    const auto fake = StartContainer(cgroups);
    // As `docker exec` does: every namespace of init, then its cgroups.
    auto started = NsProbe::Start(fake->init(), kEntered);
    REQUIRE_MESSAGE(started.ok(), (started.ok() ? "" : started.error()));
    const auto probe = std::move(started).value();
    for (const auto& cgroup : cgroups) {
      const std::string error = cgroup->AddProcess(probe->pid());
      REQUIRE_MESSAGE(error.empty(), error);
    }
    REQUIRE(HasCgroupLine(probe->pid(), relative));

    // setns(2) and unshare(2) without exec change nothing stat shows: the scanner sees them at
    // its periodic re-read, here at every scan.
    ScannerOptions options;
    options.revalidate_every = 1;
    Scanner scanner(options);
    int32_t index = kNoContainer;
    {
      const auto snapshot = ScanOnce(scanner);
      const Container* c = FindContainer(*snapshot, id, &index);
      REQUIRE(c != nullptr);
      CheckAttributed(*snapshot, probe->pid(), index, Attribution::kCgroup);
      CHECK(c->sharing.mismatched_namespace == 0U);
      // The probe's helper joined init's namespaces but stayed in the host's cgroup.
      CHECK(c->sharing.mismatched_cgroup == 1U);
    }

    // One scan after the change: the probe (or its child) is the one mismatched process.
    const auto check_one_mismatch = [&](pid_t pid, NsKind kind, const char* name) {
      const auto snapshot = ScanOnce(scanner);
      const Container* c = FindContainer(*snapshot, id, &index);
      REQUIRE(c != nullptr);
      CHECK(c->init.pid == fake->init());
      const Process* p = CheckAttributed(*snapshot, pid, index, Attribution::kCgroup);
      const auto inode = NsInode(pid, name);
      REQUIRE(inode.has_value());
      CHECK(NsOf(snapshot->NsSetOf(*p), kind).ino == *inode);
      CHECK(c->sharing.mismatched_namespace == 1U);
      CHECK(c->sharing.mismatched_cgroup == 1U);  // the helper, as above
    };

    SUBCASE("setns(2) into the host's mount namespace, without exec") {
      const std::string error = probe->Join(::getpid(), CLONE_NEWNS);
      REQUIRE_MESSAGE(error.empty(), error);
      CHECK(SameNs(probe->pid(), ::getpid(), "mnt"));
      CHECK_FALSE(SameNs(probe->pid(), fake->init(), "mnt"));
      check_one_mismatch(probe->pid(), NsKind::kMnt, "mnt");
    }

    SUBCASE("unshare(CLONE_NEWNS), without exec") {
      const std::string error = probe->Unshare(CLONE_NEWNS);
      REQUIRE_MESSAGE(error.empty(), error);
      CHECK_FALSE(SameNs(probe->pid(), fake->init(), "mnt"));
      CHECK_FALSE(SameNs(probe->pid(), ::getpid(), "mnt"));
      check_one_mismatch(probe->pid(), NsKind::kMnt, "mnt");
    }

    SUBCASE("unshare(CLONE_NEWPID): the child forked after it is in a new PID namespace") {
      const std::string error = probe->Unshare(CLONE_NEWPID);
      REQUIRE_MESSAGE(error.empty(), error);
      auto child = probe->ForkSleeper();
      REQUIRE_MESSAGE(child.ok(), (child.ok() ? "" : child.error()));
      // A process's own PID namespace never changes: the probe is still in init's.
      CHECK(SameNs(probe->pid(), fake->init(), "pid"));
      CHECK_FALSE(SameNs(*child, fake->init(), "pid"));
      CHECK(ReadNsPids(*child).back() == 1);  // PID 1 of the new namespace
      CHECK(SameNs(*child, fake->init(), "mnt"));
      CHECK(HasCgroupLine(*child, relative));  // its parent's cgroup
      check_one_mismatch(*child, NsKind::kPid, "pid");
    }
  }
}
