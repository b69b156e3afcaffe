#include "collectors/analysis/namespace_sharing.h"

#include <doctest/doctest.h>

#include <algorithm>

#include "tests/support/make_process.h"

using namespace cproc;

namespace {

constexpr uint32_t kHost = 4026531800;  // host namespaces: kHost + kind

NsSet Namespaces(uint32_t base, std::initializer_list<NsKind> host_kinds = {}) {
  NsSet ns{};
  for (std::size_t kind = 0; kind < kNsKindCount; ++kind) {
    ns[kind] = NsId{.dev = 4, .ino = base + static_cast<uint32_t>(kind)};
  }
  for (NsKind kind : host_kinds)
    NsOf(ns, kind) = NsId{.dev = 4, .ino = kHost + static_cast<uint32_t>(kind)};
  return ns;
}

struct Builder {
  Snapshot snap;
  Builder() { snap.host_ns = Namespaces(kHost); }

  // A container whose init has the given namespaces; returns its index.
  int32_t Container(int32_t init_pid, const NsSet& ns, std::string pod_uid = "") {
    cproc::Container c;
    c.runtime = "docker";
    c.id = std::string(64, static_cast<char>('a' + snap.containers.size()));
    c.cgroup = "/docker/" + c.id;
    c.init.pid = init_pid;
    c.pod_uid = std::move(pod_uid);
    snap.containers.push_back(c);
    const auto index = static_cast<int32_t>(snap.containers.size() - 1);
    Process(init_pid, index, ns);
    return index;
  }

  void Process(int32_t pid, int32_t container, const NsSet& ns, char state = 'S',
               Attribution attribution = Attribution::kCgroup) {
    cproc::Process p;
    p.pid = pid;
    p.container = container;
    testing::SetNs(snap, p, ns);
    p.state = ProcessStateFromCode(state);
    p.attribution = attribution;
    auto at = std::lower_bound(snap.processes.begin(), snap.processes.end(), pid,
                               [](const cproc::Process& q, int32_t v) { return q.pid < v; });
    snap.processes.insert(at, p);
  }
};

constexpr std::size_t K(NsKind kind) { return static_cast<std::size_t>(kind); }

}  // namespace

TEST_CASE("namespaces: host sharing per kind, by (device, inode)") {
  Builder b;
  const int32_t plain = b.Container(100, Namespaces(1000, {NsKind::kUser, NsKind::kTime}));
  const int32_t host_pid = b.Container(200, Namespaces(2000, {NsKind::kPid, NsKind::kUser}));
  const int32_t host_net = b.Container(300, Namespaces(3000, {NsKind::kNet}));
  AnalyseNamespaceSharing(b.snap, NsSet{});
  const auto& p = b.snap.containers[static_cast<std::size_t>(plain)].sharing;
  CHECK(p.host[K(NsKind::kPid)] == 0);
  CHECK(p.host[K(NsKind::kNet)] == 0);
  CHECK(p.host[K(NsKind::kUser)] == 1);  // no userns-remap: the host's user namespace
  const auto& hp = b.snap.containers[static_cast<std::size_t>(host_pid)].sharing;
  CHECK(hp.host[K(NsKind::kPid)] == 1);
  CHECK(hp.host[K(NsKind::kNet)] == 0);
  const auto& hn = b.snap.containers[static_cast<std::size_t>(host_net)].sharing;
  CHECK(hn.host[K(NsKind::kNet)] == 1);
  CHECK(hn.host[K(NsKind::kPid)] == 0);
  // Sharing the host's namespace is not peering: the host_namespace metric says it.
  CHECK(p.peers[K(NsKind::kUser)] == 0);
}

TEST_CASE("namespaces: same inode on another nsfs device is another namespace") {
  Builder b;
  NsSet other_dev = Namespaces(kHost);
  for (auto& ns : other_dev) ns.dev = 99;
  const int32_t c = b.Container(100, other_dev);
  AnalyseNamespaceSharing(b.snap, NsSet{});
  CHECK(b.snap.containers[static_cast<std::size_t>(c)].sharing.host[K(NsKind::kPid)] == 0);
}

TEST_CASE("namespaces: peers, and pod members are not foreign") {
  Builder b;
  NsSet x = Namespaces(1000);
  NsSet y = Namespaces(2000);
  NsOf(y, NsKind::kPid) = NsOf(x, NsKind::kPid);  // --pid=container:x
  NsSet z = Namespaces(3000);
  NsOf(z, NsKind::kNet) = NsOf(x, NsKind::kNet);  // --net=container:x
  const int32_t ix = b.Container(100, x);
  const int32_t iy = b.Container(200, y);
  const int32_t iz = b.Container(300, z);
  // A pod: sandbox and app share net/ipc/uts and carry the same pod uid.
  NsSet pause = Namespaces(4000);
  NsSet app = Namespaces(5000);
  for (NsKind kind : {NsKind::kNet, NsKind::kIpc, NsKind::kUts})
    NsOf(app, kind) = NsOf(pause, kind);
  const int32_t ip = b.Container(400, pause, "pod-1");
  const int32_t ia = b.Container(500, app, "pod-1");
  AnalyseNamespaceSharing(b.snap, NsSet{});
  auto sharing = [&](int32_t i) { return b.snap.containers[static_cast<std::size_t>(i)].sharing; };
  CHECK(sharing(ix).peers[K(NsKind::kPid)] == 1);
  CHECK(sharing(iy).peers[K(NsKind::kPid)] == 1);
  CHECK(sharing(iy).foreign_peers[K(NsKind::kPid)] == 1);
  CHECK(sharing(ix).peers[K(NsKind::kNet)] == 1);
  CHECK(sharing(iz).peers[K(NsKind::kNet)] == 1);
  CHECK(sharing(iz).peers[K(NsKind::kPid)] == 0);
  CHECK(sharing(ix).peers[K(NsKind::kMnt)] == 0);
  CHECK(sharing(ip).peers[K(NsKind::kNet)] == 1);
  CHECK(sharing(ip).foreign_peers[K(NsKind::kNet)] == 0);
  CHECK(sharing(ia).foreign_peers[K(NsKind::kIpc)] == 0);
  CHECK(sharing(ia).peers[K(NsKind::kPid)] == 0);
}

TEST_CASE("namespaces: processes whose cgroup and namespaces disagree") {
  Builder b;
  NsSet own = Namespaces(1000);
  const int32_t c = b.Container(100, own);
  b.Process(101, c, own);  // ordinary child
  NsSet escaped = own;
  NsOf(escaped, NsKind::kMnt) = NsOf(b.snap.host_ns, NsKind::kMnt);
  b.Process(102, c, escaped);  // setns into the host's mounts
  NsSet nested = own;
  NsOf(nested, NsKind::kPid) = NsId{.dev = 4, .ino = 777};
  b.Process(103, c, nested);                                // unshare --pid inside
  b.Process(104, c, own, 'S', Attribution::kPidNamespace);  // nsenter from a host cgroup
  NsSet zombie_ns{};
  NsOf(zombie_ns, NsKind::kPid) = NsOf(own, NsKind::kPid);
  b.Process(105, c, zombie_ns, 'Z');  // zombies lost mnt: not counted
  AnalyseNamespaceSharing(b.snap, NsSet{});
  const auto& s = b.snap.containers[static_cast<std::size_t>(c)].sharing;
  CHECK(s.mismatched_namespace == 2);
  CHECK(s.mismatched_cgroup == 1);

  // A container found through its pidfile has no cgroup: its PID namespace's processes are all
  // outside "its cgroup", and none of them is a mismatch.
  b.snap.containers[static_cast<std::size_t>(c)].cgroup.clear();
  b.snap.containers[static_cast<std::size_t>(c)].sharing = {};
  AnalyseNamespaceSharing(b.snap, NsSet{});
  CHECK(s.mismatched_cgroup == 0);
}

TEST_CASE("namespaces: host-cgroup processes inside a container's net, mnt, ipc or uts") {
  Builder b;
  const int32_t c = b.Container(100, Namespaces(1000));
  NsSet pod_net = Namespaces(2000);
  const int32_t p1 = b.Container(200, pod_net, "pod");
  NsSet pod_member = Namespaces(3000);
  NsOf(pod_member, NsKind::kNet) = NsOf(pod_net, NsKind::kNet);
  b.Container(300, pod_member, "pod");
  NsSet host_net = Namespaces(4000, {NsKind::kNet});
  const int32_t h = b.Container(400, host_net);  // --net=host: its net is the host's

  NsSet in_net = b.snap.host_ns;  // `nsenter -t <init> -n` from the host: only net entered
  NsOf(in_net, NsKind::kNet) = NsOf(Namespaces(1000), NsKind::kNet);
  b.Process(900, kNoContainer, in_net, 'S', Attribution::kNone);
  NsSet in_two = b.snap.host_ns;  // net and uts: still one process
  NsOf(in_two, NsKind::kNet) = NsOf(Namespaces(1000), NsKind::kNet);
  NsOf(in_two, NsKind::kUts) = NsOf(Namespaces(1000), NsKind::kUts);
  b.Process(901, kNoContainer, in_two, 'S', Attribution::kNone);
  NsSet in_pod_net = b.snap.host_ns;  // the pod's shared net: owned by two, counted by none
  NsOf(in_pod_net, NsKind::kNet) = NsOf(pod_net, NsKind::kNet);
  b.Process(902, kNoContainer, in_pod_net, 'S', Attribution::kNone);
  b.Process(903, kNoContainer, b.snap.host_ns, 'S', Attribution::kNone);  // a plain host process
  b.Process(904, kNoContainer, in_net, 'Z', Attribution::kNone);          // zombies: not counted
  AnalyseNamespaceSharing(b.snap, NsSet{});
  auto sharing = [&](int32_t i) { return b.snap.containers[static_cast<std::size_t>(i)].sharing; };
  CHECK(sharing(c).mismatched_cgroup == 2);
  CHECK(sharing(p1).mismatched_cgroup == 0);
  CHECK(sharing(h).mismatched_cgroup == 0);  // the host's net is nobody's to enter
  CHECK(sharing(c).mismatched_namespace == 0);
}

TEST_CASE("namespaces: the exporter's own container, and containers with no live init") {
  Builder b;
  NsSet mine = Namespaces(1000, {NsKind::kPid});  // exporter run with --pid=host
  const int32_t self = b.Container(100, mine);
  const int32_t other = b.Container(200, Namespaces(2000, {NsKind::kPid}));
  cproc::Container dead;
  dead.init.pid = 0;
  b.snap.containers.push_back(dead);
  AnalyseNamespaceSharing(b.snap, mine);
  CHECK(b.snap.containers[static_cast<std::size_t>(self)].is_self);
  CHECK_FALSE(b.snap.containers[static_cast<std::size_t>(other)].is_self);
  CHECK(b.snap.containers.back().sharing.host[K(NsKind::kPid)] == -1);  // unknown, not "no"
  AnalyseNamespaceSharing(b.snap, NsSet{});  // on the host: no container is the exporter
  CHECK_FALSE(b.snap.containers[static_cast<std::size_t>(self)].is_self);
}

TEST_CASE("namespaces: peers of a kind whose host namespace is unknown are unknown, not 0") {
  // /proc/1 and /proc/2 refused the net link (no CAP_SYS_PTRACE) on a kernel that does not fix
  // the initial net namespace's inode: two containers sharing one net namespace may both be
  // --net=host, so they are not reported as peers (that raised CprocCrossContainerNamespace-
  // Sharing for --net=host pairs), and neither is 0 reported.
  Builder b;
  NsOf(b.snap.host_ns, NsKind::kNet) = NsId{};
  NsSet x = Namespaces(1000);
  NsSet y = Namespaces(2000);
  NsOf(y, NsKind::kNet) = NsOf(x, NsKind::kNet);  // --net=container:x, or both --net=host
  NsSet unread = Namespaces(3000);
  NsOf(unread, NsKind::kNet) = NsId{};  // this init's net link was refused too
  const int32_t ix = b.Container(100, x);
  const int32_t iy = b.Container(200, y);
  const int32_t iu = b.Container(300, unread);
  AnalyseNamespaceSharing(b.snap, NsSet{});
  auto sharing = [&](int32_t i) { return b.snap.containers[static_cast<std::size_t>(i)].sharing; };
  for (int32_t i : {ix, iy, iu}) {
    CAPTURE(i);
    CHECK(sharing(i).host[K(NsKind::kNet)] == -1);
    CHECK_FALSE(sharing(i).peers_known[K(NsKind::kNet)]);
    CHECK(sharing(i).peers[K(NsKind::kNet)] == 0);
    CHECK(sharing(i).foreign_peers[K(NsKind::kNet)] == 0);
  }
  // Kinds whose host reference is known behave as before: the host's is not peering.
  CHECK(sharing(ix).host[K(NsKind::kPid)] == 0);
  CHECK(sharing(ix).peers_known[K(NsKind::kPid)]);
  CHECK(sharing(ix).peers[K(NsKind::kPid)] == 0);
  CHECK(sharing(iu).peers_known[K(NsKind::kPid)]);
}

TEST_CASE("namespaces: a container whose init's links are unreadable has no counts at all") {
  // As a user without privileges: every root process's links are refused.
  Builder b;
  NsSet x = Namespaces(1000);
  NsSet y = Namespaces(2000);
  NsOf(y, NsKind::kNet) = NsOf(x, NsKind::kNet);
  const int32_t ix = b.Container(100, x);
  const int32_t iy = b.Container(200, NsSet{});  // unreadable
  b.Process(201, iy, NsSet{});
  AnalyseNamespaceSharing(b.snap, NsSet{});
  auto sharing = [&](int32_t i) { return b.snap.containers[static_cast<std::size_t>(i)].sharing; };
  CHECK_FALSE(sharing(iy).mismatches_known);
  CHECK(sharing(ix).mismatches_known);
  for (std::size_t kind = 0; kind < kNsKindCount; ++kind) {
    CAPTURE(kind);
    CHECK(sharing(iy).host[kind] == -1);
    CHECK_FALSE(sharing(iy).peers_known[kind]);
  }
  // The readable one has no peer it can prove: the unreadable init is not counted.
  CHECK(sharing(ix).peers[K(NsKind::kNet)] == 0);
}
