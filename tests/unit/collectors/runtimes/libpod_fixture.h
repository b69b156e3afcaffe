// libpod's state for the tests of its parser (libpod_state_test.cpp) and of what reads it
// (metadata_store_test.cpp, container_naming_test.cpp): the containers of the database the real
// Podman 4.3 wrote (fixtures/podman/bolt_state.db, see fixtures/README.md), and hand-made files
// of libpod's shape.
#pragma once

#include <string>
#include <vector>

#include "tests/unit/collectors/runtimes/bolt_builder.h"

namespace cproc::testing {

// What `podman pod ps` / `podman ps -a --pod --no-trunc` said when the fixture was made.
inline const std::string kPod = "04e78ba0bce366bd24a17e79335905dddfb58665c19d05871c82c4a93023aeda";
inline const std::string kPodName = "cproc-fixture-2993-web";
inline const std::string kInfra =
    "30d2298990fc4ad703e4b3476835266c506a5b398005ca45d5d0130ac787dd61";
inline const std::string kApp = "1be58b975f237c469ec9cc2e512279ba360a03585bcdb5fe395de17f98fd810f";
inline const std::string kSidecar =
    "dacb987a64b4d907abd693fa4ee80d84aa02f53156d9692f4d128d8f44104605";
inline const std::string kPlain =
    "a27d9b10e7c6f8dcac3308de3cb5a0c08a18a0bf4d8ae58b8616a64835cb3f0e";

// A libpod-shaped file: a "ctr" bucket (page 3) with one container whose bucket is inline, and
// an empty "pod" bucket.
inline std::string OneContainer(const std::string& config, bool with_pod_bucket = true) {
  BoltFile file(5);
  std::vector<BoltEntry> top = {{"ctr", BucketValue(3), true}};
  if (with_pod_bucket) top.push_back({"pod", InlineBucket({}), true});
  file.SetPage(2, LeafPage(2, top));
  file.SetPage(3, LeafPage(3, {{"abc", InlineBucket({{"config", config}}), true}}));
  return file.bytes();
}

}  // namespace cproc::testing
