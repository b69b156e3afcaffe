// Podman's state database (bbolt, collectors/runtimes/boltdb.h) and what is taken from it
// (collectors/runtimes/libpod_state.h) on arbitrary bytes: the reader gives a value or an error
// that says something, its walks stay within their bounds, and the libpod parse agrees with a walk
// of the same buckets done here through the reader's public calls.
#include <cstring>
#include <functional>
#include <string>

#include "collectors/runtimes/boltdb.h"
#include "collectors/runtimes/libpod_state.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using cproc::bolt::Bucket;
using cproc::bolt::Item;
using cproc::bolt::Reader;

// Walks every bucket; every item a walk yields lies inside the file.
void WalkAll(std::string_view file) {
  auto db = Reader::Open(file);
  if (!db) {
    FUZZ_CHECK(!db.error().empty());
    return;
  }
  FUZZ_CHECK(db->page_size() >= 512 && (db->page_size() & (db->page_size() - 1)) == 0);
  FUZZ_CHECK(db->high_water_mark() <= file.size() / db->page_size());
  const auto inside = [&](std::string_view part) {
    return part.empty() ||
           (part.data() >= file.data() && part.data() + part.size() <= file.data() + file.size());
  };
  std::function<void(const Bucket&)> walk = [&](const Bucket& bucket) {
    FUZZ_CHECK(bucket.depth <= 16);
    auto done = db->ForEach(bucket, [&](const Item& item) {
      FUZZ_CHECK(inside(item.key) && inside(item.value));
      if (item.is_bucket) {
        if (auto child = db->Child(bucket, item)) {
          FUZZ_CHECK(inside(child->inline_page));
          walk(*child);
        } else {
          FUZZ_CHECK(!child.error().empty());
        }
      }
      // What a walk yields, a lookup by the same key finds (first of equal keys aside).
      auto found = db->Find(bucket, item.key);
      FUZZ_CHECK(found.ok() || !found.error().empty());
      return true;
    });
    if (!done) FUZZ_CHECK(!done.error().empty());
  };
  walk(db->root());
  // The budget: about four reads per 16 bytes of file, however the pages refer to each other
  // (one over when it ran out; a lookup may read a page more than a walk does).
  FUZZ_CHECK(db->work_done() <= file.size() / 4 + 4096 + 1);
}

void Libpod(std::string_view file) {
  auto state = cproc::ParseLibpodState(file);
  if (!state) {
    FUZZ_CHECK(!state.error().empty());
    return;
  }
  FUZZ_CHECK(state->skipped == 0 || !state->first_problem.empty());
  // Every container and pod came from a bucket of "ctr" or "pod" with a config.
  auto db = Reader::Open(file);
  FUZZ_CHECK(db.ok());
  for (const char* kind : {"ctr", "pod"}) {
    auto top = db->Sub(db->root(), kind);
    FUZZ_CHECK(top.ok() && top->has_value());
    std::size_t buckets = 0;
    auto done = db->ForEach(**top, [&](const Item& item) {
      buckets += item.is_bucket ? 1 : 0;
      return true;
    });
    FUZZ_CHECK(done.ok());
    const std::size_t found =
        std::strcmp(kind, "ctr") == 0 ? state->containers.size() : state->pod_names.size();
    FUZZ_CHECK(found <= buckets);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view file = cproc_fuzz::AsText(data, size);
  WalkAll(file);
  Libpod(file);
  return 0;
}
