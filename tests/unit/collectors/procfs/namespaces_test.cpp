#include "collectors/procfs/namespaces.h"

#include <doctest/doctest.h>

using namespace cproc;

TEST_CASE("ns links: every kind parses; malformed ones are errors") {
  for (std::size_t i = 0; i < kNsKindCount; ++i) {
    const std::string text = std::string(kNsKindNames[i]) + ":[4026531992]";
    auto link = ParseNsLink(text);
    REQUIRE_MESSAGE(link.ok(), text);
    CHECK(link->kind == static_cast<NsKind>(i));
    CHECK(link->ino == 4026531992ULL);
  }
  for (const char* bad :
       {"", "net", "net:", "net:[]", "net:[x]", "net:4026531992", "bogus:[1]", "net:[0]", "net:[1",
        "net:[-1]", "net:[4294967296]"}) {  // above 32 bits: no kernel namespace inode
    CAPTURE(bad);
    CHECK_FALSE(ParseNsLink(bad).ok());
  }
  CHECK(ParseNsLink("net:[4294967295]")->ino == 4294967295U);
}

TEST_CASE("ns identity compares device and inode; unknown never matches") {
  const NsId a{.dev = 4, .ino = 100};
  CHECK(a.SameAs(NsId{.dev = 4, .ino = 100}));
  CHECK_FALSE(a.SameAs(NsId{.dev = 5, .ino = 100}));  // same inode number on another nsfs
  CHECK_FALSE(a.SameAs(NsId{.dev = 4, .ino = 101}));
  CHECK(a.SameAs(NsId{.dev = 0, .ino = 100}));  // text-only side: inode decides
  CHECK_FALSE(NsId{}.SameAs(NsId{}));
  CHECK_FALSE(a.SameAs(NsId{}));
  CHECK(NsKindFromName("time") == NsKind::kTime);
  CHECK_FALSE(NsKindFromName("pid_for_children").has_value());
}

TEST_CASE("namespaces: the kernel release, and the initial namespaces' fixed inodes") {
  CHECK(ParseKernelRelease("6.1.0-13-amd64")->major == 6);
  CHECK(ParseKernelRelease("6.1.0-13-amd64")->minor == 1);
  CHECK(ParseKernelRelease("6.18.44-fc-v1272")->minor == 18);
  CHECK(ParseKernelRelease("5.10")->minor == 10);
  for (const char* bad : {"", "6", "x.1", "6.x", ".1", "6."}) {
    CAPTURE(bad);
    CHECK_FALSE(ParseKernelRelease(bad).has_value());
  }
  // include/linux/proc_ns.h; what /proc/1/ns/* shows on this project's 6.18 CI kernel.
  const KernelVersion recent{6, 18};
  CHECK(InitialNamespaceInode(NsKind::kPid, recent) == 4026531836U);
  CHECK(InitialNamespaceInode(NsKind::kUser, recent) == 4026531837U);
  CHECK(InitialNamespaceInode(NsKind::kUts, recent) == 4026531838U);
  CHECK(InitialNamespaceInode(NsKind::kIpc, recent) == 4026531839U);
  CHECK(InitialNamespaceInode(NsKind::kCgroup, recent) == 4026531835U);
  CHECK(InitialNamespaceInode(NsKind::kTime, recent) == 4026531834U);
  CHECK(InitialNamespaceInode(NsKind::kNet, recent) == 4026531833U);
  CHECK(InitialNamespaceInode(NsKind::kMnt, recent) == 4026531832U);
  // Debian 12's 6.1: net and mnt are numbered like any namespace (from 0xF0000000 on).
  const KernelVersion bookworm{6, 1};
  CHECK_FALSE(InitialNamespaceInode(NsKind::kNet, bookworm).has_value());
  CHECK_FALSE(InitialNamespaceInode(NsKind::kMnt, bookworm).has_value());
  CHECK(InitialNamespaceInode(NsKind::kTime, bookworm) == 4026531834U);
  CHECK_FALSE(InitialNamespaceInode(NsKind::kTime, KernelVersion{5, 4}).has_value());
  CHECK_FALSE(InitialNamespaceInode(NsKind::kCgroup, KernelVersion{4, 5}).has_value());
  CHECK(InitialNamespaceInode(NsKind::kPid, KernelVersion{3, 10}) == 4026531836U);
  CHECK_FALSE(InitialNamespaceInode(NsKind::kPid, std::nullopt).has_value());
}
