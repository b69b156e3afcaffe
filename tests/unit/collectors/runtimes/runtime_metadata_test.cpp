// Metadata parsing from files shaped like the real ones each runtime writes (some of them in
// fixtures/, see fixtures/README.md), and a scan that names a Podman pod from them.
#include "collectors/runtimes/runtime_metadata.h"

#include <doctest/doctest.h>

#include <csignal>
#include <string>

#include "collectors/scan/scanner.h"
#include "exporter/metrics/metric_families.h"
#include "tests/support/fixture_procfs.h"
#include "tests/unit/collectors/runtimes/runtime_files_fixture.h"

using namespace cproc;
using cproc::testing::ContainerNs;
using cproc::testing::Fixture;
using cproc::testing::FixtureProcfs;
using cproc::testing::HostNs;
using cproc::testing::K;
using cproc::testing::kDockerConfig;
using cproc::testing::kDockerHostConfig;
using cproc::testing::kPodmanCache;
using cproc::testing::kPodmanInfra;
using cproc::testing::kPodmanPod;
using cproc::testing::kPodmanWeb;
using cproc::testing::WritePodmanStorage;

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

TEST_CASE("stop signals: Docker's Config.StopSignal, the OCI annotations, absent = none") {
  // Config.StopSignal as dockerd 20.10 writes it for --stop-signal SIGUSR1, --stop-signal 10 and
  // a Dockerfile STOPSIGNAL SIGQUIT; absent without either.
  const auto docker = [](const std::string& stop) {
    return ParseDockerMetadata(R"({"Name":"/a","Config":{"Image":"i")" + stop + "}}", "")
        .value()
        .stop_signal;
  };
  CHECK(docker(R"(,"StopSignal":"SIGUSR1")") == SIGUSR1);
  CHECK(docker(R"(,"StopSignal":"10")") == SIGUSR1);
  CHECK(docker(R"(,"StopSignal":"sigquit")") == SIGQUIT);
  CHECK(docker(R"(,"StopSignal":"SIGRTMIN+3")") == 37);
  CHECK(docker(R"(,"StopSignal":9)") == SIGKILL);
  CHECK(docker("") == 0);
  CHECK(ParseDockerMetadata(kDockerConfig, kDockerHostConfig)->stop_signal == 0);
  // Invalid: not declared (dockerd then sends SIGTERM too), and the rest of the file is used.
  for (const char* odd :
       {R"(,"StopSignal":"")", R"(,"StopSignal":"SIGNOPE")", R"(,"StopSignal":"99")",
        R"(,"StopSignal":-3)", R"(,"StopSignal":[15])", R"(,"StopSignal":null)"}) {
    CAPTURE(odd);
    CHECK(docker(odd) == 0);
  }

  // Podman's userdata/config.json carries the number (a real one, fixtures/: STOPSIGNAL SIGQUIT).
  CHECK(ParseOciConfig(Fixture("podman/config.json"))->stop_signal == SIGQUIT);
  CHECK(ParseOciConfig(R"({"annotations":{"org.opencontainers.image.stopSignal":"SIGUSR2"}})")
            ->stop_signal == SIGUSR2);
  CHECK(ParseOciConfig(R"({"annotations":{"io.containerd.image.config.stop-signal":"SIGINT"}})")
            ->stop_signal == SIGINT);
  // The OCI one first; an invalid one does not hide the other.
  CHECK(ParseOciConfig(R"({"annotations":{"io.containerd.image.config.stop-signal":"SIGINT",
      "org.opencontainers.image.stopSignal":"10"}})")
            ->stop_signal == SIGUSR1);
  CHECK(ParseOciConfig(R"({"annotations":{"io.containerd.image.config.stop-signal":"SIGINT",
      "org.opencontainers.image.stopSignal":"bogus"}})")
            ->stop_signal == SIGINT);
  CHECK(
      ParseOciConfig(R"({"annotations":{"io.kubernetes.cri.container-name":"a"}})")->stop_signal ==
      0);
  CHECK(ParseOciConfig(R"({"annotations":{"org.opencontainers.image.stopSignal":15.5}})")
            ->stop_signal == 0);
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

  // The stop signal from web's config.json annotation (SIGQUIT); none declared for cache (only
  // in containers.json): SIGTERM.
  CHECK(Series(families, "cproc_container_pid1_info",
               {{"container_id", ctr(kPodmanWeb)}, {"stop_signal", "SIGQUIT"}}) != nullptr);
  CHECK(Series(families, "cproc_container_pid1_info",
               {{"container_id", ctr(kPodmanCache)}, {"stop_signal", "SIGTERM"}}) != nullptr);

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
