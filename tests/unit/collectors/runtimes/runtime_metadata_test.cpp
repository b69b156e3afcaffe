// Metadata parsing from files shaped like the real ones each runtime writes (some of them in
// fixtures/, see fixtures/README.md), and the store that finds them on a host's root.
#include "collectors/runtimes/runtime_metadata.h"

#include <doctest/doctest.h>

#include <filesystem>

#include "collectors/runtimes/metadata_store.h"
#include "collectors/scan/scanner.h"
#include "exporter/metrics/metric_families.h"
#include "tests/support/fixture_procfs.h"
#include "tests/support/source_file.h"

using namespace cproc;
using cproc::testing::ContainerNs;
using cproc::testing::FixtureProcfs;
using cproc::testing::HostNs;

namespace {

constexpr std::size_t K(NsKind kind) { return static_cast<std::size_t>(kind); }

// A file of tests/unit/fixtures/ (found next to this source, so no build setup is needed).
std::string Fixture(const std::string& name) {
  return testing::ReadSourceFile(std::filesystem::path(__FILE__).parent_path() / "../../fixtures" /
                                 name);
}

// The containers of the Podman fixtures (fixtures/podman/*.json).
const std::string kPodmanPod = "71b289d2028f1c5a5557efaee6f352615311e199997f0ec2fa5b579876eb9e07";
const std::string kPodmanInfra = "6d6d61f09fc1c86833314aa7ed0065c087b707c3cf5687d5b5e9c7699d7dcc72";
const std::string kPodmanWeb = "4b5e57f6eb2f42b9039b3d1e13929295f231749c510cbe341cd68036d9af97e2";
const std::string kPodmanCache = "5e1ecee06a7fc06f305ae5c12acfe7a7f67b8ece7af76932ed3afab00c3c6921";
const std::string kPodmanTmp = "cf10d3eb4b80f1fdd74306ab6e6152f1822b19451b959eba448ba2d0b2beb22b";

// Podman as root on a host: lists in the graph root, the --rm list and CRI-O-style run files in
// the run root (transient store), web's OCI config in its userdata directory.
void WritePodmanStorage(const FixtureProcfs& root) {
  const std::string graph = "var/lib/containers/storage/overlay-containers/";
  root.Write(graph + "containers.json", Fixture("podman/containers.json"));
  root.Write(graph + kPodmanWeb + "/userdata/config.json", Fixture("podman/config.json"));
  root.Write("run/containers/storage/overlay-containers/volatile-containers.json",
             Fixture("podman/volatile-containers.json"));
}

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

TEST_CASE("metadata store: files that exist but cannot be used are counted, missing ones not") {
  cproc::testing::FixtureProcfs root;
  MetadataPaths paths;
  paths.rootfs = root.root();
  paths.retry_seconds = 0;
  MetadataStore store(paths);
  CHECK(store.Lookup("docker", std::string(64, 'a'), 1).metadata == nullptr);  // not there
  CHECK(store.errors().parse == 0);
  CHECK(store.errors().io == 0);

  const std::string bad(64, 'b'), odd(64, 'c');
  root.Write("var/lib/docker/containers/" + bad + "/config.v2.json", "{\"Name\": [");  // cut off
  // A directory where the file should be: exists, cannot be read as one.
  root.Write("var/lib/docker/containers/" + odd + "/config.v2.json/x", "");
  CHECK(store.Lookup("docker", bad, 2).metadata == nullptr);
  CHECK(store.errors().parse == 1);
  CHECK(store.Lookup("docker", odd, 2).metadata == nullptr);
  CHECK(store.errors().io == 1);
  CHECK(store.errors().permission == 0);  // root reads anything; tests/reliability shows it
}

TEST_CASE("containers/storage lists: Podman's names and images, renames, CRI-O's Kubernetes name") {
  auto listed = ParseStorageContainers(Fixture("podman/containers.json"));
  REQUIRE_MESSAGE(listed.ok(), (listed.ok() ? "" : listed.error()));
  REQUIRE(listed->size() == 3);
  CHECK((*listed)[0].id == kPodmanInfra);
  CHECK((*listed)[0].name == "71b289d2028f-infra");
  CHECK((*listed)[0].image == "localhost/podman-pause:4.3.1-0");
  CHECK((*listed)[1].id == kPodmanWeb);
  CHECK((*listed)[1].name == "web");
  CHECK((*listed)[1].image == "docker.io/library/nginx:1.25-alpine");
  // `podman rename` changes names, not the metadata written at creation.
  CHECK((*listed)[2].name == "cache-renamed");
  CHECK((*listed)[2].image == "docker.io/library/redis:7-alpine");

  // CRI-O (internal/storage RuntimeContainerMetadata): the Kubernetes container name wins over
  // its k8s_<container>_<pod>_... storage name.
  auto crio = ParseStorageContainers(
      R"([{"id":"abc","names":["k8s_api_api-7f9c_prod_1234_0"],"image":"sha256:1",
      "metadata":"{\"pod-name\":\"api-7f9c\",\"pod-id\":\"def\",\"image-name\":\"quay.io/x/api:2\",\"name\":\"k8s_api_api-7f9c_prod_1234_0\",\"metadata-name\":\"api\"}"}])");
  REQUIRE(crio.ok());
  REQUIRE(crio->size() == 1);
  CHECK(crio->front().name == "api");
  CHECK(crio->front().image == "quay.io/x/api:2");

  // Odd entries: no id (skipped), metadata that is not JSON, no names, wrong types.
  auto odd = ParseStorageContainers(
      R"([{"names":["ghost"]},{"id":"a","names":["n1"],"metadata":"not json"},
      {"id":"b","metadata":"{\"name\":\"from-metadata\"}"},{"id":"c","names":[7],"image":3},
      {"id":"d","names":[]}])");
  REQUIRE(odd.ok());
  REQUIRE(odd->size() == 4);
  CHECK((*odd)[0].id == "a");
  CHECK((*odd)[0].name == "n1");
  CHECK((*odd)[0].image.empty());
  CHECK((*odd)[1].name == "from-metadata");
  CHECK((*odd)[2].name.empty());
  CHECK((*odd)[3].name.empty());
  CHECK(ParseStorageContainers("[]")->empty());
  CHECK_FALSE(ParseStorageContainers("").ok());
  CHECK_FALSE(ParseStorageContainers("{\"id\":\"a\"}").ok());  // an object, not the list
  CHECK_FALSE(ParseStorageContainers("[{\"id\":").ok());       // cut off mid-write
}

TEST_CASE("OCI config.json from Podman: no name, the pod from cgroupsPath, joined namespaces") {
  auto m = ParseOciConfig(Fixture("podman/config.json"));
  REQUIRE_MESSAGE(m.ok(), (m.ok() ? "" : m.error()));
  CHECK(m->name.empty());  // Podman's names are in containers.json
  CHECK(m->image.empty());
  CHECK(m->pod_uid == kPodmanPod);
  CHECK_FALSE(m->sandbox);
  CHECK(m->declared_host[K(NsKind::kPid)] == 0);
  CHECK(m->declared_host[K(NsKind::kNet)] == 0);  // the infra container's, by path
  CHECK(m->declared_host[K(NsKind::kIpc)] == 0);
  CHECK(m->declared_host[K(NsKind::kUts)] == 0);
  CHECK(m->declared_host[K(NsKind::kMnt)] == 0);
  CHECK(m->declared_host[K(NsKind::kCgroup)] == 0);
  CHECK(m->declared_host[K(NsKind::kUser)] == 1);  // not listed: the host's

  // Not in a pod, or cgroupfs: no pod from the path; Kubernetes annotations keep theirs.
  auto alone =
      ParseOciConfig(R"({"linux":{"cgroupsPath":"machine.slice:libpod:)" + kPodmanWeb + R"("}})");
  REQUIRE(alone.ok());
  CHECK(alone->pod_uid.empty());
  auto cgroupfs = ParseOciConfig(R"({"linux":{"cgroupsPath":"/libpod_parent/)" + kPodmanPod +
                                 "/libpod-" + kPodmanWeb + R"("}})");
  REQUIRE(cgroupfs.ok());
  CHECK(cgroupfs->pod_uid.empty());
  auto rootless = ParseOciConfig(R"({"linux":{"cgroupsPath":"user-libpod_pod_)" + kPodmanPod +
                                 ".slice:libpod:" + kPodmanWeb + R"("}})");
  REQUIRE(rootless.ok());
  CHECK(rootless->pod_uid == kPodmanPod);
  auto k8s = ParseOciConfig(
      R"({"annotations":{"io.kubernetes.pod.uid":"11111111-2222-3333-4444-555555555555"},
      "linux":{"cgroupsPath":"kubepods-besteffort-pod11111111_2222_3333_4444_555555555555.slice:crio:x"}})");
  REQUIRE(k8s.ok());
  CHECK(k8s->pod_uid == "11111111-2222-3333-4444-555555555555");
}

TEST_CASE("docker daemon.json: the data-root, if it moves it") {
  CHECK(ParseDockerDataRoot(Fixture("docker/daemon.json")).value() == "/srv/docker");
  CHECK(ParseDockerDataRoot(R"({"graph":"/data/docker"})").value() == "/data/docker");
  CHECK(ParseDockerDataRoot(R"({"data-root":"/a","graph":"/b"})").value() == "/a");
  CHECK(ParseDockerDataRoot(R"({"log-driver":"journald"})").value().empty());
  CHECK(ParseDockerDataRoot(R"({"data-root":"/"})").value() == "/");
  CHECK_FALSE(ParseDockerDataRoot(R"({"data-root":"docker"})").ok());  // relative
  CHECK_FALSE(ParseDockerDataRoot("{").ok());
  CHECK_FALSE(ParseDockerDataRoot("").ok());
}

TEST_CASE("metadata store: Podman containers named from containers/storage's lists") {
  FixtureProcfs root;
  WritePodmanStorage(root);
  MetadataPaths paths;
  paths.rootfs = root.root();
  MetadataStore store(paths);

  auto web = store.Lookup("podman", kPodmanWeb, 10);
  REQUIRE(web.metadata != nullptr);
  CHECK(web.runtime == "podman");
  CHECK(web.metadata->name == "web");                                   // containers.json
  CHECK(web.metadata->image == "docker.io/library/nginx:1.25-alpine");  // its image-name
  CHECK(web.metadata->pod_uid == kPodmanPod);                           // config.json
  CHECK(web.metadata->declared_host[K(NsKind::kNet)] == 0);

  // Only in the list (no config.json read): named, nothing declared.
  auto cache = store.Lookup("podman", kPodmanCache, 10);
  REQUIRE(cache.metadata != nullptr);
  CHECK(cache.metadata->name == "cache-renamed");
  CHECK(cache.metadata->declared_host[K(NsKind::kPid)] == -1);
  // A --rm container, listed in the run root's volatile-containers.json.
  auto tmp = store.Lookup("podman", kPodmanTmp, 10);
  REQUIRE(tmp.metadata != nullptr);
  CHECK(tmp.metadata->name == "tmp-shell");
  CHECK(tmp.metadata->image == "docker.io/library/busybox:1.36");
  CHECK(store.Lookup("podman", std::string(64, 'f'), 10).metadata == nullptr);

  // The list is read again when it changes: a container made after the first lookups.
  const std::string fresh(64, '9');
  root.Write("var/lib/containers/storage/overlay-containers/containers.json",
             R"([{"id":")" + fresh + R"(","names":["fresh"],"image":"x"}])");
  auto found = store.Lookup("podman", fresh, 11);
  REQUIRE(found.metadata != nullptr);
  CHECK(found.metadata->name == "fresh");

  // Other storage drivers keep the same files in <driver>-containers.
  const std::string vfs(64, '8');
  root.Write("var/lib/containers/storage/vfs-containers/containers.json",
             R"([{"id":")" + vfs + R"(","names":["on-vfs"]}])");
  REQUIRE(store.Lookup("podman", vfs, 12).metadata != nullptr);
  CHECK(store.Lookup("podman", vfs, 12).metadata->name == "on-vfs");
}

TEST_CASE("metadata store: storage and bundle roots come from the paths, globs included") {
  FixtureProcfs root;
  const std::string rootless(64, '7');
  root.Write("home/alice/.local/share/containers/storage/overlay-containers/containers.json",
             R"([{"id":")" + rootless + R"(","names":["alice-web"]}])");
  root.Write("srv/bundles/default/job-1/config.json", R"({"annotations":{"nerdctl/name":"job"}})");
  WritePodmanStorage(root);
  {
    MetadataPaths defaults;  // rootless storage is not looked at unless asked for
    defaults.rootfs = root.root();
    MetadataStore store(defaults);
    CHECK(store.Lookup("podman", rootless, 1).metadata == nullptr);
    CHECK(store.Lookup("containerd", "job-1", 1).metadata == nullptr);
    CHECK_FALSE(store.HasBundle("default", "job-1"));
  }
  MetadataPaths paths;
  paths.rootfs = root.root();
  paths.storage_roots = {"/home/*/.local/share/containers/storage"};
  paths.bundle_roots = {"/srv/bundles"};
  MetadataStore store(paths);
  auto alice = store.Lookup("podman", rootless, 1);
  REQUIRE(alice.metadata != nullptr);
  CHECK(alice.metadata->name == "alice-web");
  CHECK(store.Lookup("podman", kPodmanWeb, 1).metadata == nullptr);  // not in these roots
  auto job = store.Lookup("containerd", "job-1", 1);
  REQUIRE(job.metadata != nullptr);
  CHECK(job.metadata->name == "job");
  CHECK(store.HasBundle("default", "job-1"));

  MetadataPaths none;
  none.rootfs = root.root();
  none.storage_roots.clear();
  none.bundle_roots.clear();
  MetadataStore off(none);
  CHECK(off.Lookup("podman", kPodmanWeb, 1).metadata == nullptr);
}

TEST_CASE("metadata store: confirms Docker ids and containerd bundles from their files") {
  FixtureProcfs root;
  const std::string id(64, 'd');
  root.Write("var/lib/docker/containers/" + id + "/config.v2.json", "{}");
  root.Write("run/containerd/io.containerd.runtime.v2.task/default/svc/config.json", "{}");
  MetadataPaths paths;
  paths.rootfs = root.root();
  MetadataStore store(paths);
  CHECK(store.Confirms("docker", "my-parent", id));
  CHECK(store.Confirms("docker", "..", id));  // any parent: --cgroup-parent is free
  CHECK_FALSE(store.Confirms("docker", "my-parent", std::string(64, 'e')));
  CHECK_FALSE(store.Confirms("docker", "x", "../../etc"));
  CHECK(store.Confirms("containerd", "default", "svc"));
  CHECK_FALSE(store.Confirms("containerd", "other", "svc"));
  CHECK_FALSE(store.Confirms("containerd", "..", "svc"));
  CHECK_FALSE(store.Confirms("podman", "default", "svc"));  // nothing to confirm for the others
}

TEST_CASE("metadata store: Docker's data-root from its daemon.json unless given") {
  FixtureProcfs root;
  const std::string id(64, 'a');
  root.Write("etc/docker/daemon.json", Fixture("docker/daemon.json"));
  root.Write("srv/docker/containers/" + id + "/config.v2.json", kDockerConfig);
  MetadataPaths paths;
  paths.rootfs = root.root();
  {
    MetadataStore store(paths);
    CHECK(store.docker_root() == "/srv/docker");
    auto found = store.Lookup("docker", id, 1);
    REQUIRE(found.metadata != nullptr);
    CHECK(found.metadata->name == "db");
    CHECK(store.Confirms("docker", "p", id));
  }
  paths.docker_root = "/var/lib/docker";  // given: daemon.json is not read
  MetadataStore given(paths);
  CHECK(given.docker_root() == "/var/lib/docker");
  CHECK(given.Lookup("docker", id, 1).metadata == nullptr);

  root.Write("etc/docker/daemon.json", "{broken");
  paths.docker_root.clear();
  MetadataStore broken(paths);
  CHECK(broken.docker_root() == "/var/lib/docker");
}

namespace {

const prometheus::ClientMetric* Series(const std::vector<prometheus::MetricFamily>& families,
                                       const std::string& name,
                                       const std::map<std::string, std::string>& labels) {
  for (const auto& family : families) {
    if (family.name != name) continue;
    for (const auto& metric : family.metric) {
      std::size_t matched = 0;
      for (const auto& label : metric.label) {
        auto it = labels.find(label.name);
        if (it != labels.end() && it->second == label.value) ++matched;
      }
      if (matched == labels.size()) return &metric;
    }
  }
  return nullptr;
}

double Value(const std::vector<prometheus::MetricFamily>& families, const std::string& name,
             const std::map<std::string, std::string>& labels) {
  const prometheus::ClientMetric* metric = Series(families, name, labels);
  REQUIRE_MESSAGE(metric != nullptr, "no series " << name);
  return metric->gauge.value;
}

}  // namespace

TEST_CASE(
    "scan and metrics: a Podman pod named from its files, its shared namespaces not foreign") {
  FixtureProcfs proc;
  FixtureProcfs rootfs;
  WritePodmanStorage(rootfs);
  const std::string slice = "/machine.slice/machine-libpod_pod_" + kPodmanPod + ".slice";
  const std::string unnamed(64, '5');
  proc.Stat(2, "kthreadd", 'S', 0, 1);
  proc.Cgroup(2, "0::/\n");
  proc.Namespaces(2, HostNs());
  // The pod: infra (catatonit) and web share net, ipc and uts, as a Podman pod does.
  const std::map<std::string, uint64_t> infra_ns = ContainerNs(5000);
  std::map<std::string, uint64_t> web_ns = infra_ns;
  // web in the host's PID namespace, although config.json says own.
  web_ns["pid"] = HostNs().at("pid");
  web_ns["mnt"] = 6002;
  web_ns["cgroup"] = 6005;
  proc.Stat(4242, "catatonit", 'S', 4200, 1000);
  proc.Cgroup(4242, "0::" + slice + "/libpod-" + kPodmanInfra + ".scope/container\n");
  proc.Namespaces(4242, infra_ns);
  proc.Stat(4300, "nginx", 'S', 4290, 1100);
  proc.Cgroup(4300, "0::" + slice + "/libpod-" + kPodmanWeb + ".scope/container\n");
  proc.Namespaces(4300, web_ns);
  // A container outside the pod with its own namespaces, and one whose files are not there.
  proc.Stat(4400, "redis-server", 'S', 4390, 1200);
  proc.Cgroup(4400, "0::/machine.slice/libpod-" + kPodmanCache + ".scope/container\n");
  proc.Namespaces(4400, ContainerNs(7000));
  proc.Stat(4500, "sh", 'S', 4490, 1300);
  proc.Cgroup(4500, "0::/machine.slice/libpod-" + unnamed + ".scope/container\n");
  std::map<std::string, uint64_t> joined_ns = ContainerNs(8000);
  joined_ns["net"] = infra_ns.at("net");  // --net=container:infra, from outside the pod
  proc.Namespaces(4500, joined_ns);
  proc.Write("sys/kernel/pid_max", "4194304");

  ScannerOptions options{.procfs = proc.root(), .sysfs = proc.root() + "/no-sysfs"};
  options.metadata.rootfs = rootfs.root();
  Scanner scanner(std::move(options));
  auto scanned = scanner.Scan();
  REQUIRE(scanned.ok());
  const Snapshot& snap = **scanned;
  REQUIRE(snap.containers.size() == 4);
  const auto families = SnapshotFamilies(snap);
  const auto ctr = [](const std::string& id) { return "podman://" + id; };

  CHECK(Value(families, "cproc_scan_containers",
              {{"runtime", "podman"}, {"naming_source", "files"}}) == 3);
  CHECK(Value(families, "cproc_scan_containers",
              {{"runtime", "podman"}, {"naming_source", "none"}}) == 1);
  // Names and images from containers.json, the pod from the pod slice.
  const auto* web_info =
      Series(families, "cproc_container_info", {{"container_id", ctr(kPodmanWeb)}});
  REQUIRE(web_info != nullptr);
  CHECK(Series(families, "cproc_container_info",
               {{"container_id", ctr(kPodmanWeb)},
                {"container", "web"},
                {"image", "docker.io/library/nginx:1.25-alpine"},
                {"pod_uid", kPodmanPod},
                {"layout", "podman-systemd"}}) != nullptr);
  CHECK(Series(families, "cproc_container_info",
               {{"container_id", ctr(kPodmanInfra)}, {"pod_uid", kPodmanPod}}) != nullptr);
  CHECK(Series(families, "cproc_container_info",
               {{"container_id", ctr(kPodmanCache)},
                {"container", "cache-renamed"},
                {"pod_uid", ""}}) != nullptr);

  // Pod members share net, ipc and uts with each other: peers, not foreign. The container that
  // joined the infra's network from outside the pod is foreign to both.
  const std::map<std::string, std::string> web_net = {{"container_id", ctr(kPodmanWeb)},
                                                      {"ns", "net"}};
  CHECK(Value(families, "cproc_container_namespace_peers", web_net) == 2);
  CHECK(Value(families, "cproc_container_namespace_foreign_peers", web_net) == 1);
  CHECK(Value(families, "cproc_container_namespace_peers",
              {{"container_id", ctr(kPodmanWeb)}, {"ns", "ipc"}}) == 1);
  CHECK(Value(families, "cproc_container_namespace_foreign_peers",
              {{"container_id", ctr(kPodmanWeb)}, {"ns", "ipc"}}) == 0);
  CHECK(Value(families, "cproc_container_namespace_foreign_peers",
              {{"container_id", ctr(unnamed)}, {"ns", "net"}}) == 2);

  // Declared (web's config.json) against observed: its PID namespace is the host's, which the
  // file did not declare.
  CHECK(Value(families, "cproc_container_declared_host_namespace",
              {{"container_id", ctr(kPodmanWeb)}, {"ns", "pid"}}) == 0);
  CHECK(Value(families, "cproc_container_host_namespace",
              {{"container_id", ctr(kPodmanWeb)}, {"ns", "pid"}}) == 1);
  CHECK(Value(families, "cproc_container_declared_host_namespace",
              {{"container_id", ctr(kPodmanWeb)}, {"ns", "user"}}) == 1);
  CHECK(Value(families, "cproc_container_namespace_declaration_mismatches",
              {{"container_id", ctr(kPodmanWeb)}}) == 1);
  // Named only from the list: nothing declared, so no declared series and no mismatch.
  CHECK(Series(families, "cproc_container_declared_host_namespace",
               {{"container_id", ctr(kPodmanCache)}}) == nullptr);
  CHECK(Value(families, "cproc_container_namespace_declaration_mismatches",
              {{"container_id", ctr(kPodmanCache)}}) == 0);
  // Unnamed: its short id, and no declaration series at all.
  CHECK(Series(families, "cproc_container_namespace_declaration_mismatches",
               {{"container_id", ctr(unnamed)}}) == nullptr);
}
