// A snapshot keeps each distinct namespace set once (Snapshot::ns_sets) and every process an
// index into them: equal sets share an entry, and scan after scan, with processes joining other
// namespaces and whole sets going away in between, each process still reports its own set.
#include "collectors/scan/ns_set_interner.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <map>
#include <memory>
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

using Inodes = std::map<std::string, uint64_t>;

NsSet SetOf(uint32_t base) {
  NsSet ns{};
  for (std::size_t k = 0; k < kNsKindCount; ++k) {
    ns[k] = NsId{.dev = 4, .ino = base + static_cast<uint32_t>(k)};
  }
  return ns;
}

// What a set says, as the fixture writes it: kind -> inode, unknown kinds left out.
Inodes InodesOf(const NsSet& ns) {
  Inodes out;
  for (std::size_t k = 0; k < kNsKindCount; ++k) {
    if (ns[k].known()) out.emplace(std::string(kNsKindNames[k]), ns[k].ino);
  }
  return out;
}

Inodes Known(Inodes inodes) {
  std::erase_if(inodes, [](const auto& item) { return item.second == 0; });
  return inodes;
}

// `ns` as a process that joined them with setns(2) has them: its own PID namespace stays (only
// its children are born in the one it joined), and the scan reads ns/pid once per process.
Inodes JoinedBy(Inodes ns, uint64_t own_pid_ns) {
  ns["pid"] = own_pid_ns;
  return ns;
}

const Process& ProcessOf(const Snapshot& s, int32_t pid) {
  const Process* p = FindProcess(s.processes, pid);
  REQUIRE_MESSAGE(p != nullptr, "pid " << pid);
  return *p;
}

// The table's shape, whatever the scan: every set once, every set some process's, every process
// pointing into it.
void CheckInterned(const Snapshot& s) {
  for (std::size_t i = 0; i < s.ns_sets.size(); ++i) {
    for (std::size_t j = i + 1; j < s.ns_sets.size(); ++j) CHECK(s.ns_sets[i] != s.ns_sets[j]);
  }
  std::vector<bool> used(s.ns_sets.size(), false);
  for (const Process& p : s.processes) {
    REQUIRE(p.ns_set < s.ns_sets.size());
    used[p.ns_set] = true;
  }
  for (std::size_t i = 0; i < used.size(); ++i) CHECK_MESSAGE(used[i], "set " << i << " unused");
}

// Each listed process has the namespaces `expected` gives for it, and no other is listed.
void CheckSets(const Snapshot& s, const std::map<int32_t, Inodes>& expected) {
  REQUIRE(s.processes.size() == expected.size());
  for (const auto& [pid, inodes] : expected) {
    INFO("pid " << pid);
    CHECK(InodesOf(s.NsSetOf(ProcessOf(s, pid))) == Known(inodes));
  }
  CheckInterned(s);
}

}  // namespace

TEST_CASE("ns set interner: equal sets share an index, different sets get their own") {
  NsSetInterner interner;
  std::vector<NsSet> sets;
  interner.Reset(sets);
  const uint32_t host = interner.Intern(sets, SetOf(1000));
  const uint32_t a = interner.Intern(sets, SetOf(2000));
  CHECK(interner.Intern(sets, SetOf(1000)) == host);
  CHECK(interner.Intern(sets, SetOf(2000)) == a);
  CHECK(a != host);
  NsSet entered = SetOf(1000);  // one kind differs: another set
  NsOf(entered, NsKind::kNet) = NsOf(SetOf(2000), NsKind::kNet);
  const uint32_t mixed = interner.Intern(sets, entered);
  CHECK(mixed != host);
  CHECK(mixed != a);
  NsSet other_dev = SetOf(1000);  // the same inodes on another nsfs device: not the same set
  NsOf(other_dev, NsKind::kPid).dev = 5;
  CHECK(interner.Intern(sets, other_dev) != host);
  CHECK(interner.Intern(sets, NsSet{}) == 4);  // nothing readable: a set like any other
  REQUIRE(sets.size() == 5);
  CHECK(sets[host] == SetOf(1000));
  CHECK(sets[a] == SetOf(2000));
  CHECK(sets[mixed] == entered);
}

TEST_CASE("ns set interner: thousands of sets, interleaved, through the table's growth") {
  NsSetInterner interner;
  for (int scan = 0; scan < 3; ++scan) {
    INFO("scan " << scan);
    std::vector<NsSet> sets;
    interner.Reset(sets);
    // A different population each scan: the table kept from the last one must not answer.
    const uint32_t count = scan == 1 ? 40 : 3000;
    const uint32_t base = 4026540000u + static_cast<uint32_t>(scan) * 100000;
    std::vector<uint32_t> index_of(count, kNoNsSet);
    for (uint32_t i = 0; i < count; ++i) {
      const uint32_t n = (i * 7919) % count;  // every n once, not in order
      REQUIRE(index_of[n] == kNoNsSet);
      index_of[n] = interner.Intern(sets, SetOf(base + 8 * n));
      REQUIRE(index_of[n] == i);  // new: appended
    }
    for (uint32_t i = 0; i < count; ++i) {
      const uint32_t n = (i * 31) % count;  // again, in another order: found
      REQUIRE(interner.Intern(sets, SetOf(base + 8 * n)) == index_of[n]);
      REQUIRE(sets[index_of[n]] == SetOf(base + 8 * n));
    }
    CHECK(sets.size() == count);
  }

  // Reset with sets already there finds them again.
  std::vector<NsSet> sets = {SetOf(10), SetOf(20)};
  interner.Reset(sets);
  CHECK(interner.Intern(sets, SetOf(20)) == 1);
  CHECK(interner.Intern(sets, SetOf(30)) == 2);
  CHECK(interner.Intern(sets, SetOf(10)) == 0);
}

namespace {

// `threads`: the listing read by one thread or, with the interning after them, two.
void ScanAfterScan(std::size_t threads) {
  INFO("threads " << threads);
  const std::string a = std::string(64, 'a');
  const std::string b = std::string(64, 'b');
  const std::string c = std::string(64, 'c');
  const Inodes zombie_a = {{"pid", 5000}, {"user", 4026531837}};
  FixtureProcfs fs;
  std::map<int32_t, Inodes> expected;  // what the fixture says now
  const auto process = [&](int32_t pid, const std::string& comm, char state, int32_t ppid,
                           uint64_t start, const std::string& cgroup, const Inodes& ns) {
    fs.Stat(pid, comm, state, ppid, start);
    fs.Cgroup(pid, "0::" + cgroup + "\n");
    fs.Namespaces(pid, ns);
    expected[pid] = ns;
  };
  const auto exits = [&](int32_t pid) {
    std::filesystem::remove_all(fs.root() + "/" + std::to_string(pid));
    expected.erase(pid);
  };
  process(1, "systemd", 'S', 0, 1, "/init.scope", HostNs());
  process(2, "kthreadd", 'S', 0, 1, "/", HostNs());
  process(100, "bash", 'S', 1, 50, "/user.slice", HostNs());
  process(3050, "sleep", 'S', 3029, 1000, "/docker/" + a, ContainerNs(5000));
  process(3060, "worker", 'S', 3050, 1001, "/docker/" + a, ContainerNs(5000));
  process(3078, "sleep", 'Z', 3050, 1002, "/docker/" + a, zombie_a);  // a zombie's few links
  process(4000, "nginx", 'S', 3999, 2000, "/docker/" + b, ContainerNs(6000));
  process(4010, "nginx", 'S', 4000, 2001, "/docker/" + b, ContainerNs(6000));
  fs.Write("sys/kernel/pid_max", "4194304");
  // Namespaces are read again only after an exec (or a new process in the pid) here.
  Scanner scanner(ScannerOptions{
      .procfs = fs.root(), .revalidate_every = 1000, .threads = threads, .parallel_from = 0});

  const auto first = ScanOnce(scanner);
  CheckSets(*first, expected);
  CHECK(first->ns_sets.size() == 4);  // the host's, A's, A's zombie's, B's
  const auto index = [](const Snapshot& s, int32_t pid) { return ProcessOf(s, pid).ns_set; };
  CHECK(index(*first, 1) == index(*first, 2));
  CHECK(index(*first, 1) == index(*first, 100));
  CHECK(index(*first, 3050) == index(*first, 3060));
  CHECK(index(*first, 4000) == index(*first, 4010));
  CHECK(index(*first, 3050) != index(*first, 1));
  CHECK(index(*first, 3050) != index(*first, 3078));
  CHECK(index(*first, 3050) != index(*first, 4000));
  const std::map<int32_t, Inodes> in_first = expected;

  // The shell joins A's namespaces and execs (nsenter -a sh), its child is born in A's PID
  // namespace too; B goes away with all its processes; a new container C.
  const uint64_t host_pid_ns = HostNs().at("pid");
  process(100, "sh", 'S', 1, 50, "/user.slice", JoinedBy(ContainerNs(5000), host_pid_ns));
  process(101, "ps", 'R', 100, 2500, "/user.slice", ContainerNs(5000));
  exits(4000);
  exits(4010);
  process(7000, "redis", 'S', 6999, 3000, "/docker/" + c, ContainerNs(7000));
  const auto second = ScanOnce(scanner);
  CheckSets(*second, expected);
  CHECK(second->ns_sets.size() == 5);  // the host's, A's, A's zombie's, the shell's, C's
  CHECK(index(*second, 101) == index(*second, 3050));
  CHECK(index(*second, 100) != index(*second, 3050));
  CHECK(index(*second, 100) != index(*second, 1));
  CHECK(index(*second, 7000) != index(*second, 3050));

  // The shell goes back to the host's namespaces, its child has exited; A's worker moves to the
  // host's (all but its PID namespace); the pid of A's zombie is reaped and reused by a host
  // process.
  process(100, "bash", 'S', 1, 50, "/user.slice", HostNs());
  exits(101);
  process(3060, "worker2", 'S', 3050, 1001, "/docker/" + a, JoinedBy(HostNs(), 5000));
  process(3078, "cron", 'S', 1, 4000, "/system.slice/cron.service", HostNs());
  const auto third = ScanOnce(scanner);
  CheckSets(*third, expected);
  CHECK(third->ns_sets.size() == 4);  // the host's, A's, the worker's, C's
  CHECK(index(*third, 100) == index(*third, 1));
  CHECK(index(*third, 3078) == index(*third, 1));
  CHECK(index(*third, 3060) != index(*third, 1));
  CHECK(index(*third, 3060) != index(*third, 3050));
  CHECK(index(*third, 3050) != index(*third, 1));

  // Nothing changes: the same sets again, from the cache.
  const auto fourth = ScanOnce(scanner);
  CheckSets(*fourth, expected);
  CHECK(fourth->ns_sets.size() == third->ns_sets.size());

  // The older snapshots, still alive (a scrape may hold one), report what they did.
  CheckSets(*first, in_first);
  CHECK(InodesOf(second->NsSetOf(ProcessOf(*second, 100))) ==
        JoinedBy(ContainerNs(5000), host_pid_ns));
  CHECK(InodesOf(second->NsSetOf(ProcessOf(*second, 3060))) == ContainerNs(5000));
}

}  // namespace

TEST_CASE("ns set interner: scan after scan, each process reports its own namespaces") {
  ScanAfterScan(1);
  ScanAfterScan(2);
}
