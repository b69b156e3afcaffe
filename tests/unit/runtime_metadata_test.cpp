// Metadata parsing from files shaped like the real ones each runtime writes.
#include "collectors/runtime_metadata.h"

#include <doctest/doctest.h>

#include "collectors/metadata_store.h"
#include "tests/support/fixture_procfs.h"

using namespace cproc;

namespace {

constexpr std::size_t K(NsKind kind) { return static_cast<std::size_t>(kind); }

// Trimmed from a real Docker 20.10 config.v2.json and hostconfig.json on this machine.
const char* kDockerConfig = R"({"StreamConfig":{},"State":{"Running":true,"Pid":1648},
  "ID":"5fcef25daba262eec4b64044981a4176c33368e173f2db58edab1faca7c888ba",
  "Config":{"Hostname":"5fcef25daba2","Image":"cproc-test/busybox","Cmd":["sleep","1000"],
  "Labels":{}},"Image":"sha256:f7019c44786a","Name":"/db","Driver":"overlay2"})";
const char* kDockerHostConfig = R"({"NetworkMode":"default","PidMode":"host","IpcMode":"private",
  "UTSMode":"","CgroupnsMode":"host","UsernsMode":"","CgroupParent":""})";

}  // namespace

TEST_CASE("docker metadata: name without '/', image, declared host namespaces") {
  auto m = ParseDockerMetadata(kDockerConfig, kDockerHostConfig);
  REQUIRE_MESSAGE(m.ok(), (m.ok() ? "" : m.error()));
  CHECK(m->name == "db");
  CHECK(m->image == "cproc-test/busybox");
  CHECK(m->pod_name.empty());
  CHECK(m->declared_host[K(NsKind::kPid)] == 1);
  CHECK(m->declared_host[K(NsKind::kNet)] == 0);
  CHECK(m->declared_host[K(NsKind::kIpc)] == 0);
  CHECK(m->declared_host[K(NsKind::kUts)] == 0);
  CHECK(m->declared_host[K(NsKind::kMnt)] == 0);
  CHECK(m->declared_host[K(NsKind::kCgroup)] == 1);
  CHECK(m->declared_host[K(NsKind::kUser)] == -1);  // depends on the daemon's userns-remap
  CHECK(m->declared_host[K(NsKind::kTime)] == -1);

  auto joined =
      ParseDockerMetadata(kDockerConfig, R"({"NetworkMode":"container:abc","IpcMode":"host"})");
  REQUIRE(joined.ok());
  CHECK(joined->declared_host[K(NsKind::kNet)] == 0);
  CHECK(joined->declared_host[K(NsKind::kIpc)] == 1);

  auto no_hostconfig = ParseDockerMetadata(kDockerConfig, "");
  REQUIRE(no_hostconfig.ok());
  CHECK(no_hostconfig->declared_host[K(NsKind::kPid)] == -1);
}

TEST_CASE("docker metadata: cri-dockerd labels give Kubernetes names") {
  const char* config = R"({"Name":"/k8s_api_api-7f9c_prod_1234_0","Config":{"Image":"api:1.2",
    "Labels":{"io.kubernetes.container.name":"api","io.kubernetes.pod.name":"api-7f9c",
    "io.kubernetes.pod.namespace":"prod","io.kubernetes.pod.uid":"ac04f3f2-1f2c-11e9-b015-1ebee232acfa"}}})";
  auto m = ParseDockerMetadata(config, "");
  REQUIRE(m.ok());
  CHECK(m->name == "api");
  CHECK(m->pod_name == "api-7f9c");
  CHECK(m->pod_namespace == "prod");
  CHECK(m->pod_uid == "ac04f3f2-1f2c-11e9-b015-1ebee232acfa");
  CHECK_FALSE(m->sandbox);
}

TEST_CASE("OCI config.json: containerd CRI and CRI-O annotations, linux.namespaces") {
  const char* containerd = R"({"ociVersion":"1.0.2-dev","annotations":{
    "io.kubernetes.cri.container-name":"redis","io.kubernetes.cri.container-type":"container",
    "io.kubernetes.cri.image-name":"docker.io/library/redis:alpine",
    "io.kubernetes.cri.sandbox-id":"abc","io.kubernetes.cri.sandbox-name":"cache-0",
    "io.kubernetes.cri.sandbox-namespace":"prod",
    "io.kubernetes.cri.sandbox-uid":"ac04f3f2-1f2c-11e9-b015-1ebee232acfa"},
    "linux":{"namespaces":[{"type":"pid"},{"type":"ipc","path":"/proc/42/ns/ipc"},
      {"type":"uts","path":"/proc/42/ns/uts"},{"type":"mount"},
      {"type":"network","path":"/proc/42/ns/net"}]}})";
  auto m = ParseOciConfig(containerd);
  REQUIRE_MESSAGE(m.ok(), (m.ok() ? "" : m.error()));
  CHECK(m->name == "redis");
  CHECK(m->image == "docker.io/library/redis:alpine");
  CHECK(m->pod_name == "cache-0");
  CHECK(m->pod_namespace == "prod");
  CHECK(m->pod_uid == "ac04f3f2-1f2c-11e9-b015-1ebee232acfa");
  CHECK_FALSE(m->sandbox);
  CHECK(m->declared_host[K(NsKind::kPid)] == 0);
  CHECK(m->declared_host[K(NsKind::kNet)] == 0);   // joins the sandbox's, not the host's
  CHECK(m->declared_host[K(NsKind::kUser)] == 1);  // not listed: inherited from the host
  CHECK(m->declared_host[K(NsKind::kCgroup)] == 1);

  const char* sandbox_host_pid = R"({"annotations":{"io.kubernetes.cri.container-type":"sandbox",
    "io.kubernetes.cri.sandbox-name":"agent-x"},"linux":{"namespaces":[{"type":"network"},
    {"type":"mount"},{"type":"pid","path":"/proc/1/ns/pid"}]}})";
  auto sandbox = ParseOciConfig(sandbox_host_pid);
  REQUIRE(sandbox.ok());
  CHECK(sandbox->sandbox);
  CHECK(sandbox->name == "POD");
  CHECK(sandbox->declared_host[K(NsKind::kPid)] == 1);
  CHECK(sandbox->declared_host[K(NsKind::kIpc)] == 1);

  const char* crio = R"({"annotations":{"io.kubernetes.container.name":"web",
    "io.kubernetes.pod.name":"web-1","io.kubernetes.pod.namespace":"default",
    "io.kubernetes.pod.uid":"11111111-2222-3333-4444-555555555555",
    "io.kubernetes.cri-o.ContainerType":"container","io.kubernetes.cri-o.ImageName":"nginx:1"}})";
  auto c = ParseOciConfig(crio);
  REQUIRE(c.ok());
  CHECK(c->name == "web");
  CHECK(c->pod_name == "web-1");
  CHECK(c->image == "nginx:1");
  CHECK(c->declared_host[K(NsKind::kPid)] == -1);  // no linux.namespaces: nothing declared
}

TEST_CASE("metadata parsing: malformed files are errors, odd values stay strings") {
  CHECK_FALSE(ParseDockerMetadata("", "").ok());
  CHECK_FALSE(ParseDockerMetadata("[1,2]", "").ok());
  CHECK_FALSE(ParseDockerMetadata("{\"Name\":", "").ok());
  CHECK_FALSE(ParseDockerMetadata(kDockerConfig, "{broken").ok());
  CHECK_FALSE(ParseOciConfig("null").ok());
  auto odd = ParseDockerMetadata(R"({"Name":42,"Config":"x"})", "");
  REQUIRE(odd.ok());  // wrong types are ignored, not fatal
  CHECK(odd->name.empty());
  auto hostile =
      ParseOciConfig(R"({"annotations":{"io.kubernetes.cri.container-name":"a\"b\n\u00ff"},
    "linux":{"namespaces":"nope"}})");
  REQUIRE(hostile.ok());
  CHECK(hostile->name == "a\"b\n\xc3\xbf");
}

TEST_CASE("metadata store: finds Docker files under the rootfs, caches, retries misses") {
  cproc::testing::FixtureProcfs root;
  const std::string id(64, 'a');
  MetadataPaths paths;
  paths.rootfs = root.root();
  paths.retry_seconds = 30;
  MetadataStore store(paths);
  CHECK(store.Lookup("docker", id, 100).metadata == nullptr);  // not there yet

  root.Write("var/lib/docker/containers/" + id + "/config.v2.json", kDockerConfig);
  root.Write("var/lib/docker/containers/" + id + "/hostconfig.json", kDockerHostConfig);
  CHECK(store.Lookup("docker", id, 110).metadata == nullptr);  // retried only after 30 s
  auto found = store.Lookup("docker", id, 131);
  REQUIRE(found.metadata != nullptr);
  CHECK(found.metadata->name == "db");
  CHECK(found.runtime == "docker");

  // A kubepods id that Docker's files know is cri-dockerd's: the runtime is corrected.
  const std::string k8s_id(64, 'b');
  root.Write("var/lib/docker/containers/" + k8s_id + "/config.v2.json", kDockerConfig);
  CHECK(store.Lookup("containerd", k8s_id, 200).runtime == "docker");

  // containerd bundle in a namespace directory.
  const std::string ctr_id = "my-ctr";
  root.Write("run/containerd/io.containerd.runtime.v2.task/default/my-ctr/config.json",
             R"({"annotations":{"nerdctl/name":"web"}})");
  auto ctr = store.Lookup("containerd", ctr_id, 200);
  REQUIRE(ctr.metadata != nullptr);
  CHECK(ctr.metadata->name == "web");

  CHECK(store.Lookup("docker", "../../etc", 300).metadata == nullptr);  // ids never walk paths
  store.ForgetUnused();
  store.ForgetUnused();  // nothing looked up since: all forgotten
  CHECK(store.size() == 0);
}
