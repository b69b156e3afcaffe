// The scanner's cache on the real kernel: what it keeps per (pid, starttime) must follow a
// process that joins a container's cgroup or other namespaces. An exec after joining (what
// runc, nsenter and docker exec do) is seen at the next scan, even when the new program has
// the same comm; a move or an unshare without exec within the documented number of scans.
// Also the pids files the scanner keeps open, across a cgroup removed and made again.
#include <doctest/doctest.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "collectors/base/proc_files.h"
#include "collectors/cgroupfs/cgroupfs.h"
#include "collectors/scan/scanner.h"
#include "collectors/snapshot.h"
#include "tests/integration/kernel_fixture.h"
#include "tests/integration/scan_helpers.h"
#include "tests/integration/skip.h"

namespace {

using cproc::kNoContainer;
using cproc::NsKind;
using cproc::NsOf;
using cproc::Process;
using cproc::Scanner;
using cproc::ScannerOptions;
using cproc::Snapshot;
using cproc::testing::kernel::CgroupHierarchies;
using cproc::testing::kernel::Cgroups;
using cproc::testing::kernel::Hierarchies;
using cproc::testing::kernel::MakeCgroup;
using cproc::testing::kernel::MakeCgroupsEverywhere;
using cproc::testing::kernel::NsInode;
using cproc::testing::kernel::PollFor;
using cproc::testing::kernel::RandomHex;
using cproc::testing::kernel::ReadKernelStat;
using cproc::testing::kernel::ReadWholeFile;
using cproc::testing::kernel::ScanOnce;

constexpr auto kSettle = std::chrono::milliseconds(5000);

void MoveInto(const Cgroups& cgroups, pid_t pid) {
  for (const auto& cgroup : cgroups) {
    const std::string error = cgroup->AddProcess(pid);
    REQUIRE_MESSAGE(error.empty(), error);
  }
}

const Process* Find(const Snapshot& snapshot, pid_t pid) {
  const Process* p = cproc::FindProcess(snapshot.processes, pid);
  REQUIRE_MESSAGE(p != nullptr, "pid " << pid << " not in the snapshot");
  return p;
}

std::string ContainerIdOf(const Snapshot& snapshot, const Process& p) {
  if (p.container == kNoContainer) return "";
  return snapshot.containers[static_cast<std::size_t>(p.container)].id;
}

// Field 28 of /proc/PID/stat (startstack): where exec put the stack, randomised per exec.
uint64_t StartStack(pid_t pid) {
  const auto text = ReadWholeFile("/proc/" + std::to_string(pid) + "/stat");
  if (!text) return 0;
  std::istringstream rest(text->substr(text->rfind(')') + 2));
  std::string field;
  for (int number = 3; number <= 28 && rest >> field; ++number) {
    if (number == 28) return std::stoull(field);
  }
  return 0;
}

// A child of this test, killed and reaped on destruction. It runs `body` (async-signal-safe
// calls only) with `commands` as the read end of a pipe the test writes to.
class Child {
 public:
  template <typename Body>
  explicit Child(Body body) {
    int fds[2];
    REQUIRE(::pipe2(fds, O_CLOEXEC) == 0);
    int acks[2];
    REQUIRE(::pipe2(acks, O_CLOEXEC) == 0);
    pid_ = ::fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      ::close(fds[1]);
      ::close(acks[0]);
      body(fds[0], acks[1]);
      ::_exit(127);
    }
    ::close(fds[0]);
    ::close(acks[1]);
    commands_ = cproc::Fd(fds[1]);
    acks_ = cproc::Fd(acks[0]);
  }
  ~Child() {
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  pid_t pid() const { return pid_; }
  void Send(char c) const { REQUIRE(::write(commands_.get(), &c, 1) == 1); }
  char WaitAck() const {
    char c = 0;
    REQUIRE(::read(acks_.get(), &c, 1) == 1);
    return c;
  }
  // Waits (bounded) until the kernel shows it asleep with this comm.
  void WaitAsleep(const std::string& comm) const {
    const bool asleep = PollFor(kSettle, [&] {
      const auto stat = ReadKernelStat(pid_);
      return stat && stat->comm == comm && stat->state == 'S';
    });
    REQUIRE_MESSAGE(asleep, "pid " << pid_ << " never slept as " << comm);
  }

 private:
  pid_t pid_ = -1;
  cproc::Fd commands_, acks_;
};

// /bin/sh reading a line from `commands`, then exec'ing another /bin/sh that does the same:
// the same comm ("sh") before and after the exec.
void ShellThatExecsAShell(int commands, int /*acks*/) {
  ::dup2(commands, 0);
  ::execl("/bin/sh", "sh", "-c", "read line; exec /bin/sh -c 'read line; exec sleep 1000'",
          static_cast<char*>(nullptr));
}

// Unshares mount, network and UTS namespaces when told to, without exec, then sleeps.
void UnshareOnCommand(int commands, int acks) {
  char c = 0;
  if (::read(commands, &c, 1) != 1) ::_exit(1);
  const char ok = ::unshare(CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWUTS) == 0 ? 'y' : 'n';
  if (::write(acks, &ok, 1) != 1) ::_exit(1);
  for (int i = 0; i < 1000000; ++i) ::pause();
}

}  // namespace

TEST_SUITE("reattribution") {
  TEST_CASE("joining a cgroup then exec'ing a program of the same name: seen at the next scan") {
    const bool aslr = ReadWholeFile("/proc/sys/kernel/randomize_va_space").value_or("0")[0] != '0';
    if (!aslr) {
      SKIP_CASE(
          "ASLR is off (kernel.randomize_va_space=0): an exec of the same program "
          "looks the same in /proc/PID/stat; only a new comm shows it");
    }
    const std::string id = RandomHex(64);
    const Cgroups cgroups = MakeCgroupsEverywhere("/docker/" + id);
    const Child child(ShellThatExecsAShell);
    child.WaitAsleep("sh");

    ScannerOptions options;
    options.revalidate_every = 1000;  // no periodic re-read within this test
    Scanner scanner(options);
    ScanOnce(scanner);
    CHECK(Find(*ScanOnce(scanner), child.pid())->container == kNoContainer);

    MoveInto(cgroups, child.pid());  // like runc: the process joins first ...
    {
      const auto snapshot = ScanOnce(scanner);
      // ... nothing says it moved, and it is not re-read (the cache is used): that is what the
      // periodic re-read is for, tested below.
      CHECK(Find(*snapshot, child.pid())->container == kNoContainer);
    }
    const uint64_t stack_before = StartStack(child.pid());
    REQUIRE(stack_before != 0);
    child.Send('\n');  // ... then execs: the same comm, a new program image
    REQUIRE(PollFor(kSettle, [&] { return StartStack(child.pid()) != stack_before; }));
    child.WaitAsleep("sh");

    const auto snapshot = ScanOnce(scanner);
    const Process* p = Find(*snapshot, child.pid());
    CHECK(p->comm == "sh");
    CHECK(ContainerIdOf(*snapshot, *p) == id);
    CHECK(snapshot->stats.cache_hits < snapshot->stats.processes);
  }

  TEST_CASE("a move to another cgroup without exec: seen within --scan.revalidate-every scans") {
    const std::string id = RandomHex(64);
    const Cgroups cgroups = MakeCgroupsEverywhere("/docker/" + id);
    const Child child(ShellThatExecsAShell);
    child.WaitAsleep("sh");

    constexpr uint32_t kEvery = 3;
    ScannerOptions options;
    options.revalidate_every = kEvery;
    Scanner scanner(options);
    CHECK(Find(*ScanOnce(scanner), child.pid())->container == kNoContainer);
    MoveInto(cgroups, child.pid());
    int scans = 0;
    std::string seen;
    for (; scans < static_cast<int>(kEvery) && seen.empty(); ++scans) {
      const auto snapshot = ScanOnce(scanner);
      seen = ContainerIdOf(*snapshot, *Find(*snapshot, child.pid()));
    }
    INFO("scans after the move: " << scans);
    CHECK(seen == id);
  }

  TEST_CASE("unshare without exec: mount namespace within N scans, the others within 4N") {
    const Child child(UnshareOnCommand);
    child.WaitAsleep(ReadKernelStat(::getpid())->comm);

    constexpr uint32_t kEvery = 2;
    ScannerOptions options;
    options.revalidate_every = kEvery;
    Scanner scanner(options);
    const auto before = ScanOnce(scanner);
    CHECK(NsOf(before->NsSetOf(*Find(*before, child.pid())), NsKind::kMnt).ino ==
          *NsInode(::getpid(), "mnt"));

    child.Send('u');
    REQUIRE(child.WaitAck() == 'y');
    const auto mnt = NsInode(child.pid(), "mnt");
    const auto net = NsInode(child.pid(), "net");
    const auto uts = NsInode(child.pid(), "uts");
    REQUIRE((mnt && net && uts));
    REQUIRE(*mnt != *NsInode(::getpid(), "mnt"));  // the unshare took effect

    int mnt_seen_after = 0, all_seen_after = 0;
    for (int scan = 1; scan <= static_cast<int>(4 * kEvery) && all_seen_after == 0; ++scan) {
      const auto snapshot = ScanOnce(scanner);
      const cproc::NsSet& ns = snapshot->NsSetOf(*Find(*snapshot, child.pid()));
      if (mnt_seen_after == 0 && NsOf(ns, NsKind::kMnt).ino == *mnt) mnt_seen_after = scan;
      if (NsOf(ns, NsKind::kNet).ino == *net && NsOf(ns, NsKind::kUts).ino == *uts) {
        all_seen_after = scan;
      }
    }
    INFO("mount namespace seen after " << mnt_seen_after << " scans, all after " << all_seen_after);
    CHECK(mnt_seen_after >= 1);
    CHECK(mnt_seen_after <= static_cast<int>(kEvery));
    CHECK(all_seen_after >= 1);
    CHECK(all_seen_after <= static_cast<int>(4 * kEvery));
  }

  TEST_CASE("kept pids files: a cgroup removed and made again at the same path is read afresh") {
    const CgroupHierarchies& h = Hierarchies();
    // The scanner's own lookup: v1 pids at <sysfs>/fs/cgroup/pids, else cgroup2.
    const std::string root = !h.v1_pids.empty() ? h.v1_pids : h.v2;
    if (root != "/sys/fs/cgroup/pids" && root != "/sys/fs/cgroup/unified" &&
        root != "/sys/fs/cgroup") {
      SKIP_CASE("the pids controller is mounted at " << root << ", not under /sys/fs/cgroup");
    }
    const std::string relative = "/docker/" + RandomHex(64);
    cproc::DescriptorBudget budget(1000);
    cproc::CgroupFs cgroupfs("/sys", &budget);
    for (const char* limit : {"50", "70"}) {  // made, read, removed; made again with another
      const auto cgroup = MakeCgroup(root, relative);
      const std::string max = cgroup->path() + "/pids.max";
      if (::access(max.c_str(), F_OK) != 0) {
        SKIP_CASE("no pids.max in " << cgroup->path() << " (pids controller not enabled)");
      }
      {
        cproc::Fd fd(::open(max.c_str(), O_WRONLY | O_CLOEXEC));
        REQUIRE(fd.valid());
        const std::string text = std::string(limit) + "\n";
        REQUIRE(::write(fd.get(), text.data(), text.size()) == static_cast<ssize_t>(text.size()));
      }
      for (int read = 0; read < 2; ++read) {  // the second read is through kept descriptors
        const cproc::PidsUsage usage = cgroupfs.ReadPids(relative);
        CHECK(usage.limit == std::stoull(limit));
        CHECK(usage.current == 0U);
      }
      CHECK(cgroupfs.open_cgroups() == 1);
      CHECK(budget.used() >= 2);
    }
    cgroupfs.ForgetUnread();
    cgroupfs.ForgetUnread();
    CHECK(cgroupfs.open_cgroups() == 0);
    CHECK(budget.used() == 0);
  }
}
