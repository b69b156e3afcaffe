// Files shaped like the real ones each runtime writes, and a host root to find them under, shared
// by the tests of their parsers (runtime_metadata_test.cpp), of the store that finds them
// (metadata_store_test.cpp) and of what asks the store (collectors/scan/*_test.cpp). Some are in
// fixtures/, see fixtures/README.md.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>

#include "collectors/procfs/namespaces.h"
#include "collectors/runtimes/metadata_store.h"
#include "tests/support/fixture_procfs.h"
#include "tests/support/source_file.h"

namespace cproc::testing {

constexpr std::size_t K(NsKind kind) { return static_cast<std::size_t>(kind); }

// A file of tests/unit/fixtures/ (found next to this source, so no build setup is needed).
inline std::string Fixture(const std::string& name) {
  return ReadSourceFile(std::filesystem::path(__FILE__).parent_path() / "../../fixtures" / name);
}

// The containers of the Podman fixtures (fixtures/podman/*.json).
inline const std::string kPodmanPod =
    "71b289d2028f1c5a5557efaee6f352615311e199997f0ec2fa5b579876eb9e07";
inline const std::string kPodmanInfra =
    "6d6d61f09fc1c86833314aa7ed0065c087b707c3cf5687d5b5e9c7699d7dcc72";
inline const std::string kPodmanWeb =
    "4b5e57f6eb2f42b9039b3d1e13929295f231749c510cbe341cd68036d9af97e2";
inline const std::string kPodmanCache =
    "5e1ecee06a7fc06f305ae5c12acfe7a7f67b8ece7af76932ed3afab00c3c6921";
inline const std::string kPodmanTmp =
    "cf10d3eb4b80f1fdd74306ab6e6152f1822b19451b959eba448ba2d0b2beb22b";

// The default roots under a fixture host's root, retried every 30 s.
inline MetadataPaths PathsUnder(const FixtureProcfs& root) {
  MetadataPaths paths;
  paths.rootfs = root.root();
  paths.retry_seconds = 30;
  return paths;
}

// Podman as root on a host: lists in the graph root, the --rm list and CRI-O-style run files in
// the run root (transient store), web's OCI config in its userdata directory.
inline void WritePodmanStorage(const FixtureProcfs& root) {
  const std::string graph = "var/lib/containers/storage/overlay-containers/";
  root.Write(graph + "containers.json", Fixture("podman/containers.json"));
  root.Write(graph + kPodmanWeb + "/userdata/config.json", Fixture("podman/config.json"));
  root.Write("run/containers/storage/overlay-containers/volatile-containers.json",
             Fixture("podman/volatile-containers.json"));
}

// Trimmed from a real Docker 20.10 config.v2.json and hostconfig.json on this machine.
inline const char* const kDockerConfig = R"({"StreamConfig":{},"State":{"Running":true,"Pid":1648},
  "ID":"5fcef25daba262eec4b64044981a4176c33368e173f2db58edab1faca7c888ba",
  "Config":{"Hostname":"5fcef25daba2","Image":"cproc-test/busybox","Cmd":["sleep","1000"],
  "Labels":{}},"Image":"sha256:f7019c44786a","Name":"/db","Driver":"overlay2"})";
inline const char* const kDockerHostConfig =
    R"({"NetworkMode":"default","PidMode":"host","IpcMode":"private",
  "UTSMode":"","CgroupnsMode":"host","UsernsMode":"","CgroupParent":""})";

}  // namespace cproc::testing
