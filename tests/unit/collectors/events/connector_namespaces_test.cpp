#include "collectors/events/connector_namespaces.h"

#include <doctest/doctest.h>

using namespace cproc;

namespace {

constexpr KernelVersion kNew{6, 18};
constexpr KernelVersion kOld{6, 1};

NsSet Initial(KernelVersion kernel) {
  NsSet set{};
  for (std::size_t kind = 0; kind < kNsKindCount; ++kind) {
    set[kind] =
        NsId{.dev = 4,
             .ino = InitialNamespaceInode(static_cast<NsKind>(kind), kernel).value_or(0xF0000001U)};
  }
  return set;
}

}  // namespace

TEST_CASE("connector namespaces: the initial ones are fine") {
  CHECK_FALSE(ConnectorNamespaceProblem(Initial(kNew), kNew).has_value());
  CHECK_FALSE(ConnectorNamespaceProblem(Initial(kOld), kOld).has_value());
}

TEST_CASE("connector namespaces: another PID, user or network namespace is named") {
  NsSet self = Initial(kNew);
  NsOf(self, NsKind::kPid).ino = 0xF0000123U;
  auto problem = ConnectorNamespaceProblem(self, kNew);
  REQUIRE(problem.has_value());
  CHECK(problem->find("pid:[" + std::to_string(0xF0000123U) + "]") != std::string::npos);
  CHECK(problem->find("user:[") == std::string::npos);  // only the one that differs is named
  CHECK(problem->find("net:[") == std::string::npos);

  NsOf(self, NsKind::kNet).ino = 0xF0000200U;
  NsOf(self, NsKind::kUser).ino = 0xF0000300U;
  problem = ConnectorNamespaceProblem(self, kNew);
  REQUIRE(problem.has_value());
  CHECK(problem->find("user:[") != std::string::npos);
  CHECK(problem->find("net:[") != std::string::npos);
}

TEST_CASE("connector namespaces: what cannot be told is no problem") {
  NsSet self = Initial(kOld);
  NsOf(self, NsKind::kNet).ino = 0xF0000200U;  // before 6.18 the initial one has no fixed number
  CHECK_FALSE(ConnectorNamespaceProblem(self, kOld).has_value());
  NsOf(self, NsKind::kPid) = NsId{};  // unreadable link
  CHECK_FALSE(ConnectorNamespaceProblem(self, kOld).has_value());
  CHECK_FALSE(ConnectorNamespaceProblem(self, std::nullopt).has_value());  // unknown kernel
}
