// Namespace sharing as series: unknown values left out rather than written as 0, declared
// against observed, and the sharing allow-list by name or id glob.
#include <doctest/doctest.h>

#include "exporter/metrics/family_groups.h"
#include "tests/unit/exporter/metrics/family_lookup.h"

using namespace cproc;
using cproc::testing::Built;
using cproc::testing::Families;
using cproc::testing::Find;
using cproc::testing::Label;

namespace {

constexpr std::size_t K(NsKind kind) { return static_cast<std::size_t>(kind); }

// A container in the host's PID namespace and its own network namespace, which one other
// container shares.
Container Shared() {
  Container c;
  c.runtime = "docker";
  c.id = std::string(64, 'a');
  c.name = "agent";
  c.sharing.host[K(NsKind::kPid)] = 1;
  c.sharing.host[K(NsKind::kNet)] = 0;
  c.sharing.peers_known[K(NsKind::kNet)] = true;
  c.sharing.peers[K(NsKind::kNet)] = 1;
  c.sharing.foreign_peers[K(NsKind::kNet)] = 1;
  return c;
}

const std::vector<std::string> kNoneAllowed;

// The value of `family`'s series with label ns="<ns>"; nullptr when there is none.
const prometheus::ClientMetric* OfNs(const Families& families, const std::string& family,
                                     const std::string& ns) {
  const auto* f = Find(families, family);
  REQUIRE(f != nullptr);
  for (const auto& m : f->metric) {
    if (Label(m, "ns") == ns) return &m;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("namespace families: what is known is exported, what is unknown is left out") {
  Snapshot s;
  s.containers = {Shared()};
  const Families families = Built(AddNamespaceFamilies, s, kNoneAllowed);
  CHECK(Find(families, "cproc_container_host_namespace")->metric.size() == 2);
  CHECK(OfNs(families, "cproc_container_host_namespace", "pid")->gauge.value == 1);
  CHECK(OfNs(families, "cproc_container_host_namespace", "net")->gauge.value == 0);
  CHECK(OfNs(families, "cproc_container_host_namespace", "ipc") == nullptr);  // unknown
  CHECK(OfNs(families, "cproc_container_namespace_peers", "net")->gauge.value == 1);
  CHECK(OfNs(families, "cproc_container_namespace_foreign_peers", "net")->gauge.value == 1);
  CHECK(Find(families, "cproc_container_namespace_peers")->metric.size() == 1);
  // Mismatches only once the init's PID and mount namespaces are known.
  CHECK(Find(families, "cproc_container_mismatched_processes")->metric.empty());

  s.containers[0].sharing.mismatches_known = true;
  s.containers[0].sharing.mismatched_namespace = 2;
  const Families known = Built(AddNamespaceFamilies, s, kNoneAllowed);
  const auto* mismatched = Find(known, "cproc_container_mismatched_processes");
  REQUIRE(mismatched->metric.size() == 2);
  for (const auto& m : mismatched->metric) {
    CHECK(m.gauge.value == (Label(m, "kind") == "namespace" ? 2 : 0));
  }
}

TEST_CASE("namespace families: declared against observed, for containers named from files") {
  Snapshot s;
  Container c = Shared();
  c.named_from_files = true;
  c.declared_host[K(NsKind::kPid)] = 0;  // says its own; it is in the host's
  c.declared_host[K(NsKind::kNet)] = 0;  // agrees
  c.declared_host[K(NsKind::kIpc)] = 1;  // not observed: no disagreement counted
  s.containers = {c};
  const Families families = Built(AddNamespaceFamilies, s, kNoneAllowed);
  CHECK(Find(families, "cproc_container_declared_host_namespace")->metric.size() == 3);
  CHECK(OfNs(families, "cproc_container_declared_host_namespace", "ipc")->gauge.value == 1);
  const auto* mismatches = Find(families, "cproc_container_namespace_declaration_mismatches");
  REQUIRE(mismatches->metric.size() == 1);
  CHECK(mismatches->metric[0].gauge.value == 1);

  s.containers[0].named_from_files = false;  // nothing declared to disagree with
  CHECK(Find(Built(AddNamespaceFamilies, s, kNoneAllowed),
             "cproc_container_namespace_declaration_mismatches")
            ->metric.empty());
}

TEST_CASE("namespace families: sharing allowed by name or id glob, and for the own container") {
  Snapshot s;
  Container by_name = Shared();
  Container by_id = Shared();
  by_id.id = "b" + std::string(63, '0');
  by_id.name = "other";
  Container self = Shared();
  self.id = std::string(64, 'c');
  self.name = "cproc";
  self.is_self = true;
  Container neither = Shared();
  neither.id = std::string(64, 'd');
  neither.name = "db";
  s.containers = {by_name, by_id, self, neither};
  const std::vector<std::string> allow = {"agent*", "b000*"};
  const Families families = Built(AddNamespaceFamilies, s, allow);
  const auto* allowed = Find(families, "cproc_container_namespace_sharing_allowed");
  REQUIRE(allowed->metric.size() == 4);
  for (const auto& m : allowed->metric) {
    CAPTURE(Label(m, "container"));
    CHECK(m.gauge.value == (Label(m, "container") == "db" ? 0 : 1));
  }
}
