#include "collectors/container_layouts.h"

#include <doctest/doctest.h>

using namespace cproc;

namespace {
const std::string kId = "7951fb549ab99e0722a949b6c121634e1f3a36b5bacbe5392991e3b12251e6b8";
}

TEST_CASE("layouts: Docker containers in both drivers") {
  struct Case {
    std::string path;
    std::string cgroup;  // expected container cgroup
  };
  const Case cases[] = {
      {"/docker/" + kId, "/docker/" + kId},
      {"/system.slice/docker-" + kId + ".scope", "/system.slice/docker-" + kId + ".scope"},
      // systemd inside the container, DinD: cgroups below the container resolve to it.
      {"/docker/" + kId + "/init.scope", "/docker/" + kId},
      {"/system.slice/docker-" + kId + ".scope/system.slice/x.service",
       "/system.slice/docker-" + kId + ".scope"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.path);
    auto match = MatchContainer(c.path, DefaultContainerLayouts());
    REQUIRE(match.has_value());
    CHECK(match->runtime == "docker");
    CHECK(match->id == kId);
    CHECK(match->cgroup == c.cgroup);
  }
}

TEST_CASE("layouts: the innermost container wins when containers nest") {
  const std::string inner(64, 'b');
  auto match = MatchContainer("/docker/" + kId + "/docker/" + inner, DefaultContainerLayouts());
  REQUIRE(match.has_value());
  CHECK(match->id == inner);
  CHECK(match->cgroup == "/docker/" + kId + "/docker/" + inner);
}

TEST_CASE("layouts: things that are not Docker containers") {
  const std::string cases[] = {
      "/",
      "",
      "/docker",
      "/docker/",
      "/system.slice/docker.service",
      "/system.slice/containerd.service",
      "/system.slice/var-lib-docker-overlay2-" + kId + "-merged.mount",
      "/system.slice/run-docker-netns-1234.mount",
      "/docker/" + kId.substr(0, 63),                    // too short
      "/docker/" + kId + "0",                            // too long
      "/docker/" + std::string(64, 'g'),                 // not hex
      "/docker/" + std::string(64, 'A'),                 // Docker ids are lower case
      "/other/" + kId,                                   // bare id needs the docker parent
      "/" + kId,                                         // no parent at all
      "/system.slice/docker-" + kId,                     // systemd form without .scope
      "/system.slice/docker-" + kId + ".scope.mount",
      "/system.slice/docker-conmon-" + kId + ".scope",
      "/process_api/b4e8490a48a598fca851c3ae36996345",   // this CI host's own cgroup
      "/user.slice/user-0.slice/session-1.scope",
      "/init.scope",
  };
  for (const std::string& path : cases) {
    CAPTURE(path);
    CHECK_FALSE(MatchContainer(path, DefaultContainerLayouts()).has_value());
  }
}

TEST_CASE("layouts: a new runtime is one row of data") {
  std::vector<ContainerLayout> layouts = DefaultContainerLayouts();
  layouts.push_back({.runtime = "podman", .name = "podman-systemd", .prefix = "libpod-",
                     .suffix = ".scope", .parent = ""});
  auto match = MatchContainer("/machine.slice/libpod-" + kId + ".scope", layouts);
  REQUIRE(match.has_value());
  CHECK(match->runtime == "podman");
  CHECK_FALSE(MatchContainer("/machine.slice/libpod-" + kId + ".scope",
                             DefaultContainerLayouts())
                  .has_value());
}
