// What a scan costs the kernel, on the real kernel: namespaces read through pidfds are the same
// as the /proc/PID/ns links say, and leave none of the links' dentries and proc inodes in the
// reader's memory cgroup; the descriptors kept open between scans stay within
// ScannerOptions::kept_descriptors while every process is still read each scan; a scan read by
// several threads lists what one thread lists.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "collectors/base/proc_files.h"
#include "collectors/procfs/pidfd_namespaces.h"
#include "collectors/scan/scanner.h"
#include "collectors/snapshot.h"
#include "tests/integration/kernel_fixture.h"
#include "tests/integration/scan_helpers.h"
#include "tests/integration/skip.h"

namespace {

using cproc::Fd;
using cproc::kNsFiles;
using cproc::kNsKindCount;
using cproc::NsId;
using cproc::NsKind;
using cproc::PidfdNamespaces;
using cproc::PidfdNamespacesUsable;
using cproc::ReadResult;
using cproc::Scanner;
using cproc::ScannerOptions;
using cproc::testing::kernel::Cgroups;
using cproc::testing::kernel::ContainerOf;
using cproc::testing::kernel::CountsText;
using cproc::testing::kernel::FindContainer;
using cproc::testing::kernel::FindProcess;
using cproc::testing::kernel::MakeCgroupsEverywhere;
using cproc::testing::kernel::PollFor;
using cproc::testing::kernel::RandomHex;
using cproc::testing::kernel::ReadKernelStat;
using cproc::testing::kernel::ScanOnce;
using cproc::testing::kernel::StartContainer;

Fd OpenProc() { return Fd(::open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC)); }

// (device, inode) of /proc/PID/ns/<kind> by stat(2), as namespaces(7) identifies them.
NsId LinkIdentity(pid_t pid, std::size_t kind) {
  struct stat st {};
  const std::string path = "/proc/" + std::to_string(pid) + "/" + kNsFiles[kind];
  if (::stat(path.c_str(), &st) != 0) return NsId{};
  return NsId{static_cast<uint32_t>(st.st_dev), static_cast<uint32_t>(st.st_ino)};
}

// Children that sleep until this test ends (PR_SET_PDEATHSIG guards an aborted run).
struct Sleepers {
  explicit Sleepers(int n) {
    for (int i = 0; i < n; ++i) {
      const pid_t pid = ::fork();
      REQUIRE(pid >= 0);
      if (pid == 0) {
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        for (;;) ::pause();
      }
      pids.push_back(pid);
    }
  }
  ~Sleepers() {
    for (pid_t pid : pids) ::kill(pid, SIGKILL);
    for (pid_t pid : pids) ::waitpid(pid, nullptr, 0);
  }
  Sleepers(const Sleepers&) = delete;
  Sleepers& operator=(const Sleepers&) = delete;
  std::vector<pid_t> pids;
};

// A memory cgroup made for the test (v2 with the memory controller, else v1's hierarchy), the
// one this process was in, and the bytes charged to it.
struct MemoryCgroup {
  std::string root;
  std::string path;
  std::string original;  // this process's memory cgroup when the test started
  std::string usage_file;

  MemoryCgroup() {
    std::string v2_root;
    for (const char* candidate : {"/sys/fs/cgroup", "/sys/fs/cgroup/unified"}) {
      std::ifstream controllers(std::string(candidate) + "/cgroup.controllers");
      std::string word;
      while (v2_root.empty() && controllers >> word) {
        if (word == "memory") v2_root = candidate;
      }
    }
    const bool v1 = v2_root.empty();
    root = v1 ? "/sys/fs/cgroup/memory" : v2_root;
    if (v1 && !std::filesystem::exists(root + "/memory.usage_in_bytes")) return;
    // Our line in /proc/self/cgroup: "N:memory:/path" on v1, "0::/path" on v2.
    std::ifstream self("/proc/self/cgroup");
    for (std::string line; std::getline(self, line);) {
      const auto first = line.find(':');
      const auto second = line.find(':', first + 1);
      if (first == std::string::npos || second == std::string::npos) continue;
      const std::string controllers = line.substr(first + 1, second - first - 1);
      if (v1 ? controllers == "memory" : line.starts_with("0::")) {
        original = root + line.substr(second + 1);
      }
    }
    const std::string candidate = root + "/cproc-test-memory-" + RandomHex(8);
    if (original.empty() || ::mkdir(candidate.c_str(), 0755) != 0) return;
    path = candidate;
    usage_file = path + (v1 ? "/memory.usage_in_bytes" : "/memory.current");
  }
  ~MemoryCgroup() {
    if (path.empty()) return;
    Join(original);
    ::rmdir(path.c_str());
  }
  MemoryCgroup(const MemoryCgroup&) = delete;
  MemoryCgroup& operator=(const MemoryCgroup&) = delete;

  static bool Join(const std::string& cgroup) {
    std::ofstream procs(cgroup + "/cgroup.procs");
    procs << ::getpid() << std::flush;
    return static_cast<bool>(procs);
  }
};

long long ReadCounter(const std::string& file) {
  std::ifstream in(file);
  long long value = -1;
  in >> value;
  return value;
}

// The bytes charged to `cgroup` while this process, in it, reads every namespace of `pids`,
// by pidfd or by the links. This process itself moves (not a child: a fork's copy-on-write
// pages would be charged too); what it had before stays charged where it was.
long long ChargedWhileReading(const MemoryCgroup& cgroup, const std::vector<pid_t>& pids,
                              bool by_pidfd) {
  REQUIRE(MemoryCgroup::Join(cgroup.path));
  const long long before = ReadCounter(cgroup.usage_file);
  for (pid_t pid : pids) {
    if (by_pidfd) {
      const PidfdNamespaces pidfd(pid);
      for (std::size_t kind = 0; kind < kNsKindCount; ++kind) {
        NsId id;
        (void)pidfd.Read(static_cast<NsKind>(kind), id);
      }
    } else {
      for (std::size_t kind = 0; kind < kNsKindCount; ++kind) (void)LinkIdentity(pid, kind);
    }
  }
  // Closed files and their pidfs inodes are freed after an RCU grace period, and uncharged
  // then: what is left after it is what stays.
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const long long charged = ReadCounter(cgroup.usage_file) - before;
  REQUIRE(MemoryCgroup::Join(cgroup.original));
  return charged;
}

}  // namespace

TEST_CASE("pidfd namespaces: the same namespaces as the /proc links, for every kind") {
  const Fd proc = OpenProc();
  REQUIRE(proc.valid());
  if (!PidfdNamespacesUsable(proc.get())) {
    SKIP_CASE(
        "this kernel has no PIDFD_GET_*_NAMESPACE ioctls (Linux 6.11): the scan reads "
        "the /proc/PID/ns links");
  }
  const std::string id = RandomHex(64);
  const Cgroups cgroups = MakeCgroupsEverywhere("/docker/" + id);
  const auto fake = StartContainer(cgroups);  // new namespaces, a sleeper and a zombie
  for (const pid_t pid : {::getpid(), fake->init(), fake->sleeper()}) {
    const PidfdNamespaces pidfd(pid);
    REQUIRE(pidfd.open());
    for (std::size_t kind = 0; kind < kNsKindCount; ++kind) {
      INFO("pid " << pid << " ns " << kNsFiles[kind]);
      NsId by_pidfd;
      REQUIRE(pidfd.Read(static_cast<NsKind>(kind), by_pidfd) == ReadResult::kOk);
      CHECK(by_pidfd == LinkIdentity(pid, kind));
    }
  }
  // The container's namespaces are not the test's: the comparison above could fail.
  NsId own_net;
  NsId container_net;
  REQUIRE(PidfdNamespaces(::getpid()).Read(NsKind::kNet, own_net) == ReadResult::kOk);
  REQUIRE(PidfdNamespaces(fake->init()).Read(NsKind::kNet, container_net) == ReadResult::kOk);
  CHECK(own_net != container_net);
  // A zombie's namespaces are released: the scan falls back to its links (pid and user stay).
  const PidfdNamespaces zombie(fake->zombie());
  NsId zombie_net;
  CHECK(zombie.Read(NsKind::kNet, zombie_net) != ReadResult::kOk);

  // Every kind of every process the scanner lists agrees with the links.
  Scanner scanner(ScannerOptions{});
  const auto snapshot = ScanOnce(scanner);
  for (const pid_t pid : {fake->init(), fake->sleeper()}) {
    const cproc::Process* p = nullptr;
    for (const auto& process : snapshot->processes) {
      if (process.pid == pid) p = &process;
    }
    REQUIRE(p != nullptr);
    for (std::size_t kind = 0; kind < kNsKindCount; ++kind) {
      INFO("scanned pid " << pid << " ns " << kNsFiles[kind]);
      CHECK(snapshot->NsSetOf(*p)[kind] == LinkIdentity(pid, kind));
    }
  }
}

TEST_CASE("pidfd namespaces: not used on a procfs that is not of the exporter's PID namespace") {
  // A tree whose "self" is another pid, as a host /proc mounted into a container without the
  // host's PID namespace is: the pids in it are not the ones pidfd_open takes.
  const std::string dir = "/tmp/cproc-test-procfs-" + RandomHex(8);
  REQUIRE(std::filesystem::create_directory(dir));
  std::filesystem::create_directory_symlink(std::to_string(::getpid() + 1), dir + "/self");
  const Fd fake(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  CHECK_FALSE(PidfdNamespacesUsable(fake.get()));
  std::filesystem::remove_all(dir);
}

TEST_CASE("pidfd namespaces: no dentries or proc inodes left per process, unlike the links") {
  const Fd proc = OpenProc();
  REQUIRE(proc.valid());
  if (!PidfdNamespacesUsable(proc.get())) {
    SKIP_CASE("this kernel has no PIDFD_GET_*_NAMESPACE ioctls (Linux 6.11)");
  }
  const MemoryCgroup cgroup;
  if (cgroup.path.empty())
    SKIP_CASE("no writable memory cgroup (needs root and a memory controller)");
  // New processes: no one has looked their links up yet, so nothing is cached for them.
  // Memory cgroups charge in per-CPU batches of 64 pages: 400 processes (~3 MiB of link
  // dentries) stay well clear of that rounding.
  const Sleepers sleepers(400);
  // A first pass, not measured: the memory cgroup's per-CPU charge stock and this process's
  // buffers, then the two ways over the same processes (the pidfd way leaves no link behind).
  (void)ChargedWhileReading(cgroup, {::getpid()}, true);
  const long long by_pidfd = ChargedWhileReading(cgroup, sleepers.pids, true);
  const long long by_links = ChargedWhileReading(cgroup, sleepers.pids, false);
  MESSAGE("charged reading 8 namespaces of 400 processes: by pidfd "
          << by_pidfd << " bytes, by the /proc links " << by_links << " bytes");
  REQUIRE(by_links > 0);
  // About 6-8 KiB per process through the links on 6.18 (eight links and the ns directory).
  CHECK(by_links > 400LL * 2048);
  CHECK(by_pidfd * 4 < by_links);
}

TEST_CASE("kept descriptors: at most ScannerOptions::kept_descriptors, every process still read") {
  const std::string id = RandomHex(64);
  const Cgroups cgroups = MakeCgroupsEverywhere("/docker/" + id);
  const auto fake = StartContainer(cgroups);
  ScannerOptions options;
  options.kept_descriptors = 5;  // fewer than the host's processes: most are opened every scan
  Scanner scanner(options);
  const std::size_t host_processes = [] {
    std::size_t n = 0;
    for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
      n += std::isdigit(static_cast<unsigned char>(entry.path().filename().string()[0])) != 0
               ? std::size_t{1}
               : std::size_t{0};
    }
    return n;
  }();
  REQUIRE(host_processes > 5);
  for (int round = 0; round < 3; ++round) {
    INFO("scan " << round);
    const auto snapshot = ScanOnce(scanner);
    CHECK(snapshot->stats.kept_descriptors_limit == 5);
    CHECK(snapshot->stats.kept_descriptors == 5);
    const cproc::Container* c = FindContainer(*snapshot, id);
    REQUIRE(c != nullptr);
    // Read fresh every scan: the sleeper's death (a zombie: its init does not reap) shows at
    // the next scan, though its stat descriptor may not be one of the kept.
    CHECK(CountsText(c->processes) ==
          (round < 2 ? "sleeping=2 zombie=1 " : "sleeping=1 zombie=2 "));
    if (round == 1) {
      REQUIRE(::kill(fake->sleeper(), SIGKILL) == 0);
      REQUIRE(PollFor(std::chrono::milliseconds(5000), [&] {
        const auto stat = ReadKernelStat(fake->sleeper());
        return stat && stat->state == 'Z';
      }));
    }
  }
}

// ScannerOptions::threads splits the listing between threads (collectors/scan/process_cache.h):
// on the real /proc, scan after scan while a container's processes change, it must see what one
// thread sees. The host keeps changing while the scanners read it (other tests exec, join
// namespaces and move cgroups), so the two-thread scan is taken between two one-thread scans
// and checked on what those two agree on: a field that did not change around it must not
// differ in it. The test's own container is stable and is compared whole.
TEST_CASE("threads: a scan read by two threads lists what one thread lists, scan after scan") {
  const std::string id = RandomHex(64);
  const Cgroups cgroups = MakeCgroupsEverywhere("/docker/" + id);
  const auto fake = StartContainer(cgroups);
  ScannerOptions one_options;
  one_options.kept_descriptors = 5;  // both paths: kept descriptors and opened every scan
  ScannerOptions two_options = one_options;
  two_options.threads = 2;
  two_options.parallel_from = 0;  // this host's few hundred processes are split too
  Scanner one(one_options);
  Scanner two(two_options);
  const auto container_id = [](const cproc::Snapshot& s, int32_t pid) {
    const cproc::Container* c = ContainerOf(s, pid);
    return c != nullptr ? c->id : std::string();
  };
  for (int round = 0; round < 4; ++round) {
    INFO("scan " << round);
    const auto a = ScanOnce(one);
    const auto b = ScanOnce(two);
    const auto after = ScanOnce(one);
    const cproc::Container* in_a = FindContainer(*a, id);
    const cproc::Container* in_b = FindContainer(*b, id);
    REQUIRE(in_a != nullptr);
    REQUIRE(in_b != nullptr);
    CHECK(CountsText(in_b->processes) == CountsText(in_a->processes));
    CHECK(CountsText(in_b->processes) ==
          (round < 2 ? "sleeping=2 zombie=1 " : "sleeping=1 zombie=2 "));
    CHECK(in_b->init.pid == in_a->init.pid);
    CHECK(b->stats.kept_descriptors == 5);
    std::size_t compared = 0;
    for (const cproc::Process& p : a->processes) {
      const cproc::Process* q = FindProcess(*b, p.pid);
      const cproc::Process* r = FindProcess(*after, p.pid);
      if (q == nullptr || q->start_ticks != p.start_ticks) continue;
      ++compared;
      if (r == nullptr || r->start_ticks != p.start_ticks) continue;
      INFO("pid " << p.pid << " (" << p.comm << ")");
      if (r->ppid == p.ppid) CHECK(q->ppid == p.ppid);
      // A kernel worker's comm names the work it runs now (kworker/0:0-events), back and forth.
      if (p.ppid != 2 && p.pid != 2 && r->comm == p.comm) CHECK(q->comm == p.comm);
      if (after->NsSetOf(*r) == a->NsSetOf(p)) CHECK(b->NsSetOf(*q) == a->NsSetOf(p));
      if (r->attribution == p.attribution) CHECK(q->attribution == p.attribution);
      const std::string ca = container_id(*a, p.pid);
      if (container_id(*after, p.pid) == ca) CHECK(container_id(*b, p.pid) == ca);
    }
    for (const int32_t pid : {fake->init(), fake->sleeper()}) {
      INFO("the test's container, pid " << pid);
      const cproc::Process* p = FindProcess(*a, pid);
      const cproc::Process* q = FindProcess(*b, pid);
      REQUIRE(p != nullptr);
      REQUIRE(q != nullptr);
      CHECK(q->start_ticks == p->start_ticks);
      CHECK(q->ppid == p->ppid);
      CHECK(q->comm == p->comm);
      CHECK(b->NsSetOf(*q) == a->NsSetOf(*p));
      CHECK(q->attribution == p->attribution);
      CHECK(container_id(*b, pid) == id);
    }
    // Most of the host is in both: a few processes come and go between the two scans.
    CHECK(compared * 10 > a->processes.size() * 9);
    // The listing is in pid order either way (Snapshot::processes).
    CHECK(std::is_sorted(b->processes.begin(), b->processes.end(),
                         [](const auto& x, const auto& y) { return x.pid < y.pid; }));
    if (round == 1) {
      REQUIRE(::kill(fake->sleeper(), SIGKILL) == 0);
      REQUIRE(PollFor(std::chrono::milliseconds(5000), [&] {
        const auto stat = ReadKernelStat(fake->sleeper());
        return stat && stat->state == 'Z';
      }));
    }
  }
}
