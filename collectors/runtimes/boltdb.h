// A read-only reader of bbolt (go.etcd.io/bbolt) database files, working on the file's bytes:
// enough to walk buckets and read values. Podman 4 keeps its state in one (libpod_state.h).
// It never writes, maps or locks the file, and trusts nothing in it: every offset and size is
// checked against the bytes given, tree depth, bucket nesting and the pages and elements read
// are bounded, and what is wrong comes back as an Error naming the page and element
// ("page 12: element 3 key out of bounds"), never as a crash.
//
// The format, as bbolt 1.3 writes it (internal/common/{page,meta,bucket}.go in etcd-io/bbolt;
// little-endian on the hosts Podman runs on):
// - the file is pages of meta.page_size bytes; a page starts with a 16-byte header (id u64,
//   flags u16: 0x01 branch, 0x02 leaf, 0x04 meta, 0x10 freelist; count u16; overflow u32) and
//   spans 1 + overflow pages;
// - pages 0 and 1 hold the two metas after their header: magic 0xED0CDAED, version 2, page
//   size, flags, the root bucket (root page u64, sequence u64), freelist page, high water mark
//   (pages in use), txid, and an FNV-1a 64 checksum of the bytes before it. A commit rewrites
//   the older meta, so the valid one with the higher txid is the current state;
// - a branch page has `count` elements {pos u32, ksize u32, child page u64}, a leaf page
//   {flags u32 (0x01: the value is a bucket), pos u32, ksize u32, vsize u32}; pos counts from
//   the element itself, the value follows the key;
// - a bucket's value is its root page and sequence (16 bytes); a root of 0 means an inline
//   bucket, whose leaf page follows in the value itself.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/base/expected.h"

namespace cproc::bolt {

struct Limits {
  std::size_t max_tree_depth = 32;    // branch levels below a bucket's root page
  std::size_t max_bucket_depth = 16;  // buckets within buckets
  // Pages and elements read over the reader's life. 0: four times what the file can hold (one
  // element per 16 bytes) plus 4096; a walk of every bucket reads each element about once.
  std::size_t max_work = 0;
};

// Where a bucket's tree starts: a page of the file, or (inline) a leaf page inside the value
// that holds the bucket. A view into the reader's bytes.
struct Bucket {
  uint64_t root = 0;             // page id; 0: inline
  std::string_view inline_page;  // inline: the page's bytes
  uint64_t host_page = 0;        // the page holding the bucket's header (0: the meta's root)
  std::size_t depth = 0;         // 0: the root bucket
};

// One key of a bucket. The views point into the reader's bytes.
struct Item {
  std::string_view key;
  std::string_view value;  // for a bucket: its header and, inline, its page (see Reader::Child)
  bool is_bucket = false;
  uint64_t page = 0;      // the page holding the element (an inline page's host page)
  std::size_t index = 0;  // the element's index in it
};

class Reader {
 public:
  // Reads the metas and picks the valid one with the highest txid. `file` must outlive the
  // reader and everything it returns.
  static Expected<Reader> Open(std::string_view file, Limits limits = {});

  uint32_t page_size() const { return page_size_; }
  uint64_t txid() const { return txid_; }
  uint64_t high_water_mark() const { return high_water_mark_; }
  Bucket root() const {
    Bucket bucket;
    bucket.root = root_;
    return bucket;
  }

  // Calls `visit` with each key of `bucket` in the file's order (sorted, as bbolt keeps them)
  // until it returns false. The value: true when every key was visited.
  Expected<bool> ForEach(const Bucket& bucket, const std::function<bool(const Item&)>& visit);

  // The bucket `item` holds (an error when it holds none or its header is cut off).
  Expected<Bucket> Child(const Bucket& parent, const Item& item) const;

  // The item at `key`, found by descending the tree; nullopt when there is none.
  Expected<std::optional<Item>> Find(const Bucket& bucket, std::string_view key);
  // A plain value at `key` (nullopt when absent or a bucket), or the bucket at `key` (nullopt
  // when absent or a plain value).
  Expected<std::optional<std::string_view>> Get(const Bucket& bucket, std::string_view key);
  Expected<std::optional<Bucket>> Sub(const Bucket& bucket, std::string_view key);

  std::size_t work_done() const { return work_; }

 private:
  struct Page;  // one branch or leaf page, checked

  Reader(std::string_view file, Limits limits) : file_(file), limits_(limits) {}
  Expected<Page> LoadPage(uint64_t id, const std::string& referrer) const;
  Expected<Page> RootPage(const Bucket& bucket) const;
  Expected<bool> Walk(const Page& page, std::size_t depth, std::vector<uint64_t>& path,
                      const std::function<bool(const Item&)>& visit);
  bool Spend(std::size_t units);

  std::string_view file_;
  Limits limits_;
  uint32_t page_size_ = 0;
  uint64_t txid_ = 0;
  uint64_t root_ = 0;
  uint64_t high_water_mark_ = 0;
  std::size_t work_ = 0;
};

// FNV-1a, 64 bits (the meta checksum; Go's hash/fnv New64a).
uint64_t Fnv1a64(std::string_view bytes);

}  // namespace cproc::bolt
