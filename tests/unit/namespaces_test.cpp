#include "collectors/namespaces.h"

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
