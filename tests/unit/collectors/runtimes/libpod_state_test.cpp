// Podman's pods named from libpod's state database: the parser on the file the real Podman 4.3
// wrote (fixtures/podman/bolt_state.db: a pod of two containers and its infra container, and a
// plain container; see fixtures/README.md) and on hand-made broken ones.
#include "collectors/runtimes/libpod_state.h"

#include <doctest/doctest.h>

#include <string>

#include "tests/unit/collectors/runtimes/libpod_fixture.h"

using namespace cproc;
using cproc::testing::kApp;
using cproc::testing::kInfra;
using cproc::testing::kPlain;
using cproc::testing::kPod;
using cproc::testing::kPodName;
using cproc::testing::kSidecar;
using cproc::testing::OneContainer;
using cproc::testing::PodmanStateDb;

TEST_CASE("libpod state: containers and pods from a database Podman 4.3 wrote") {
  auto state = ParseLibpodState(PodmanStateDb());
  REQUIRE_MESSAGE(state.ok(), (state.ok() ? "" : state.error()));
  CHECK(state->skipped == 0);
  REQUIRE(state->pod_names.size() == 1);
  CHECK(state->pod_names.at(kPod) == kPodName);
  REQUIRE(state->containers.size() == 4);
  for (const std::string& member : {kInfra, kApp, kSidecar}) {
    CHECK(state->containers.at(member).pod_id == kPod);
  }
  CHECK(state->containers.at(kInfra).name == "04e78ba0bce3-infra");
  CHECK(state->containers.at(kInfra).infra);
  CHECK(state->containers.at(kApp).name == "cproc-fixture-2993-app");
  CHECK_FALSE(state->containers.at(kApp).infra);
  CHECK(state->containers.at(kSidecar).name == "cproc-fixture-2993-sidecar");
  CHECK(state->containers.at(kPlain).name == "cproc-fixture-2993-plain");
  CHECK(state->containers.at(kPlain).pod_id.empty());
  for (const auto& [id, container] : state->containers) {
    CAPTURE(id);
    CHECK(container.stop_signal == 15);  // libpod's default, written out
  }
}

TEST_CASE("libpod state: configs that are not libpod's, and files that are not its state") {
  auto good = ParseLibpodState(OneContainer(R"({"id":"abc","name":"n","pod":"p1","x":{"y":[1]}})"));
  REQUIRE(good.ok());
  CHECK(good->containers.at("abc").name == "n");
  CHECK(good->containers.at("abc").pod_id == "p1");

  // One container's config is not JSON: it is skipped and said why, the file still counts.
  auto broken = ParseLibpodState(OneContainer("{\"name\": not json"));
  REQUIRE(broken.ok());
  CHECK(broken->containers.empty());
  CHECK(broken->skipped == 1);
  CHECK(broken->first_problem == "ctr abc: config is not a JSON object");
  auto array = ParseLibpodState(OneContainer("[\"name\"]"));
  REQUIRE(array.ok());
  CHECK(array->skipped == 1);
  // Odd field types are ignored.
  auto odd = ParseLibpodState(OneContainer(R"({"name":7,"pod":["x"],"pause":"yes"})"));
  REQUIRE(odd.ok());
  CHECK(odd->containers.at("abc").name.empty());
  CHECK(odd->containers.at("abc").pod_id.empty());
  CHECK_FALSE(odd->containers.at("abc").infra);
  CHECK(odd->containers.at("abc").stop_signal == 0);

  // podman run --stop-signal SIGUSR1: "stopSignal":10 (seen in Podman 4.3.1's database).
  CHECK(ParseLibpodState(OneContainer(R"({"name":"n","stopSignal":10})"))
            ->containers.at("abc")
            .stop_signal == 10);
  for (const char* odd_signal : {R"({"stopSignal":"10"})", R"({"stopSignal":-1})",
                                 R"({"stopSignal":65})", R"({"stopSignal":1.5})"}) {
    CAPTURE(odd_signal);
    CHECK(ParseLibpodState(OneContainer(odd_signal))->containers.at("abc").stop_signal == 0);
  }

  auto no_pods = ParseLibpodState(OneContainer("{}", /*with_pod_bucket=*/false));
  REQUIRE_FALSE(no_pods.ok());
  CHECK(no_pods.error() == "no \"pod\" bucket: not libpod's state");
  CHECK(ParseLibpodState("").error().find("no valid meta page") != std::string::npos);
  CHECK_FALSE(ParseLibpodState(std::string(8192, '\0')).ok());
  CHECK_FALSE(ParseLibpodState(std::string_view(PodmanStateDb()).substr(0, 20000)).ok());
}
