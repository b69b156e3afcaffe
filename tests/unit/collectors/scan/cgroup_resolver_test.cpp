// The per-text cache between /proc/PID/cgroup and containers: one resolution per distinct text,
// shared by every process that reads it; unconfirmed matches asked again once per period;
// texts nobody reads any more dropped.
#include "collectors/scan/cgroup_resolver.h"

#include <doctest/doctest.h>

#include "tests/support/fixture_procfs.h"
#include "tests/unit/collectors/runtimes/runtime_files_fixture.h"

using namespace cproc;
using cproc::testing::FixtureProcfs;
using cproc::testing::PathsUnder;

namespace {

const std::string kA(64, 'a');
const std::string kC(64, 'c');

// A resolver over the default layouts, with a host root whose Docker files confirm ids.
struct Resolver {
  explicit Resolver(uint64_t retry_every, std::string own_cgroup_root = "")
      : metadata(PathsUnder(root)),
        resolver(DefaultContainerLayouts(), std::move(own_cgroup_root), metadata, retry_every) {}

  std::shared_ptr<const CgroupResolution> Resolve(const std::string& text, uint64_t scan) {
    return resolver.Resolve(text, scan, errors);
  }

  FixtureProcfs root;
  MetadataStore metadata;
  CgroupResolver resolver;
  ScanErrorTotals errors;
};

}  // namespace

TEST_CASE("cgroup resolver: a text is resolved once, and its resolution shared") {
  Resolver f(3);
  const std::string text = "4:memory:/docker/" + kA + "\n0::/docker/" + kA + "\n";
  const auto first = f.Resolve(text, 1);
  REQUIRE(first->container != nullptr);
  CHECK(first->parsed);
  CHECK(first->container->runtime == "docker");
  CHECK(first->container->id == kA);
  CHECK(first->container->cgroup == "/docker/" + kA);
  CHECK(f.Resolve(text, 1) == first);  // another process of the container: the same object
  CHECK(f.Resolve(text, 2) == first);  // a later scan too: confirmed, never asked again
  CHECK(f.resolver.size() == 1);

  // Another text naming the same container is its own entry (the texts are the key).
  const auto v2_only = f.Resolve("0::/docker/" + kA + "\n", 2);
  CHECK(v2_only != first);
  CHECK(v2_only->container->id == kA);
  CHECK(f.resolver.size() == 2);

  // A host process: resolved to no container, and that is cached too.
  const auto host = f.Resolve("0::/user.slice/user-1000.slice/session-1.scope\n", 2);
  CHECK(host->container == nullptr);
  CHECK_FALSE(host->unconfirmed);
  CHECK_FALSE(host->unknown_layout);
  CHECK(f.Resolve("0::/user.slice/user-1000.slice/session-1.scope\n", 50) == host);
  CHECK(f.errors.parse == 0);
}

TEST_CASE("cgroup resolver: a text that does not parse counts one parse error") {
  Resolver f(3);
  const auto bad = f.Resolve("not a cgroup file\n", 1);
  CHECK_FALSE(bad->parsed);
  CHECK(bad->container == nullptr);
  CHECK(f.errors.parse == 1);
  // Every process with that text shares the verdict: counted once, not once per process.
  CHECK(f.Resolve("not a cgroup file\n", 1) == bad);
  CHECK(f.errors.parse == 1);
  CHECK_FALSE(f.Resolve("0:\n", 1)->parsed);
  CHECK(f.errors.parse == 2);
}

TEST_CASE("cgroup resolver: an unconfirmed match is asked again after retry_every scans") {
  // docker run --cgroup-parent: /<parent>/<id> is Docker's only once its files say so.
  Resolver f(3);
  const std::string text = "0::/my-parent/" + kC + "\n";
  const auto first = f.Resolve(text, 1);
  CHECK(first->container == nullptr);
  CHECK(first->unconfirmed);
  CHECK(first->unknown_layout);  // a 64-hex component no confirmed row names

  f.root.Write("var/lib/docker/containers/" + kC + "/config.v2.json", "{}");
  // Not within the period, however many processes ask: one access(2) per period.
  CHECK(f.Resolve(text, 2) == first);
  CHECK(f.Resolve(text, 3) == first);
  const auto again = f.Resolve(text, 4);
  CHECK(again != first);
  REQUIRE(again->container != nullptr);
  CHECK(again->container->runtime == "docker");
  CHECK(again->container->id == kC);
  CHECK_FALSE(again->unconfirmed);
  CHECK_FALSE(again->unknown_layout);
  CHECK(f.Resolve(text, 100) == again);  // confirmed now: kept
}

TEST_CASE("cgroup resolver: texts unused for two periods are evicted, resolutions stay valid") {
  Resolver f(3);  // two periods: 6 scans
  const std::string gone = "0::/docker/" + kA + "\n";
  const std::string busy = "0::/docker/" + kC + "\n";
  const auto held = f.Resolve(gone, 1);
  f.Resolve(busy, 1);
  f.Resolve(busy, 5);
  f.resolver.Evict(7);  // last used 6 scans ago: kept
  CHECK(f.resolver.size() == 2);
  f.resolver.Evict(8);
  CHECK(f.resolver.size() == 1);
  CHECK(held->container->id == kA);   // a process's cache entry may still hold it
  CHECK(f.Resolve(gone, 8) != held);  // resolved anew when it comes back
  f.resolver.Evict(11);
  CHECK(f.resolver.size() == 2);
  f.resolver.Evict(12);
  CHECK(f.resolver.size() == 1);  // busy, last used at 5, is gone; gone, used at 8, stays
}

TEST_CASE("cgroup resolver: in a private cgroup namespace the unified \"/\" is the own container") {
  const std::string scope = "/system.slice/docker-" + kA + ".scope";
  Resolver inside(3, scope);
  const auto own = inside.Resolve("0::/\n", 1);
  REQUIRE(own->container != nullptr);
  CHECK(own->container->id == kA);
  CHECK(own->container->cgroup == scope);
  // Only the unified line is relative to the namespace: a v1 "/" is the host's root.
  CHECK(inside.Resolve("4:pids:/\n", 1)->container == nullptr);
  // Other containers read from outside the namespace keep their "/.." path.
  const auto other = inside.Resolve("0::/../docker-" + kC + ".scope\n", 1);
  REQUIRE(other->container != nullptr);
  CHECK(other->container->id == kC);

  Resolver host(3);  // the same text in the host's namespace is the root: no container
  CHECK(host.Resolve("0::/\n", 1)->container == nullptr);
}
