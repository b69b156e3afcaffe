// Containers created and destroyed by the hundreds while scans run, cgroups removed mid-read:
// no crash, no wrong attribution, and nothing kept for what is gone (caches and series).
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <random>
#include <set>
#include <thread>

#include "collectors/scan/scanner.h"
#include "tests/integration/cgroup_sandbox.h"

using namespace cproc;
using namespace cproc::testing;

namespace {

std::string RandomHex(std::size_t n, std::mt19937_64& rng) {
  const char* digits = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out.push_back(digits[rng() % 16]);
  return out;
}

// One short-lived "container": a cgroup /<tag>/docker/<id> with an idle process in it.
struct ChurnContainer {
  std::string id;
  std::unique_ptr<CgroupDir> dir;
  std::unique_ptr<IdleChild> child;
};

std::unique_ptr<ChurnContainer> StartContainer(const std::string& root, const std::string& tag,
                                               std::mt19937_64& rng) {
  auto c = std::make_unique<ChurnContainer>();
  c->id = RandomHex(64, rng);
  c->dir = std::make_unique<CgroupDir>(root, "/" + tag + "/docker/" + c->id);
  if (!c->dir->ok()) return nullptr;
  c->child = std::make_unique<IdleChild>();
  if (c->child->pid() <= 0 || !c->dir->Add(c->child->pid())) return nullptr;
  return c;
}

}  // namespace

TEST_CASE("churn: hundreds of containers come and go during scans; nothing is kept for them") {
  const CgroupHierarchies h = CgroupHierarchies::Detect();
  const std::string root = h.v1_pids.empty() ? h.v2 : h.v1_pids;
  REQUIRE_FALSE(root.empty());
  std::mt19937_64 rng{std::random_device{}()};
  const std::string tag = "cproc-churn-" + RandomHex(6, rng);

  // A long-lived container the churn must never disturb.
  auto steady = StartContainer(root, tag, rng);
  REQUIRE(steady != nullptr);

  ScannerOptions options;
  options.revalidate_every = 2;  // re-reads often, so eviction after churn is quick to see
  Scanner scanner(options);

  std::atomic<bool> stop{false};
  std::atomic<int> created{0};
  std::set<std::string> churned_ids;  // written by the churn thread only until it is joined
  std::thread churn([&] {
    std::mt19937_64 local{rng()};
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    std::vector<std::unique_ptr<ChurnContainer>> alive;
    while (!stop && created < 300 && std::chrono::steady_clock::now() < deadline) {
      if (auto c = StartContainer(root, tag, local)) {
        churned_ids.insert(c->id);
        alive.push_back(std::move(c));
        ++created;
      }
      // Keep about 20 alive: the oldest goes (process killed, cgroup removed mid-scan).
      if (alive.size() > 20) alive.erase(alive.begin());
    }
  });

  int scans = 0;
  const auto scan_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (created < 300 && scans < 500 && std::chrono::steady_clock::now() < scan_deadline) {
    auto scanned = scanner.Scan();
    REQUIRE(scanned.ok());
    ++scans;
    const Snapshot& snap = **scanned;
    // The steady container keeps exactly its one process, whatever happens around it.
    bool found = false;
    for (const Container& c : snap.containers) {
      if (c.id != steady->id) continue;
      found = true;
      CHECK(c.processes[static_cast<std::size_t>(ProcessState::kSleeping)] == 1);
    }
    CHECK(found);
    CHECK(snap.stats.cached_processes == snap.stats.processes);
  }
  stop = true;
  churn.join();
  MESSAGE("created " << created.load() << " containers during " << scans << " scans");
  CHECK(created >= 100);

  // After enough scans for eviction, nothing of the churned containers remains.
  std::shared_ptr<const Snapshot> last;
  for (int i = 0; i < 6; ++i) {
    auto scanned = scanner.Scan();
    REQUIRE(scanned.ok());
    last = *scanned;
  }
  for (const Container& c : last->containers) CHECK(churned_ids.count(c.id) == 0);
  const ScanStats& stats = last->stats;
  CHECK(stats.cached_processes == stats.processes);
  CHECK(stats.tracked_processes == stats.processes);
  CHECK(stats.cached_metadata <= last->containers.size());
  // Distinct cgroup files: the host's own, not one per churned container.
  CHECK(stats.cached_cgroup_files < 100 + last->containers.size());
  MESSAGE("after churn: " << stats.processes << " processes, " << stats.cached_cgroup_files
                          << " cgroup files, " << stats.cached_metadata << " metadata entries, "
                          << stats.errors.vanished << " vanished");
}
