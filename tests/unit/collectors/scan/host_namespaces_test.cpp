// The host's namespaces every process is compared with: PID 1's, PID 2's where PID 1's links
// cannot be read (README.md "Privileges"), the kernel's fixed numbers where neither can.
#include "collectors/scan/host_namespaces.h"

#include <doctest/doctest.h>
#include <fcntl.h>

#include "collectors/base/proc_files.h"
#include "tests/support/fixture_procfs.h"

using namespace cproc;
using cproc::testing::ContainerNs;
using cproc::testing::FixtureProcfs;
using cproc::testing::HostNs;

namespace {

NsSet ReadHost(const FixtureProcfs& proc, const NsSet& self_ns = {}) {
  Fd proc_fd(::open(proc.root().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  REQUIRE(proc_fd.valid());
  HostNamespaceReader reader;
  return reader.Read(proc_fd.get(), self_ns);
}

}  // namespace

TEST_CASE("host namespaces: PID 1's links") {
  FixtureProcfs proc;
  proc.Namespaces(1, HostNs());
  proc.Namespaces(2, ContainerNs(9000));  // never asked when PID 1 answers
  const NsSet host = ReadHost(proc);
  CHECK(NsOf(host, NsKind::kPid).ino == HostNs().at("pid"));
  CHECK(NsOf(host, NsKind::kNet).ino == HostNs().at("net"));
  CHECK(NsOf(host, NsKind::kMnt).ino == HostNs().at("mnt"));
}

TEST_CASE("host namespaces: PID 2's links where PID 1's are unreadable") {
  FixtureProcfs proc;
  proc.Namespaces(1, {});  // its ns directory is there, its links are not readable
  std::map<std::string, uint64_t> kthreadd = HostNs();
  kthreadd["net"] = 4026532000;  // tells PID 2's apart from the fixed numbers below
  kthreadd["mnt"] = 4026532001;
  proc.Namespaces(2, kthreadd);
  const NsSet host = ReadHost(proc);
  CHECK(NsOf(host, NsKind::kNet).ino == 4026532000);
  CHECK(NsOf(host, NsKind::kMnt).ino == 4026532001);
  CHECK(NsOf(host, NsKind::kPid).ino == HostNs().at("pid"));

  // Link by link: what PID 1 shows is kept, only the rest comes from PID 2.
  FixtureProcfs partial;
  partial.Namespaces(1, {{"net", 4026533000}});
  partial.Namespaces(2, kthreadd);
  const NsSet mixed = ReadHost(partial);
  CHECK(NsOf(mixed, NsKind::kNet).ino == 4026533000);
  CHECK(NsOf(mixed, NsKind::kMnt).ino == 4026532001);
}

TEST_CASE("host namespaces: neither readable: the kernel's fixed inodes, on the nsfs of self") {
  FixtureProcfs proc;
  proc.Write("1/stat", "");  // processes without ns links (no CAP_SYS_PTRACE)
  proc.Write("2/stat", "");
  NsSet self{};
  NsOf(self, NsKind::kPid) = NsId{77, 4026532100};
  const NsSet host = ReadHost(proc, self);
  // ipc, uts, user and pid have had fixed numbers since Linux 3.8 (include/linux/proc_ns.h).
  CHECK(NsOf(host, NsKind::kIpc) == NsId{77, 0xEFFFFFFFu});
  CHECK(NsOf(host, NsKind::kUts) == NsId{77, 0xEFFFFFFEu});
  CHECK(NsOf(host, NsKind::kUser) == NsId{77, 0xEFFFFFFDu});
  CHECK(NsOf(host, NsKind::kPid) == NsId{77, 0xEFFFFFFCu});
}
