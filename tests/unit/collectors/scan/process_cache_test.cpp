// What a scan keeps per process between scans: the stat descriptor, and the cgroup and
// namespaces read again only after an exec, a new process in the pid, or the periodic
// revalidation. Reads are counted by changing the fixture's files between scans: a scan that
// re-read a file reports its new content, a scan that used the cache the old one.
#include "collectors/scan/process_cache.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "tests/support/fixture_procfs.h"
#include "tests/unit/collectors/runtimes/runtime_files_fixture.h"

using namespace cproc;
using cproc::testing::ContainerNs;
using cproc::testing::FixtureProcfs;
using cproc::testing::HostNs;
using cproc::testing::PathsUnder;

namespace {

// A container id made of one hex digit: a different one for each scan's cgroup text.
std::string Id(int digit) { return std::string(64, "0123456789abcdef"[digit]); }

std::string DockerCgroup(const std::string& id) { return "0::/docker/" + id + "\n"; }

// A cache over a fixture procfs, read as the scanner reads it: one Read per scan.
struct Cache {
  explicit Cache(uint64_t revalidate_every, std::size_t kept_descriptors = 100,
                 std::size_t threads = 1)
      : metadata(PathsUnder(host_root)),
        budget(kept_descriptors),
        resolver(DefaultContainerLayouts(), "", metadata, revalidate_every),
        cache(revalidate_every, budget, resolver, threads) {}

  ProcessListing Scan(const std::vector<int32_t>& pids) {
    Fd proc_fd(::open(proc.root().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    REQUIRE(proc_fd.valid());
    ProcessListing listing;
    cache.Read(proc_fd.get(), pids, 0, ++scan, listing, errors);
    return listing;
  }

  // The id of the container the only listed process was attributed to; "" for none.
  static std::string IdOf(const ProcessListing& listing) {
    REQUIRE(listing.matches.size() == 1);
    return listing.matches[0] != nullptr ? listing.matches[0]->id : "";
  }

  FixtureProcfs proc;
  FixtureProcfs host_root;
  MetadataStore metadata;
  DescriptorBudget budget;
  CgroupResolver resolver;
  ProcessCache cache;
  ScanErrorTotals errors;
  uint64_t scan = 0;
};

}  // namespace

TEST_CASE("process cache: stat is read again every scan, through the descriptor it keeps") {
  Cache c(1000);
  c.proc.Stat(100, "app", 'S', 1, 500);
  c.proc.Cgroup(100, DockerCgroup(Id(1)));
  c.proc.Namespaces(100, ContainerNs(5000));
  const ProcessListing first = c.Scan({100});
  REQUIRE(first.processes.size() == 1);
  CHECK(first.processes[0].state == ProcessState::kSleeping);
  CHECK(c.budget.used() == 1);

  c.proc.Stat(100, "app", 'R', 1, 500, 7);  // in place: the kernel's file changes under the fd
  const ProcessListing second = c.Scan({100});
  CHECK(second.processes[0].state == ProcessState::kRunning);
  CHECK(second.processes[0].threads == 7);
  CHECK(second.cache_hits == 1);

  // The path is gone, the kept descriptor still reads: no open per scan.
  std::filesystem::remove(c.proc.root() + "/100/stat");
  const ProcessListing third = c.Scan({100});
  REQUIRE(third.processes.size() == 1);
  CHECK(third.processes[0].threads == 7);
  CHECK(c.errors.vanished == 0);
  CHECK(c.budget.used() == 1);
}

TEST_CASE("process cache: a pid reused with another start time is a new process") {
  Cache c(1000);
  c.proc.Stat(100, "app", 'S', 1, 500);
  c.proc.Cgroup(100, DockerCgroup(Id(1)));
  c.proc.Namespaces(100, ContainerNs(5000));
  CHECK(Cache::IdOf(c.Scan({100})) == Id(1));
  CHECK(c.Scan({100}).cache_hits == 1);

  // The same comm and parent (the same exec signature): only the start time tells.
  c.proc.Stat(100, "app", 'S', 1, 900);
  c.proc.Cgroup(100, "0::/user.slice\n");
  c.proc.Namespaces(100, HostNs());
  const ProcessListing reused = c.Scan({100});
  CHECK(reused.cache_hits == 0);
  CHECK(Cache::IdOf(reused) == "");
  CHECK(reused.processes[0].start_ticks == 900);
  // ns/pid, read once per process, is read again: nothing of the old entry is kept.
  CHECK(NsOf(reused.NsSetOf(reused.processes[0]), NsKind::kPid).ino == HostNs().at("pid"));
  CHECK(NsOf(reused.NsSetOf(reused.processes[0]), NsKind::kNet).ino == HostNs().at("net"));
}

TEST_CASE("process cache: cgroup re-read after an exec and every revalidate period, not else") {
  Cache c(4);
  c.proc.Stat(100, "app", 'S', 1, 500);
  c.proc.Namespaces(100, ContainerNs(5000));
  // Each scan finds a new cgroup text; the id attributed says which scan last read it.
  // pid 100 is re-read when (scan + 100) % 4 == 0: scans 4 and 8.
  std::vector<std::string> seen;
  std::vector<uint64_t> hits;
  for (int scan = 1; scan <= 9; ++scan) {
    c.proc.Cgroup(100, DockerCgroup(Id(scan)));
    const ProcessListing listing = c.Scan({100});
    seen.push_back(Cache::IdOf(listing));
    hits.push_back(listing.cache_hits);
  }
  CHECK(seen ==
        std::vector<std::string>{Id(1), Id(1), Id(1), Id(4), Id(4), Id(4), Id(4), Id(8), Id(8)});
  CHECK(hits == std::vector<uint64_t>{0, 1, 1, 0, 1, 1, 1, 0, 1});

  // An exec (a new comm: runc's init becoming the container's program) is read at once.
  c.proc.Cgroup(100, DockerCgroup(Id(10)));
  c.proc.Stat(100, "nginx", 'S', 1, 500);
  const ProcessListing execed = c.Scan({100});
  CHECK(Cache::IdOf(execed) == Id(10));
  CHECK(execed.cache_hits == 0);
  // So is a new parent (re-parenting follows the parent's exit, often a runtime's setup step).
  c.proc.Cgroup(100, DockerCgroup(Id(11)));
  c.proc.Stat(100, "nginx", 'S', 2, 500);
  CHECK(Cache::IdOf(c.Scan({100})) == Id(11));
}

TEST_CASE("process cache: a zombie keeps the container and namespaces it had alive") {
  Cache c(1);  // re-read every scan, were it not a zombie
  c.proc.Stat(100, "app", 'S', 1, 500);
  c.proc.Cgroup(100, "8:pids:/docker/" + Id(1) + "\n");
  c.proc.Namespaces(100, ContainerNs(5000));
  CHECK(Cache::IdOf(c.Scan({100})) == Id(1));

  // Exited, not reaped: its v1 lines say "/", most ns links are gone.
  c.proc.Stat(100, "app", 'Z', 1, 500);
  c.proc.Cgroup(100, "8:pids:/\n");
  c.proc.Namespaces(100, {{"net", 0}, {"mnt", 0}, {"ipc", 0}, {"uts", 0}, {"cgroup", 0}});
  for (int i = 0; i < 3; ++i) {
    const ProcessListing zombie = c.Scan({100});
    CHECK(Cache::IdOf(zombie) == Id(1));
    CHECK(zombie.processes[0].attribution == Attribution::kCached);
    CHECK(zombie.processes[0].state == ProcessState::kZombie);
    CHECK(NsOf(zombie.NsSetOf(zombie.processes[0]), NsKind::kNet).ino ==
          ContainerNs(5000).at("net"));
    CHECK(zombie.cache_hits == 1);
  }

  // A zombie first seen dead has nothing cached: what it still shows is read.
  c.proc.Stat(200, "sh", 'Z', 1, 600);
  c.proc.Cgroup(200, "8:pids:/\n0::/docker/" + Id(2) + "\n");
  c.proc.Namespaces(200, {{"pid", 6000}});
  const ProcessListing late = c.Scan({200});
  CHECK(Cache::IdOf(late) == Id(2));
  CHECK(late.processes[0].attribution == Attribution::kCgroup);
}

TEST_CASE("process cache: processes not listed are forgotten, vanished ones counted") {
  Cache c(1000);
  for (int32_t pid : {100, 200}) {
    c.proc.Stat(pid, "app", 'S', 1, 500);
    c.proc.Cgroup(pid, DockerCgroup(Id(1)));
    c.proc.Namespaces(pid, ContainerNs(5000));
  }
  CHECK(c.Scan({100, 200}).processes.size() == 2);
  CHECK(c.cache.size() == 2);
  CHECK(c.budget.used() == 2);

  const ProcessListing one = c.Scan({100});
  CHECK(one.processes.size() == 1);
  CHECK(c.cache.size() == 1);
  CHECK(c.budget.used() == 1);  // its stat descriptor closed with it

  // Listed, but gone before its stat was opened: counted, not listed, not kept.
  const ProcessListing vanished = c.Scan({100, 300});
  CHECK(vanished.processes.size() == 1);
  CHECK(c.errors.vanished == 1);
  CHECK(c.cache.size() == 1);

  // Listed again later: a new entry, read whole.
  const ProcessListing back = c.Scan({100, 200});
  CHECK(back.processes.size() == 2);
  CHECK(back.cache_hits == 1);
}

TEST_CASE("process cache: beyond the descriptor budget, processes are opened and read every scan") {
  Cache c(1000, /*kept_descriptors=*/1);  // --scan.kept-descriptors=1
  for (int32_t pid : {100, 200, 300}) {
    c.proc.Stat(pid, "app", 'S', 1, 500);
    c.proc.Cgroup(pid, DockerCgroup(Id(1)));
    c.proc.Namespaces(pid, ContainerNs(5000));
  }
  for (int scan = 0; scan < 4; ++scan) {
    INFO("scan " << scan);
    // Each scan changes every process's state in its file: a scan that reads them all shows it.
    const char state = scan % 2 == 0 ? 'S' : 'R';
    for (int32_t pid : {100, 200, 300}) c.proc.Stat(pid, "app", state, 1, 500, scan + 1);
    const ProcessListing listing = c.Scan({100, 200, 300});
    REQUIRE(listing.processes.size() == 3);
    for (const Process& p : listing.processes) {
      CHECK(p.state_code == state);
      CHECK(p.threads == static_cast<uint32_t>(scan + 1));
    }
    CHECK(listing.cache_hits == (scan == 0 ? 0U : 3U));  // cgroup and namespaces still cached
    CHECK(c.budget.used() == 1);
    CHECK(c.budget.spent());
  }
}

// Threads are an implementation detail: read in parallel, the listing (order included), the
// counts and what is kept must be those of one thread, scan after scan while the processes
// change. Run under TSan in the suite (the threads share the budget and the resolver).
TEST_CASE("process cache: threads list what one thread lists, scan after scan") {
  Cache one(3, /*kept_descriptors=*/40, /*threads=*/1);
  Cache three(3, /*kept_descriptors=*/40, /*threads=*/3);
  auto both = [&](auto&& change) {
    change(one.proc);
    change(three.proc);
  };
  // 60 processes (more than the budget keeps): pids with every pattern (even, odd, runs), in
  // three containers and the host.
  std::vector<int32_t> pids;
  for (int32_t i = 0; i < 60; ++i) pids.push_back(i < 30 ? 100 + 2 * i : 1000 + i);
  both([&](const FixtureProcfs& proc) {
    for (const int32_t pid : pids) {
      proc.Stat(pid, "app", pid % 7 == 0 ? 'Z' : 'S', 1, 500);
      proc.Cgroup(pid, pid % 4 == 0 ? "0::/system.slice\n" : DockerCgroup(Id(pid % 3)));
      proc.Namespaces(
          pid, pid % 4 == 0 ? HostNs() : ContainerNs(5000 + 100 * static_cast<uint64_t>(pid % 3)));
    }
  });
  for (int scan = 0; scan < 6; ++scan) {
    INFO("scan " << scan);
    std::vector<int32_t> listed = pids;
    if (scan % 2 == 1) std::reverse(listed.begin(), listed.end());  // the order of `pids`
    if (scan == 2) listed.push_back(4242);                          // vanished before its read
    if (scan == 3) {  // one exits, one execs into another container
      std::erase(pids, 1010);
      listed = pids;
      both([](const FixtureProcfs& proc) {
        proc.Stat(1011, "other", 'S', 1, 500);
        proc.Cgroup(1011, DockerCgroup(Id(9)));
      });
    }
    const ProcessListing a = one.Scan(listed);
    const ProcessListing b = three.Scan(listed);
    REQUIRE(a.processes.size() == listed.size() - (scan == 2 ? 1 : 0));
    REQUIRE(b.processes.size() == a.processes.size());
    for (std::size_t i = 0; i < a.processes.size(); ++i) {
      CHECK(b.processes[i].pid == a.processes[i].pid);
      CHECK(b.processes[i].state == a.processes[i].state);
      CHECK(b.processes[i].comm == a.processes[i].comm);
      CHECK(b.NsSetOf(b.processes[i]) == a.NsSetOf(a.processes[i]));
      CHECK(b.processes[i].ns_set == a.processes[i].ns_set);  // interned in listing order
      CHECK(b.processes[i].attribution == a.processes[i].attribution);
      CHECK((b.matches[i] != nullptr ? b.matches[i]->id : "") ==
            (a.matches[i] != nullptr ? a.matches[i]->id : ""));
      CHECK(b.cgroup_unknown[i] == a.cgroup_unknown[i]);
    }
    CHECK(a.processes.front().pid == listed.front());
    CHECK(b.ns_sets == a.ns_sets);
    CHECK(a.ns_sets.size() <= 4);  // the host's and three containers', each once (zombies too)
    CHECK(b.cache_hits == a.cache_hits);
    CHECK(b.unknown_layout == a.unknown_layout);
    CHECK(b.namespaces_unreadable == a.namespaces_unreadable);
    CHECK(three.errors.vanished == one.errors.vanished);
    CHECK(three.errors.parse == one.errors.parse);
    CHECK(three.cache.size() == one.cache.size());
    CHECK(three.budget.used() == one.budget.used());
    CHECK(three.budget.used() == 40);
  }
  CHECK(three.cache.threads() == 3);
  CHECK(one.errors.vanished == 1);
  // The exec'd process moved to its new container in both.
  const ProcessListing last = three.Scan({1011});
  CHECK(Cache::IdOf(last) == Id(9));
}
