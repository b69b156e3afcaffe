// A container's identity (container_id, runtime, container, pod, namespace, image) must be what
// its runtime's files say in every scan, not only the first: the metadata store keeps what it
// read across scans (README.md, "Names come from the runtimes' own files") and forgets
// containers that are gone, so state that outlives a scan's snapshot shows only after several
// scans of a host that changes. A container per row of DefaultContainerLayouts(), named from
// its runtime's files wherever the runtime keeps some, scanned kScans times while processes
// fork, exit, turn zombie and have their pids reused, and containers stop, start and arrive;
// every scan is rendered as /metrics text (checked strictly and by promtool) and as
// /api/v1/containers JSON.
#include <unistd.h>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "collectors/scan/scanner.h"
#include "exporter/metrics/metric_families.h"
#include "exporter/report/container_report.h"
#include "tests/support/exposition_check.h"
#include "tests/support/fixture_procfs.h"
#include "tests/support/promtool.h"
#include "tests/support/temp_file.h"

using namespace cproc;
using cproc::testing::CheckWithPromtool;
using cproc::testing::ContainerNs;
using cproc::testing::ExposedIdentity;
using cproc::testing::FixtureProcfs;
using cproc::testing::HostNs;
using nlohmann::json;

namespace {

constexpr int kScans = 8;
// Where the runtimes keep their files, relative to --path.rootfs (metadata_store.h).
const std::string kDockerContainers = "var/lib/docker/containers/";
const std::string kTaskRoot = "run/containerd/io.containerd.runtime.v2.task/";
const std::string kGraphOverlay = "var/lib/containers/storage/overlay-containers/";
const std::string kRunOverlay = "run/containers/storage/overlay-containers/";
const std::string kGraphList = kGraphOverlay + "containers.json";
const std::string kVolatileList = kRunOverlay + "volatile-containers.json";

struct RuntimeFile {
  std::string path;  // relative to the rootfs fixture
  std::string content;
};

// One container of a containers/storage list (containers.json, volatile-containers.json).
struct StorageListing {
  std::string list;  // relative to the rootfs fixture
  json entry;
};

struct LayoutCase {
  std::string layout = {};  // the DefaultContainerLayouts() row its cgroup must match
  std::string id = {};
  std::string cgroup = {};       // the container's cgroup (the `cgroup` label)
  std::string leaf = {};         // where its processes sit below it ("/container", "/payload")
  std::string shim_cgroup = {};  // of the runtime's process beside it (shim, conmon, monitor)
  std::vector<RuntimeFile> files = {};  // written when it is created, before its processes
  bool files_go_with_task = false;      // containerd removes a bundle when its task stops
  std::vector<StorageListing> listings = {};
  std::string container_id = {};  // expected, as are the labels below
  ExposedIdentity expected = {};
};

// ---- Runtime files, in the shapes the parsers read (collectors/runtimes/runtime_metadata.h) ----

std::string HexId(int n) {
  constexpr char kHex[] = "0123456789abcdef";
  std::string id;
  for (int i = 0; i < 32; ++i) {
    id += kHex[(n / 16) % 16];
    id += kHex[n % 16];
  }
  return id;
}

std::string PodUid(char digit) {
  const auto run = [digit](std::size_t n) { return std::string(n, digit); };
  return run(8) + "-" + run(4) + "-4" + run(3) + "-8" + run(3) + "-" + run(12);
}

// kubelet's systemd driver spells the pod UID with '_' in slice names.
std::string Underscored(std::string uid) {
  std::replace(uid.begin(), uid.end(), '-', '_');
  return uid;
}

std::string SystemdPodSlice(const std::string& qos, const std::string& uid) {
  return "/kubepods.slice/kubepods-" + qos + ".slice/kubepods-" + qos + "-pod" + Underscored(uid) +
         ".slice";
}

std::vector<RuntimeFile> DockerFiles(const std::string& id, const std::string& name,
                                     const std::string& image,
                                     const json& labels = json::object()) {
  const json config = {{"ID", id},
                       {"Name", "/" + name},
                       {"Config", {{"Image", image}, {"Labels", labels}}},
                       {"State", {{"Running", true}}}};
  const json hostconfig = {
      {"NetworkMode", "bridge"}, {"PidMode", ""}, {"IpcMode", "private"}, {"UTSMode", ""}};
  const std::string dir = kDockerContainers + id + "/";
  return {{dir + "config.v2.json", config.dump()}, {dir + "hostconfig.json", hostconfig.dump()}};
}

std::string OciConfig(const json& annotations, const std::string& cgroups_path = "") {
  json namespaces = json::array();
  for (const char* type : {"pid", "network", "ipc", "uts", "mount"}) {
    namespaces.push_back(json::object({{"type", type}}));
  }
  json linux = {{"namespaces", namespaces}};
  if (!cgroups_path.empty()) linux["cgroupsPath"] = cgroups_path;
  return json{{"ociVersion", "1.1.0"}, {"annotations", annotations}, {"linux", linux}}.dump();
}

RuntimeFile Bundle(const std::string& containerd_namespace, const std::string& id,
                   const json& annotations) {
  return {kTaskRoot + containerd_namespace + "/" + id + "/config.json", OciConfig(annotations)};
}

json CriAnnotations(const std::string& container, const std::string& pod,
                    const std::string& pod_namespace, const std::string& uid,
                    const std::string& image) {
  return {{"io.kubernetes.cri.container-type", "container"},
          {"io.kubernetes.cri.container-name", container},
          {"io.kubernetes.cri.sandbox-name", pod},
          {"io.kubernetes.cri.sandbox-namespace", pod_namespace},
          {"io.kubernetes.cri.sandbox-uid", uid},
          {"io.kubernetes.cri.image-name", image}};
}

// CRI-O keeps a container's OCI config in the run root's userdata directory.
RuntimeFile CrioUserdata(const std::string& id, const json& annotations) {
  return {kRunOverlay + id + "/userdata/config.json", OciConfig(annotations)};
}

json StorageEntry(const std::string& id, const std::string& listed_name, const json& metadata) {
  return {{"id", id},
          {"names", json::array({listed_name})},
          {"image", HexId(250)},
          {"layer", HexId(251)},
          {"metadata", metadata.dump()},  // JSON inside a string, as containers/storage writes
          {"created", "2024-04-25T08:26:41.612400317Z"}};
}

json PodmanMetadata(const std::string& name, const std::string& image) {
  return {
      {"image-name", image}, {"image-id", HexId(250)}, {"name", name}, {"created-at", 1714033601}};
}

json CrioMetadata(const std::string& container, const std::string& pod, const std::string& image) {
  return {{"pod-name", pod},         {"pod-id", HexId(252)},       {"image-name", image},
          {"image-id", HexId(250)},  {"name", "k8s_" + container}, {"metadata-name", container},
          {"created-at", 1714033601}};
}

// ---- One case per layout row (and a second for a runtime a row's guess gets wrong) ----

void AddDockerCases(std::vector<LayoutCase>& cases) {
  const std::string web = HexId(1);
  cases.push_back({.layout = "docker-cgroupfs",
                   .id = web,
                   .cgroup = "/docker/" + web,
                   .shim_cgroup = "/system.slice/containerd.service",
                   .files = DockerFiles(web, "web", "nginx:1.25"),
                   .container_id = "docker://" + web,
                   .expected = {"web", "", "", "docker", "nginx:1.25"}});
  const std::string gateway = HexId(2);
  cases.push_back({.layout = "docker-systemd",
                   .id = gateway,
                   .cgroup = "/system.slice/docker-" + gateway + ".scope",
                   .shim_cgroup = "/system.slice/containerd.service",
                   .files = DockerFiles(gateway, "api-gateway", "traefik:v2.10"),
                   .container_id = "docker://" + gateway,
                   .expected = {"api-gateway", "", "", "docker", "traefik:v2.10"}});
  const std::string build = HexId(3);
  cases.push_back({.layout = "docker-cgroup-parent",
                   .id = build,
                   .cgroup = "/ci-jobs/" + build,
                   .shim_cgroup = "/system.slice/containerd.service",
                   .files = DockerFiles(build, "build-42", "golang:1.22"),
                   .container_id = "docker://" + build,
                   .expected = {"build-42", "", "", "docker", "golang:1.22"}});
}

void AddContainerdCases(std::vector<LayoutCase>& cases) {
  const std::string api = HexId(4), api_uid = PodUid('a');
  cases.push_back(
      {.layout = "containerd-cri-systemd",
       .id = api,
       .cgroup = SystemdPodSlice("burstable", api_uid) + "/cri-containerd-" + api + ".scope",
       .shim_cgroup = "/system.slice/containerd.service",
       .files = {Bundle("k8s.io", api,
                        CriAnnotations("api", "shop-api-6b7f9c4d8-x2x4q", "shop", api_uid,
                                       "registry.example.com/shop/api:2.1.0"))},
       .files_go_with_task = true,
       .container_id = "containerd://" + api,
       .expected = {"api", "shop-api-6b7f9c4d8-x2x4q", "shop", "containerd",
                    "registry.example.com/shop/api:2.1.0"}});
  // kubelet on systemd, runc on cgroupfs: the literal cgroupsPath is the cgroup.
  const std::string agent = HexId(5), agent_uid = PodUid('b');
  cases.push_back({.layout = "containerd-cri-misconfigured",
                   .id = agent,
                   .cgroup = "/kubepods-besteffort-pod" + Underscored(agent_uid) +
                             ".slice:cri-containerd:" + agent,
                   .shim_cgroup = "/system.slice/containerd.service",
                   .files = {Bundle("k8s.io", agent,
                                    CriAnnotations("node-agent", "node-agent-7rv5k", "monitoring",
                                                   agent_uid, "quay.io/prometheus/node-exporter"))},
                   .files_go_with_task = true,
                   .container_id = "containerd://" + agent,
                   .expected = {"node-agent", "node-agent-7rv5k", "monitoring", "containerd",
                                "quay.io/prometheus/node-exporter"}});
  const std::string worker = HexId(6), worker_uid = PodUid('c');
  cases.push_back({.layout = "kubepods-cgroupfs",
                   .id = worker,
                   .cgroup = "/kubepods/besteffort/pod" + worker_uid + "/" + worker,
                   .shim_cgroup = "/system.slice/containerd.service",
                   .files = {Bundle("k8s.io", worker,
                                    CriAnnotations("worker", "batch-28471-9fzq2", "jobs",
                                                   worker_uid, "docker.io/library/busybox:1.36"))},
                   .files_go_with_task = true,
                   .container_id = "containerd://" + worker,
                   .expected = {"worker", "batch-28471-9fzq2", "jobs", "containerd",
                                "docker.io/library/busybox:1.36"}});
  // The same row for cri-dockerd: Docker's files correct the row's guess (containerd).
  const std::string legacy = HexId(7), legacy_uid = PodUid('d');
  const json kubelet_labels = {{"io.kubernetes.container.name", "legacy"},
                               {"io.kubernetes.pod.name", "legacy-app-5c9d7-h2lmn"},
                               {"io.kubernetes.pod.namespace", "legacy"},
                               {"io.kubernetes.pod.uid", legacy_uid}};
  cases.push_back(
      {.layout = "kubepods-cgroupfs",
       .id = legacy,
       .cgroup = "/kubepods/burstable/pod" + legacy_uid + "/" + legacy,
       .shim_cgroup = "/system.slice/containerd.service",
       .files = DockerFiles(legacy, "k8s_legacy_legacy-app-5c9d7-h2lmn_legacy_" + legacy_uid + "_0",
                            "legacy/app:1.4", kubelet_labels),
       .container_id = "docker://" + legacy,
       .expected = {"legacy", "legacy-app-5c9d7-h2lmn", "legacy", "docker", "legacy/app:1.4"}});
  const std::string cache = HexId(8);
  cases.push_back(
      {.layout = "nerdctl-systemd",
       .id = cache,
       .cgroup = "/system.slice/nerdctl-" + cache + ".scope",
       .shim_cgroup = "/system.slice/containerd.service",
       .files = {Bundle("default", cache,
                        {{"nerdctl/name", "redis-cache"}, {"nerdctl/platform", "linux/amd64"}})},
       .files_go_with_task = true,
       .container_id = "containerd://" + cache,
       .expected = {"redis-cache", "", "", "containerd", ""}});
  // ctr: a free-form id, no name annotation; the bundle alone confirms the generic layout.
  cases.push_back({.layout = "containerd-namespaced",
                   .id = "redis-ctr",
                   .cgroup = "/default/redis-ctr",
                   .shim_cgroup = "/system.slice/containerd.service",
                   .files = {Bundle("default", "redis-ctr", json::object())},
                   .files_go_with_task = true,
                   .container_id = "containerd://redis-ctr",
                   .expected = {"redis-ctr", "", "", "containerd", ""}});
}

void AddCrioCases(std::vector<LayoutCase>& cases) {
  const std::string dns = HexId(9), dns_uid = PodUid('e');
  const std::string dns_pod = "coredns-5d78c9869d-7xk2p";
  const std::string dns_image = "registry.k8s.io/coredns/coredns:v1.10.1";
  cases.push_back(
      {.layout = "crio-systemd",
       .id = dns,
       .cgroup = SystemdPodSlice("burstable", dns_uid) + "/crio-" + dns + ".scope",
       .shim_cgroup = SystemdPodSlice("burstable", dns_uid) + "/crio-conmon-" + dns + ".scope",
       .files = {CrioUserdata(dns, {{"io.kubernetes.container.name", "coredns"},
                                    {"io.kubernetes.pod.name", dns_pod},
                                    {"io.kubernetes.pod.namespace", "kube-system"},
                                    {"io.kubernetes.pod.uid", dns_uid},
                                    {"io.kubernetes.cri-o.ContainerType", "container"},
                                    {"io.kubernetes.cri-o.ImageName", dns_image}})},
       .listings = {{kGraphList, StorageEntry(dns, "k8s_coredns_" + dns_pod,
                                              CrioMetadata("coredns", dns_pod, dns_image))}},
       .container_id = "cri-o://" + dns,
       .expected = {"coredns", dns_pod, "kube-system", "cri-o", dns_image}});
  // A pod's sandbox: no container name (it is "POD") and, here, no image annotation, so the
  // image comes from containers.json in the graph root while the config is in the run root.
  const std::string sandbox = HexId(10), sandbox_uid = PodUid('f');
  const std::string ingress_pod = "ingress-nginx-controller-7d9f8-abcde";
  const std::string pause = "registry.k8s.io/pause:3.9";
  cases.push_back(
      {.layout = "crio-cgroupfs",
       .id = sandbox,
       .cgroup = "/kubepods/burstable/pod" + sandbox_uid + "/crio-" + sandbox,
       .shim_cgroup = "/kubepods/burstable/pod" + sandbox_uid + "/crio-conmon-" + sandbox,
       .files = {CrioUserdata(sandbox, {{"io.kubernetes.pod.name", ingress_pod},
                                        {"io.kubernetes.pod.namespace", "ingress-nginx"},
                                        {"io.kubernetes.pod.uid", sandbox_uid},
                                        {"io.kubernetes.cri-o.ContainerType", "sandbox"}})},
       .listings = {{kGraphList, StorageEntry(sandbox, "k8s_POD_" + ingress_pod,
                                              CrioMetadata("POD", ingress_pod, pause))}},
       .container_id = "cri-o://" + sandbox,
       .expected = {"POD", ingress_pod, "ingress-nginx", "cri-o", pause}});
}

void AddPodmanCases(std::vector<LayoutCase>& cases) {
  // A pod member: Podman's OCI config names no container, only the pod's slice.
  const std::string web = HexId(11), pod = HexId(12);
  const std::string nginx = "docker.io/library/nginx:1.25-alpine";
  cases.push_back(
      {.layout = "podman-systemd",
       .id = web,
       .cgroup = "/machine.slice/machine-libpod_pod_" + pod + ".slice/libpod-" + web + ".scope",
       .leaf = "/container",
       .shim_cgroup = "/machine.slice/libpod-conmon-" + web + ".scope",
       .files = {{kGraphOverlay + web + "/userdata/config.json",
                  OciConfig({{"io.container.manager", "libpod"},
                             {"org.opencontainers.image.stopSignal", "3"}},
                            "machine-libpod_pod_" + pod + ".slice:libpod:" + web)}},
       .listings = {{kGraphList, StorageEntry(web, "web", PodmanMetadata("web", nginx))}},
       .container_id = "podman://" + web,
       .expected = {"web", "", "", "podman", nginx}});
  // quadlet (--cgroups=split, --rm): listed in the run root's volatile-containers.json.
  const std::string app = HexId(13);
  cases.push_back(
      {.layout = "podman-split-systemd",
       .id = app,
       .cgroup = "/system.slice/app.service/libpod-payload-" + app + ".scope",
       .shim_cgroup = "/system.slice/app.service/supervisor",
       .listings = {{kVolatileList,
                     StorageEntry(app, "systemd-app",
                                  PodmanMetadata("systemd-app", "quay.io/acme/app:3"))}},
       .container_id = "podman://" + app,
       .expected = {"systemd-app", "", "", "podman", "quay.io/acme/app:3"}});
  // Renamed (`podman rename`): the list's names[0] wins over the name it was created with.
  const std::string mon = HexId(14);
  const std::string ceph = "quay.io/ceph/ceph:v18";
  cases.push_back(
      {.layout = "podman-split",
       .id = mon,
       .cgroup = "/system.slice/system-ceph.slice/ceph@mon.a.service/libpod-payload-" + mon,
       .shim_cgroup = "/system.slice/system-ceph.slice/ceph@mon.a.service/supervisor",
       .listings = {{kGraphList,
                     StorageEntry(mon, "ceph-mon-a", PodmanMetadata("ceph-mon-old", ceph))}},
       .container_id = "podman://" + mon,
       .expected = {"ceph-mon-a", "", "", "podman", ceph}});
  const std::string db = HexId(15), db_pod = HexId(16);
  const std::string postgres = "docker.io/library/postgres:16";
  cases.push_back(
      {.layout = "podman-cgroupfs",
       .id = db,
       .cgroup = "/libpod_parent/" + db_pod + "/libpod-" + db,
       .shim_cgroup = "/libpod_parent/" + db_pod + "/conmon",
       .listings = {{kGraphList, StorageEntry(db, "db", PodmanMetadata("db", postgres))}},
       .container_id = "podman://" + db,
       .expected = {"db", "", "", "podman", postgres}});
}

// LXC and systemd-nspawn keep no files the exporter reads: the name is the id.
void AddFilelessCases(std::vector<LayoutCase>& cases) {
  cases.push_back({.layout = "lxc-legacy",
                   .id = "web01",
                   .cgroup = "/lxc/web01",
                   .shim_cgroup = "/system.slice/lxc.service",
                   .container_id = "lxc://web01",
                   .expected = {"web01", "", "", "lxc", ""}});
  cases.push_back({.layout = "lxc-payload",
                   .id = "db01",
                   .cgroup = "/lxc.payload.db01",
                   .leaf = "/init.scope",
                   .shim_cgroup = "/lxc.monitor.db01",
                   .container_id = "lxc://db01",
                   .expected = {"db01", "", "", "lxc", ""}});
  const std::string unit = "/machine.slice/systemd-nspawn@debian\\x2dbox.service";
  cases.push_back({.layout = "systemd-nspawn",
                   .id = "debian-box",
                   .cgroup = unit,
                   .leaf = "/payload",
                   .shim_cgroup = unit + "/supervisor",
                   .container_id = "systemd-nspawn://debian-box",
                   .expected = {"debian-box", "", "", "systemd-nspawn", ""}});
}

std::vector<LayoutCase> Cases() {
  std::vector<LayoutCase> cases;
  AddDockerCases(cases);
  AddContainerdCases(cases);
  AddCrioCases(cases);
  AddPodmanCases(cases);
  AddFilelessCases(cases);
  return cases;
}

// ---- How the host changes from scan to scan ----

// Odd cases are created one scan late, while the store already runs; in scans 2 to 5 a quarter
// of the cases is stopped for one scan and started again, so the store forgets them
// (ForgetUnused) and reads their files anew, while the others keep their entries.
bool Present(std::size_t index, int scan) {
  if (scan < 0 || (scan == 0 && index % 2 == 1)) return false;
  return !(scan >= 2 && scan <= 5 && index % 4 == static_cast<std::size_t>(scan - 2));
}

bool CreatedBy(std::size_t index, int scan) {
  for (int s = 0; s <= scan; ++s) {
    if (Present(index, s)) return true;
  }
  return false;
}

// The first scan of the run of scans, up to `scan`, in which the case is present.
int StartedAt(std::size_t index, int scan) {
  while (Present(index, scan - 1)) --scan;
  return scan;
}

// Starts before the one that made the current run: a restart gets new pids and namespaces.
int Restarts(std::size_t index, int scan) {
  int restarts = 0;
  for (int s = 0; s < StartedAt(index, scan); ++s) {
    if (Present(index, s) && !Present(index, s - 1)) ++restarts;
  }
  return restarts;
}

struct FixtureProcess {
  int pid = 0;
  std::string comm;
  char state = 'S';
  int ppid = 0;
  uint64_t start_ticks = 0;
  int threads = 1;
  std::string cgroup;  // its cgroup v2 path
  std::map<std::string, uint64_t> ns;
};

// Distinct for every (scan, pid): a reused pid is another process to the scanner's cache.
uint64_t StartTicks(int created_scan, int pid) {
  return static_cast<uint64_t>(created_scan + 1) * 100000 + static_cast<uint64_t>(pid);
}

// A zombie keeps only its pid and user namespace links.
std::map<std::string, uint64_t> ZombieNs(std::map<std::string, uint64_t> ns) {
  for (auto& [kind, ino] : ns) {
    if (kind != "pid" && kind != "user") ino = 0;
  }
  return ns;
}

// The runtime's process (host), the container's init, a worker forked for this scan, and on
// even scans the previous scan's worker as a zombie its init has not reaped yet.
std::vector<FixtureProcess> ContainerProcesses(const LayoutCase& c, std::size_t index, int scan) {
  if (!Present(index, scan)) return {};
  const int started = StartedAt(index, scan);
  const int restarts = Restarts(index, scan);
  const int shim = 10000 + 100 * static_cast<int>(index) + 40 * restarts;
  const int init = shim + 1;
  const auto ns = ContainerNs(4026540000 + 16 * index + 8 * static_cast<uint64_t>(restarts));
  const std::string cgroup = c.cgroup + c.leaf;
  const auto worker_pid = [shim](int forked_at) { return shim + 10 + forked_at; };
  std::vector<FixtureProcess> processes = {
      {shim, "shim", 'S', 1, StartTicks(started, shim), 1, c.shim_cgroup, HostNs()},
      {init, "app", 'S', shim, StartTicks(started, init), 1, cgroup, ns},
      {worker_pid(scan), "worker", 'R', init, StartTicks(scan, worker_pid(scan)), 2, cgroup, ns}};
  if (scan % 2 == 0 && scan - 1 >= started) {
    const int zombie = worker_pid(scan - 1);
    processes.push_back(
        {zombie, "worker", 'Z', init, StartTicks(scan - 1, zombie), 1, cgroup, ZombieNs(ns)});
  }
  return processes;
}

// systemd, kthreadd, and a host process in each pid a zombie of the previous scan left (reaped
// and the pid reused at once, by a process of another cgroup and namespaces).
std::vector<FixtureProcess> HostProcesses(const std::vector<LayoutCase>& cases, int scan) {
  std::vector<FixtureProcess> processes = {{1, "systemd", 'S', 0, 1, 1, "/init.scope", HostNs()},
                                           {2, "kthreadd", 'S', 0, 1, 1, "/", HostNs()}};
  for (std::size_t i = 0; i < cases.size(); ++i) {
    for (const FixtureProcess& p : ContainerProcesses(cases[i], i, scan - 1)) {
      if (p.state != 'Z') continue;
      processes.push_back({p.pid, "cron", 'S', 1, StartTicks(scan, p.pid), 1,
                           "/system.slice/cron.service", HostNs()});
    }
  }
  return processes;
}

// procfs, sysfs and the runtimes' files of a host, brought to the state of each scan.
class ChurningHost {
 public:
  explicit ChurningHost(std::vector<LayoutCase> cases) : cases_(std::move(cases)) {
    sys_.Write("fs/cgroup/cgroup.controllers", "cpu memory pids\n");  // pure cgroup v2
    proc_.Write("sys/kernel/pid_max", "4194304");
  }

  const std::vector<LayoutCase>& cases() const { return cases_; }

  ScannerOptions Options() const {
    ScannerOptions options{.procfs = proc_.root(), .sysfs = sys_.root(), .revalidate_every = 2};
    options.metadata.rootfs = rootfs_.root();
    return options;
  }

  void PrepareScan(int scan) {
    UpdateRuntimeFiles(scan);
    UpdateStorageLists(scan);
    UpdateProcesses(scan);
  }

 private:
  // Files appear before the processes they name, as runtimes write them; containerd removes a
  // task's bundle when the task stops and writes it again when it starts.
  void UpdateRuntimeFiles(int scan) {
    for (std::size_t i = 0; i < cases_.size(); ++i) {
      const LayoutCase& c = cases_[i];
      const bool starts = Present(i, scan) && !Present(i, scan - 1);
      const bool stops = !Present(i, scan) && Present(i, scan - 1);
      if (starts && (c.files_go_with_task || !CreatedBy(i, scan - 1))) {
        for (const RuntimeFile& file : c.files) rootfs_.Write(file.path, file.content);
      }
      if (stops && c.files_go_with_task) {
        for (const RuntimeFile& file : c.files) {
          std::filesystem::remove_all(
              std::filesystem::path(rootfs_.root() + "/" + file.path).parent_path());
        }
      }
    }
  }

  // A containers/storage list holds every container created so far (stopped ones too); it is
  // rewritten when one is added, as `podman create` and CRI-O do.
  void UpdateStorageLists(int scan) {
    std::map<std::string, json> lists;
    for (std::size_t i = 0; i < cases_.size(); ++i) {
      if (!CreatedBy(i, scan)) continue;
      for (const StorageListing& listing : cases_[i].listings) {
        json& list = lists.try_emplace(listing.list, json::array()).first->second;
        list.push_back(listing.entry);
      }
    }
    for (const auto& [path, list] : lists) {
      std::string text = list.dump();
      if (written_lists_[path] == text) continue;
      rootfs_.Write(path, text);
      written_lists_[path] = std::move(text);
    }
  }

  void UpdateProcesses(int scan) {
    std::map<int, FixtureProcess> wanted;
    for (FixtureProcess& p : HostProcesses(cases_, scan)) wanted[p.pid] = std::move(p);
    for (std::size_t i = 0; i < cases_.size(); ++i) {
      const auto processes = ContainerProcesses(cases_[i], i, scan);
      for (const FixtureProcess& p : processes) {
        REQUIRE_MESSAGE(wanted.emplace(p.pid, p).second, "fixture pid clash: " << p.pid);
      }
      if (!processes.empty()) WriteCgroupFiles(cases_[i], processes, scan);
    }
    for (int pid : written_pids_) {
      if (wanted.count(pid) == 0) {
        std::filesystem::remove_all(proc_.root() + "/" + std::to_string(pid));  // it exited
      }
    }
    written_pids_.clear();
    // In place: a pid reused by another process shows new content through a kept descriptor.
    for (const auto& [pid, p] : wanted) {
      proc_.Stat(pid, p.comm, p.state, p.ppid, p.start_ticks, p.threads);
      proc_.Cgroup(pid, "0::" + p.cgroup + "\n");
      proc_.Namespaces(pid, p.ns);
      written_pids_.insert(pid);
    }
  }

  // The container's pids controller: tasks charged to its cgroup; its memory controller: as many
  // OOM kills as the scan's number, so that each scan must read the kept file afresh.
  void WriteCgroupFiles(const LayoutCase& c, const std::vector<FixtureProcess>& processes,
                        int scan) {
    int tasks = 0;
    for (const FixtureProcess& p : processes) {
      if (p.cgroup != c.shim_cgroup) tasks += p.threads;
    }
    const std::string dir = "fs/cgroup" + c.cgroup + "/";
    sys_.Write(dir + "pids.max", "4096\n");
    sys_.Write(dir + "pids.current", std::to_string(tasks) + "\n");
    sys_.Write(dir + "pids.events", "max 0\n");
    sys_.Write(dir + "memory.events", "oom 0\noom_kill " + std::to_string(scan) + "\n");
  }

  std::vector<LayoutCase> cases_;
  FixtureProcfs proc_, sys_, rootfs_;
  std::set<int> written_pids_;
  std::map<std::string, std::string> written_lists_;
};

// ---- What every scan must show ----

std::string Describe(const std::string& container_id, const ExposedIdentity& identity) {
  return container_id + " {container=\"" + identity.container + "\", pod=\"" + identity.pod +
         "\", namespace=\"" + identity.namespace_ + "\", runtime=\"" + identity.runtime +
         "\", image=\"" + identity.image + "\"}";
}

std::string Join(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& line : lines) out += line + "\n";
  return out;
}

template <typename Map>
std::string Keys(const Map& map) {
  std::string out;
  for (const auto& item : map) out += item.first + "\n";
  return out;
}

std::string Counts(const std::map<std::string, int>& counts) {
  std::string out;
  for (const auto& [key, count] : counts) out += key + ": " + std::to_string(count) + "\n";
  return out;
}

// The cases present in `scan`, by expected container_id, with their index.
std::map<std::string, std::size_t> ExpectedAt(const std::vector<LayoutCase>& cases, int scan) {
  std::map<std::string, std::size_t> expected;
  for (std::size_t i = 0; i < cases.size(); ++i) {
    if (Present(i, scan)) expected.emplace(cases[i].container_id, i);
  }
  return expected;
}

// The snapshot itself: every present case, matched by its row, with the churn it went through
// (zombies counted); no unknown layouts, no runtime file errors, and the store keeps entries for
// the present containers only.
void CheckSnapshot(const Snapshot& snapshot, const ChurningHost& host, int scan) {
  const auto expected = ExpectedAt(host.cases(), scan);
  std::map<std::string, const Container*> found;
  for (const Container& c : snapshot.containers) found.emplace(c.container_id(), &c);
  CHECK(Keys(found) == Keys(expected));
  for (const auto& [container_id, index] : expected) {
    auto it = found.find(container_id);
    if (it == found.end()) continue;  // reported above
    const Container& c = *it->second;
    const LayoutCase& want = host.cases()[index];
    INFO(container_id);
    CHECK(c.layout == want.layout);
    CHECK(c.cgroup == want.cgroup);
    uint32_t processes = 0, zombies = 0;
    for (const FixtureProcess& p : ContainerProcesses(want, index, scan)) {
      if (p.cgroup == want.shim_cgroup) continue;
      ++processes;
      if (p.state == 'Z') ++zombies;
    }
    uint32_t counted = 0;
    for (uint32_t n : c.processes) counted += n;
    CHECK(counted == processes);
    CHECK(c.processes[static_cast<std::size_t>(ProcessState::kZombie)] == zombies);
    if (want.cgroup.empty()) {
      CHECK_FALSE(c.memory.oom_kills.has_value());  // no cgroup of its own: unknown
    } else {
      CHECK(c.memory.oom_kills == static_cast<uint64_t>(scan));
    }
  }
  CHECK(snapshot.stats.unknown_layout_processes == 0);
  CHECK(snapshot.stats.runtime_file_errors.permission == 0);
  CHECK(snapshot.stats.runtime_file_errors.io == 0);
  CHECK(snapshot.stats.runtime_file_errors.parse == 0);
  CHECK(snapshot.stats.cached_metadata == snapshot.containers.size());
}

// cproc_scan_containers: the runtime label outside the per-container series, per runtime and
// naming source (LXC and nspawn keep no files, so theirs is "none").
void CheckContainerCounts(const cproc::testing::CheckedExposition& exposition,
                          const ChurningHost& host,
                          const std::map<std::string, std::size_t>& expected) {
  std::map<std::string, int> want, got;
  for (const auto& [container_id, index] : expected) {
    const LayoutCase& c = host.cases()[index];
    const bool from_files = !c.files.empty() || !c.listings.empty();
    ++want[c.expected.runtime + " " + (from_files ? "files" : "none")];
  }
  for (const auto& sample : exposition.samples) {
    if (sample.name != "cproc_scan_containers") continue;
    got[sample.Label("runtime") + " " + sample.Label("naming_source")] =
        static_cast<int>(sample.value);
  }
  CHECK(Counts(got) == Counts(want));
}

// The /metrics text: strictly valid, one identity per container_id, each one exactly what the
// fixture's files say and the same as in every earlier scan that showed the container.
void CheckMetricsText(const std::string& text, const ChurningHost& host, int scan,
                      std::map<std::string, ExposedIdentity>& first_seen) {
  std::vector<std::string> errors;
  const auto exposition = cproc::testing::CheckExposition(text, errors);
  const auto identities = cproc::testing::ContainerIdentities(exposition, errors);
  CHECK_MESSAGE(errors.empty(), Join(errors));
  const auto expected = ExpectedAt(host.cases(), scan);
  CHECK(Keys(identities) == Keys(expected));
  for (const auto& [container_id, index] : expected) {
    auto it = identities.find(container_id);
    if (it == identities.end()) continue;  // reported above
    const LayoutCase& want = host.cases()[index];
    CHECK(Describe(container_id, it->second) == Describe(want.container_id, want.expected));
    const auto [seen, first] = first_seen.emplace(container_id, it->second);
    if (!first) {
      CHECK_MESSAGE(Describe(container_id, it->second) == Describe(container_id, seen->second),
                    "changed since an earlier scan");
    }
  }
  for (const auto& sample : exposition.samples) {
    if (sample.name != "cproc_container_info") continue;
    auto it = expected.find(sample.Label("container_id"));
    if (it == expected.end()) continue;
    CHECK(sample.Label("layout") == host.cases()[it->second].layout);
    CHECK(sample.Label("cgroup") == host.cases()[it->second].cgroup);
  }
  CheckContainerCounts(exposition, host, expected);
}

// /api/v1/containers: valid JSON with the same identities.
void CheckJsonReport(const Snapshot& snapshot, const ChurningHost& host, int scan) {
  std::string report;
  REQUIRE_NOTHROW(report = RenderContainersJson(snapshot));
  const json document = json::parse(report, nullptr, /*allow_exceptions=*/false);
  REQUIRE_MESSAGE(!document.is_discarded(), "not JSON:\n" << report);
  const auto expected = ExpectedAt(host.cases(), scan);
  std::map<std::string, ExposedIdentity> reported;
  for (const json& item : document.at("containers")) {
    reported.emplace(
        item.at("container_id").get<std::string>(),
        ExposedIdentity{item.at("name").get<std::string>(), item.at("pod").get<std::string>(),
                        item.at("namespace").get<std::string>(),
                        item.at("runtime").get<std::string>(),
                        item.at("image").get<std::string>()});
  }
  CHECK(Keys(reported) == Keys(expected));
  for (const auto& [container_id, index] : expected) {
    auto it = reported.find(container_id);
    if (it == reported.end()) continue;
    const LayoutCase& want = host.cases()[index];
    CHECK(Describe(container_id, it->second) == Describe(want.container_id, want.expected));
  }
}

}  // namespace

TEST_CASE("multi-scan invariance: every layout row keeps the identity its runtime's files give") {
  ChurningHost host(Cases());

  // Every row of the table has a case (a new row without one fails here), and every case
  // names a row that exists.
  std::set<std::string> rows;
  for (const ContainerLayout& row : DefaultContainerLayouts()) {
    rows.emplace(row.name);
    const bool covered = std::any_of(host.cases().begin(), host.cases().end(),
                                     [&](const LayoutCase& c) { return c.layout == row.name; });
    CHECK_MESSAGE(covered, "layout row '" << row.name << "' has no case: add one to Cases()");
  }
  for (const LayoutCase& c : host.cases()) {
    CHECK_MESSAGE(rows.count(c.layout) == 1, "case for unknown row '" << c.layout << "'");
  }

  Scanner scanner(host.Options());
  std::map<std::string, ExposedIdentity> first_seen;
  for (int scan = 0; scan < kScans; ++scan) {
    INFO("scan " << scan);
    host.PrepareScan(scan);
    auto scanned = scanner.Scan();
    REQUIRE_MESSAGE(scanned.ok(), (scanned.ok() ? "" : scanned.error()));
    // Held for this scan only: the scan loop drops a snapshot once the next one is published,
    // and whatever the scanner keeps must not depend on it.
    const std::shared_ptr<const Snapshot> snapshot = *scanned;
    CheckSnapshot(*snapshot, host, scan);
    std::string text;
    REQUIRE_NOTHROW(AppendSnapshotText(*snapshot, FamilyOptions{}, text));
    CheckMetricsText(text, host, scan, first_seen);
    CheckJsonReport(*snapshot, host, scan);
    CheckWithPromtool(text);
  }
  // Every case was seen, so every identity above was compared at least once.
  CHECK(first_seen.size() == host.cases().size());
}
