// The bbolt reader on a file the real Podman 4.3 wrote (fixtures/podman/bolt_state.db, see
// fixtures/README.md) and on hand-made hostile files: every one gives a clean error that names
// what is wrong, never a crash (this suite also runs under ASan + UBSan).
#include "collectors/runtimes/boltdb.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/unit/collectors/runtimes/bolt_builder.h"

using namespace cproc;
using namespace cproc::bolt;
using cproc::testing::BoltEntry;
using cproc::testing::BoltFile;
using cproc::testing::BranchPage;
using cproc::testing::BucketValue;
using cproc::testing::GetLe;
using cproc::testing::InlineBucket;
using cproc::testing::LeafPage;
using cproc::testing::PodmanStateDb;
using cproc::testing::PutLe;

namespace {

std::vector<std::string> Keys(Reader& db, const Bucket& bucket) {
  std::vector<std::string> keys;
  auto done = db.ForEach(bucket, [&](const Item& item) {
    keys.emplace_back(item.key);
    return true;
  });
  REQUIRE_MESSAGE(done.ok(), (done.ok() ? "" : done.error()));
  return keys;
}

// The error of opening `file` and walking every bucket in it, or "" when all went well.
std::string WalkError(std::string_view file, Limits limits = {}) {
  auto db = Reader::Open(file, limits);
  if (!db) return db.error();
  std::string error;
  std::function<bool(const Bucket&)> walk = [&](const Bucket& bucket) {
    auto done = db->ForEach(bucket, [&](const Item& item) {
      if (!item.is_bucket) return true;
      auto child = db->Child(bucket, item);
      if (!child) {
        error = child.error();
        return false;
      }
      return walk(*child);
    });
    if (!done && error.empty()) error = done.error();
    return done.ok() && *done;
  };
  walk(db->root());
  return error;
}

// A file whose root bucket is page 2 holding `entries`.
std::string WithRoot(const std::vector<BoltEntry>& entries, std::size_t pages = 4) {
  BoltFile file(pages);
  file.SetPage(2, LeafPage(2, entries));
  return file.bytes();
}

}  // namespace

TEST_CASE("bolt: a state database written by Podman 4.3") {
  const std::string bytes = PodmanStateDb();
  auto db = Reader::Open(bytes);
  REQUIRE_MESSAGE(db.ok(), (db.ok() ? "" : db.error()));
  CHECK(db->page_size() == 4096);
  CHECK(db->txid() > 1);
  CHECK(db->high_water_mark() <= bytes.size() / 4096);

  // libpod's top-level buckets (libpod/boltdb_state_internal.go), in bbolt's byte order.
  const std::vector<std::string> top = Keys(*db, db->root());
  for (const char* name : {"all-ctrs", "allPods", "ctr", "id-registry", "name-registry", "pod"}) {
    CHECK_MESSAGE(std::find(top.begin(), top.end(), name) != top.end(), name);
  }
  CHECK(std::is_sorted(top.begin(), top.end()));

  auto ctr = db->Sub(db->root(), "ctr");
  REQUIRE(ctr.ok());
  REQUIRE(ctr->has_value());
  CHECK(Keys(*db, **ctr).size() == 4);  // the pod's infra, app and sidecar, and the plain one
  auto registry = db->Sub(db->root(), "id-registry");
  REQUIRE(registry.ok());
  REQUIRE(registry->has_value());
  auto name =
      db->Get(**registry, "1be58b975f237c469ec9cc2e512279ba360a03585bcdb5fe395de17f98fd810f");
  REQUIRE(name.ok());
  REQUIRE(name->has_value());
  CHECK(**name == "cproc-fixture-2993-app");
  auto app = db->Sub(**ctr, "1be58b975f237c469ec9cc2e512279ba360a03585bcdb5fe395de17f98fd810f");
  REQUIRE(app.ok());
  REQUIRE(app->has_value());
  auto config = db->Get(**app, "config");
  REQUIRE(config.ok());
  REQUIRE(config->has_value());
  CHECK((*config)->find("\"name\":\"cproc-fixture-2993-app\"") != std::string_view::npos);
  auto pod_id = db->Get(**app, "pod-id");
  REQUIRE(pod_id.ok());
  REQUIRE(pod_id->has_value());
  CHECK(**pod_id == "04e78ba0bce366bd24a17e79335905dddfb58665c19d05871c82c4a93023aeda");

  // Absent keys; a bucket is not a value and a value not a bucket.
  CHECK_FALSE(db->Get(db->root(), "nope")->has_value());
  CHECK_FALSE(db->Get(db->root(), "ctr")->has_value());
  CHECK_FALSE(db->Sub(**app, "config")->has_value());
  CHECK(WalkError(bytes).empty());
}

TEST_CASE("bolt: the valid meta with the highest txid wins, the other is the fallback") {
  const std::string bytes = PodmanStateDb();
  auto db = Reader::Open(bytes);
  REQUIRE(db.ok());
  const uint64_t txid = db->txid();
  // The current meta is on page txid % 2 (bbolt's Meta.Write).
  const std::size_t current = static_cast<std::size_t>(txid % 2) * 4096 + 16;
  const std::size_t previous = static_cast<std::size_t>(1 - txid % 2) * 4096 + 16;

  std::string bad_sum = bytes;
  bad_sum[current + 56] = static_cast<char>(bad_sum[current + 56] ^ 1);
  auto fallback = Reader::Open(bad_sum);
  REQUIRE_MESSAGE(fallback.ok(), (fallback.ok() ? "" : fallback.error()));
  CHECK(fallback->txid() == txid - 1);
  CHECK(WalkError(bad_sum).empty());  // the previous transaction's tree is intact

  std::string bad_magic = bytes;
  bad_magic[current] = 0;
  REQUIRE(Reader::Open(bad_magic).ok());
  CHECK(Reader::Open(bad_magic)->txid() == txid - 1);

  std::string both = bytes;
  both[current + 56] = static_cast<char>(both[current + 56] ^ 1);
  both[previous + 56] = static_cast<char>(both[previous + 56] ^ 1);
  auto none = Reader::Open(both);
  REQUIRE_FALSE(none.ok());
  CHECK(none.error().find("no valid meta page") != std::string::npos);
  CHECK(none.error().find("checksum mismatch") != std::string::npos);

  std::string magic = bytes;
  magic[16] = 'x';
  magic[4096 + 16] = 'x';
  REQUIRE_FALSE(Reader::Open(magic).ok());
  CHECK(Reader::Open(magic).error().find("bad magic") != std::string::npos);

  std::string version = bytes;
  PutLe(version, 16 + 4, 3, 4);
  PutLe(version, 4096 + 16 + 4, 3, 4);
  CHECK(Reader::Open(version).error().find("format version 3, expected 2") != std::string::npos);

  // Meta 0 unusable: meta 1 is found by probing page sizes, as bbolt does.
  std::string first_gone = bytes;
  std::fill(first_gone.begin(), first_gone.begin() + 4096, '\0');
  auto probed = Reader::Open(first_gone);
  REQUIRE_MESSAGE(probed.ok(), (probed.ok() ? "" : probed.error()));
  CHECK(probed->page_size() == 4096);
}

TEST_CASE("bolt: truncated files") {
  const std::string bytes = PodmanStateDb();
  CHECK(Reader::Open("").error().find("file too short") != std::string::npos);
  CHECK_FALSE(Reader::Open(std::string_view(bytes).substr(0, 40)).ok());
  CHECK_FALSE(Reader::Open(std::string_view(bytes).substr(0, 4096)).ok());  // one meta only
  // Both metas, but fewer pages than they say are in use.
  auto cut = Reader::Open(std::string_view(bytes).substr(0, 3 * 4096));
  REQUIRE_FALSE(cut.ok());
  CHECK(cut.error().find("truncated") != std::string::npos);
  // Every cut at a page boundary or in the middle of one: an error or a consistent tree.
  for (std::size_t size = 0; size < bytes.size(); size += 2048 + 7) {
    const std::string error = WalkError(std::string_view(bytes).substr(0, size));
    CHECK_FALSE(error.empty());
  }
}

TEST_CASE("bolt: page references that loop, go out of the file or into metas") {
  {  // A branch page naming itself.
    BoltFile file(4);
    file.SetPage(2, BranchPage(2, {{"a", 2}}));
    CHECK(WalkError(file.bytes()) == "page 2: element 0 refers back to page 2 (a cycle)");
    auto db = Reader::Open(file.bytes());
    REQUIRE(db.ok());
    auto found = db->Find(db->root(), "a");
    REQUIRE_FALSE(found.ok());
    CHECK(found.error() == "page 2: element 0 refers back to page 2 (a cycle)");
  }
  {  // Two branch pages naming each other.
    BoltFile file(4);
    file.SetPage(2, BranchPage(2, {{"a", 3}}));
    file.SetPage(3, BranchPage(3, {{"a", 2}}));
    CHECK(WalkError(file.bytes()) == "page 3: element 0 refers back to page 2 (a cycle)");
  }
  {  // A bucket whose root is the page holding it: the tree walk finds the loop each time,
    // and bucket nesting is bounded besides.
    BoltFile file(4);
    file.SetPage(2, LeafPage(2, {{"self", BucketValue(2), true}}));
    const std::string error = WalkError(file.bytes());
    CHECK(error.find("buckets nested deeper than 16") != std::string::npos);
  }
  {
    BoltFile file(4);
    file.SetPage(2, BranchPage(2, {{"a", 9}}));
    CHECK(WalkError(file.bytes()) ==
          "page 2: element 0 refers to page 9, beyond the 4 pages in use");
    file.SetPage(2, BranchPage(2, {{"a", 1}}));
    CHECK(WalkError(file.bytes()) == "page 2: element 0 refers to page 1, a meta page");
  }
  {  // The meta's root outside the pages in use: that meta is invalid.
    BoltFile file(4);
    file.SetMeta(0, 7, 4, 4);
    file.SetMeta(1, 0, 4, 5);
    auto db = Reader::Open(file.bytes());
    REQUIRE_FALSE(db.ok());
    CHECK(db.error().find("meta 0: root page 7 outside 2..4") != std::string::npos);
    CHECK(db.error().find("meta 1: root page 0 outside 2..4") != std::string::npos);
  }
  {  // A page whose header names another page.
    BoltFile file(4);
    file.SetPage(2, LeafPage(3, {}));
    CHECK(WalkError(file.bytes()) == "page 2: header says page 3");
  }
  {  // A chain deeper than any real tree.
    BoltFile file(40);
    for (uint64_t id = 2; id < 39; ++id) file.SetPage(id, BranchPage(id, {{"a", id + 1}}));
    file.SetPage(39, LeafPage(39, {{"a", "1"}}));
    CHECK(WalkError(file.bytes()).find("tree deeper than 32 levels") != std::string::npos);
  }
}

TEST_CASE("bolt: elements, counts and overflows that do not fit their page") {
  {
    std::string bytes = WithRoot({{"key", "value"}});
    PutLe(bytes, 2 * 1024 + 16 + 4, 5000, 4);  // element 0's pos
    CHECK(WalkError(bytes) == "page 2: element 0 key out of bounds");
  }
  {
    std::string bytes = WithRoot({{"key", "value"}, {"k2", "v2"}});
    PutLe(bytes, 2 * 1024 + 32 + 12, 0xffffffff, 4);  // element 1's vsize
    CHECK(WalkError(bytes) == "page 2: element 1 value out of bounds");
  }
  {
    std::string bytes = WithRoot({{"key", "value"}});
    PutLe(bytes, 2 * 1024 + 10, 0xffff, 2);  // count
    CHECK(WalkError(bytes) == "page 2: 65535 elements do not fit in 1024 bytes");
  }
  {
    std::string bytes = WithRoot({{"key", "value"}});
    PutLe(bytes, 2 * 1024 + 12, 0xffffffff, 4);  // overflow
    CHECK(WalkError(bytes) == "page 2: 4294967295 overflow pages run past the 4 pages in use");
  }
  {
    std::string bytes = WithRoot({{"key", "value"}});
    PutLe(bytes, 2 * 1024 + 8, 0x10, 2);  // a freelist page where a bucket's tree should be
    CHECK(WalkError(bytes) == "page 2: not a branch or leaf page (flags 0x10)");
  }
  {  // A value running into the next page, with the overflow that says so: valid.
    const std::string big(1500, 'v');
    BoltFile file(5);
    file.SetPage(2, LeafPage(2, {{"big", big}}));
    auto db = Reader::Open(file.bytes());
    REQUIRE(db.ok());
    auto value = db->Get(db->root(), "big");
    REQUIRE(value.ok());
    REQUIRE(value->has_value());
    CHECK(**value == big);
    PutLe(file.bytes(), 2 * 1024 + 12, 0, 4);  // the same without its overflow page
    CHECK(WalkError(file.bytes()) == "page 2: element 0 value out of bounds");
  }
}

TEST_CASE("bolt: inline buckets, nested ones, and their broken shapes") {
  {
    std::string bytes = WithRoot(
        {{"outer", InlineBucket({{"a", "1"}, {"inner", InlineBucket({{"b", "2"}}), true}}), true}});
    auto db = Reader::Open(bytes);
    REQUIRE(db.ok());
    auto outer = db->Sub(db->root(), "outer");
    REQUIRE(outer.ok());
    REQUIRE(outer->has_value());
    CHECK((*outer)->root == 0);
    CHECK(**db->Get(**outer, "a") == "1");
    auto inner = db->Sub(**outer, "inner");
    REQUIRE(inner.ok());
    REQUIRE(inner->has_value());
    CHECK((*inner)->depth == 2);
    CHECK(**db->Get(**inner, "b") == "2");
    CHECK(WalkError(bytes).empty());
  }
  // A bucket header cut short; an inline page without its header; an inline branch page.
  CHECK(WalkError(WithRoot({{"b", "12345678", true}})) ==
        "page 2: element 0: bucket header cut off (8 bytes)");
  CHECK(WalkError(WithRoot({{"b", BucketValue(0, "xx"), true}})) ==
        "inline page in page 2: header cut off");
  CHECK(WalkError(WithRoot({{"b", BucketValue(0, BranchPage(0, {{"a", 3}})), true}})) ==
        "inline page in page 2: not a leaf page (flags 0x1)");
  {
    std::string page = LeafPage(0, {{"a", "1"}});
    PutLe(page, 10, 900, 2);
    CHECK(WalkError(WithRoot({{"b", BucketValue(0, page), true}})) ==
          "inline page in page 2: 900 elements do not fit in 34 bytes");
  }
  {  // Inline buckets nested past the bound.
    std::string value = InlineBucket({{"leaf", "x"}});
    for (int i = 0; i < 20; ++i) value = InlineBucket({{"n", value, true}});
    BoltFile file(8);
    file.SetPage(2, LeafPage(2, {{"deep", value, true}}));
    CHECK(WalkError(file.bytes()).find("buckets nested deeper than 16") != std::string::npos);
    Limits roomy;
    roomy.max_bucket_depth = 64;
    CHECK(WalkError(file.bytes(), roomy).empty());
  }
  CHECK(WalkError(WithRoot({{"plain", "value"}})).empty());
  auto db = Reader::Open(WithRoot({{"plain", "value"}}));
  REQUIRE(db.ok());
  Item plain;
  plain.key = "plain";
  plain.value = "value";
  CHECK(db->Child(db->root(), plain).error() == "page 0: element 0 is not a bucket");
}

TEST_CASE("bolt: pages shared many times over are bounded by the read budget") {
  // Page 2 names page 3 63 times, page 3 names leaf page 4 63 times: 3,969 visits of 63
  // elements each, from a 5 KiB file.
  std::vector<std::pair<std::string, uint64_t>> to3, to4;
  for (int i = 0; i < 63; ++i) {
    to3.emplace_back("k", 3);
    to4.emplace_back("k", 4);
  }
  std::vector<BoltEntry> leaves;
  for (int i = 0; i < 40; ++i) leaves.push_back({"k", "v"});
  BoltFile file(5);
  file.SetPage(2, BranchPage(2, to3));
  file.SetPage(3, BranchPage(3, to4));
  file.SetPage(4, LeafPage(4, leaves));
  const std::string error = WalkError(file.bytes());
  CHECK(error.find("over the read budget of 5376 pages and elements") != std::string::npos);
  auto db = Reader::Open(file.bytes());
  REQUIRE(db.ok());
  CHECK_FALSE(db->ForEach(db->root(), [](const Item&) { return true; }).ok());
  CHECK(db->work_done() > 5376);
}

TEST_CASE("bolt: one byte changed anywhere in a real file never crashes the reader") {
  const std::string bytes = PodmanStateDb();
  std::size_t errors = 0, walks = 0;
  for (std::size_t offset = 0; offset < bytes.size(); offset += 97) {
    for (const int flip : {0x01, 0x80, 0xff}) {
      std::string changed = bytes;
      changed[offset] = static_cast<char>(changed[offset] ^ flip);
      ++walks;
      errors += WalkError(changed).empty() ? 0u : 1u;
    }
  }
  CHECK(walks > 3000);
  CHECK(errors > 0);  // some land in headers, elements or metas and are caught
}
