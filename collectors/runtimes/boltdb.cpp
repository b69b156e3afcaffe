#include "collectors/runtimes/boltdb.h"

#include <algorithm>
#include <charconv>
#include <utility>

namespace cproc::bolt {
namespace {

// Sizes and flags of bbolt's on-disk structures (see boltdb.h).
constexpr uint32_t kMagic = 0xED0CDAED;
constexpr uint32_t kVersion = 2;
constexpr std::size_t kPageHeaderSize = 16;
constexpr std::size_t kElementSize = 16;  // branch and leaf elements alike
constexpr std::size_t kMetaSize = 64;
constexpr std::size_t kChecksummedBytes = 56;  // the meta up to its checksum
constexpr std::size_t kBucketHeaderSize = 16;  // root page, sequence
constexpr uint16_t kBranchPage = 0x01;
constexpr uint16_t kLeafPage = 0x02;
constexpr uint32_t kBucketLeafFlag = 0x01;
// bbolt looks for the second meta at 1 KiB << 0..14 when the first is unusable (db.go
// getPageSizeFromSecondMeta); page sizes are the OS's (4 KiB, 16 KiB, 64 KiB).
constexpr uint32_t kMinPageSize = 512;
constexpr uint32_t kMaxPageSize = 1u << 24;

// Little-endian; the caller has checked that sizeof(T) bytes are there.
template <typename T>
T Load(std::string_view bytes, std::size_t offset) {
  uint64_t value = 0;
  for (std::size_t i = 0; i < sizeof(T); ++i) {
    value |= uint64_t{static_cast<unsigned char>(bytes[offset + i])} << (8 * i);
  }
  return static_cast<T>(value);
}

std::string Hex(uint64_t value) {
  char buffer[24];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value, 16);
  (void)ec;
  return "0x" + std::string(buffer, end);
}

std::string Num(uint64_t value) { return std::to_string(value); }

struct Meta {
  uint32_t page_size = 0;
  uint64_t root = 0;
  uint64_t high_water_mark = 0;
  uint64_t txid = 0;
};

// The meta of the page at `offset`: magic, version and checksum, as bbolt's Meta.Validate.
Expected<Meta> ReadMeta(std::string_view file, uint64_t offset, int which) {
  const std::string name = "meta " + std::to_string(which);
  if (offset > file.size() || file.size() - offset < kPageHeaderSize + kMetaSize) {
    return Error{name + ": file too short (" + Num(file.size()) + " bytes)"};
  }
  const std::string_view m =
      file.substr(static_cast<std::size_t>(offset) + kPageHeaderSize, kMetaSize);
  if (const auto magic = Load<uint32_t>(m, 0); magic != kMagic) {
    return Error{name + ": bad magic " + Hex(magic) + " (not a bbolt file)"};
  }
  if (const auto version = Load<uint32_t>(m, 4); version != kVersion) {
    return Error{name + ": format version " + Num(version) + ", expected 2"};
  }
  if (Load<uint64_t>(m, kChecksummedBytes) != Fnv1a64(m.substr(0, kChecksummedBytes))) {
    return Error{name + ": checksum mismatch"};
  }
  Meta meta;
  meta.page_size = Load<uint32_t>(m, 8);
  meta.root = Load<uint64_t>(m, 16);  // the root bucket's page (its sequence follows)
  meta.high_water_mark = Load<uint64_t>(m, 40);
  meta.txid = Load<uint64_t>(m, 48);
  const uint32_t size = meta.page_size;
  if (size < kMinPageSize || size > kMaxPageSize || (size & (size - 1)) != 0) {
    return Error{name + ": page size " + Num(size) + " is not a power of two in 512..16M"};
  }
  return meta;
}

// What bbolt itself takes for granted of a valid meta, checked against this file.
Expected<Meta> CheckMeta(Expected<Meta> meta, uint64_t file_size, int which) {
  if (!meta) return meta;
  const std::string name = "meta " + std::to_string(which);
  const uint64_t pages = file_size / meta->page_size;
  if (meta->high_water_mark > pages) {
    return Error{name + ": " + Num(meta->high_water_mark) + " pages in use, the file holds " +
                 Num(pages) + " (truncated?)"};
  }
  if (meta->root < 2 || meta->root >= meta->high_water_mark) {
    return Error{name + ": root page " + Num(meta->root) + " outside 2.." +
                 Num(meta->high_water_mark)};
  }
  return meta;
}

}  // namespace

uint64_t Fnv1a64(std::string_view bytes) {
  uint64_t hash = 14695981039346656037ull;
  for (const char c : bytes) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ull;
  }
  return hash;
}

struct Reader::Page {
  uint64_t id = 0;    // 0: inline
  uint64_t host = 0;  // inline: the page holding it
  uint16_t flags = 0;
  uint16_t count = 0;
  std::string_view bytes;  // the whole span: header, elements, keys and values

  bool leaf() const { return flags == kLeafPage; }
  std::string Where() const {
    return id == 0 ? "inline page in page " + Num(host) : "page " + Num(id);
  }
  // Element i's key (and, for a leaf, value), bounds-checked; count was checked on load.
  Expected<Item> Element(std::size_t i) const {
    const std::size_t base = kPageHeaderSize + i * kElementSize;
    Item item;
    item.page = id == 0 ? host : id;
    item.index = i;
    const uint64_t pos = base + uint64_t{Load<uint32_t>(bytes, base + (leaf() ? 4 : 0))};
    const uint64_t key_end = pos + Load<uint32_t>(bytes, base + (leaf() ? 8 : 4));
    if (key_end > bytes.size()) {
      return Error{Where() + ": element " + Num(i) + " key out of bounds"};
    }
    item.key = bytes.substr(static_cast<std::size_t>(pos), static_cast<std::size_t>(key_end - pos));
    if (!leaf()) return item;
    const uint64_t value_end = key_end + Load<uint32_t>(bytes, base + 12);
    if (value_end > bytes.size()) {
      return Error{Where() + ": element " + Num(i) + " value out of bounds"};
    }
    item.value = bytes.substr(static_cast<std::size_t>(key_end),
                              static_cast<std::size_t>(value_end - key_end));
    item.is_bucket = (Load<uint32_t>(bytes, base) & kBucketLeafFlag) != 0;
    return item;
  }
  // A branch element's child page.
  uint64_t Child(std::size_t i) const {
    return Load<uint64_t>(bytes, kPageHeaderSize + i * kElementSize + 8);
  }
};

Expected<Reader> Reader::Open(std::string_view file, Limits limits) {
  Reader reader(file, limits);
  if (reader.limits_.max_work == 0) reader.limits_.max_work = file.size() / 4 + 4096;

  // The first meta gives the page size, hence where the second is; without it, bbolt probes.
  Expected<Meta> meta0 = ReadMeta(file, 0, 0);
  Expected<Meta> meta1 = Error{"meta 1: not found at any page size"};
  if (meta0) {
    meta1 = ReadMeta(file, meta0->page_size, 1);
    if (meta1 && meta1->page_size != meta0->page_size) {
      meta1 = Error{"meta 1: page size " + Num(meta1->page_size) + " differs from meta 0's " +
                    Num(meta0->page_size)};
    }
  } else {
    for (int shift = 0; shift <= 14; ++shift) {
      const uint64_t offset = uint64_t{1024} << shift;
      if (offset >= file.size()) break;
      auto candidate = ReadMeta(file, offset, 1);
      if (candidate && candidate->page_size == offset) {
        meta1 = std::move(candidate);
        break;
      }
    }
  }
  meta0 = CheckMeta(std::move(meta0), file.size(), 0);
  meta1 = CheckMeta(std::move(meta1), file.size(), 1);
  // The higher txid wins when valid, else the other (bbolt's DB.meta).
  const Meta* meta = nullptr;
  if (meta0 && meta1) {
    meta = meta1->txid > meta0->txid ? &*meta1 : &*meta0;
  } else if (meta0 || meta1) {
    meta = meta0 ? &*meta0 : &*meta1;
  } else {
    return Error{"no valid meta page (" + meta0.error() + "; " + meta1.error() + ")"};
  }
  reader.page_size_ = meta->page_size;
  reader.txid_ = meta->txid;
  reader.root_ = meta->root;
  reader.high_water_mark_ = meta->high_water_mark;
  return reader;
}

bool Reader::Spend(std::size_t units) {
  if (units > limits_.max_work - std::min(work_, limits_.max_work)) {
    work_ = limits_.max_work + 1;
    return false;
  }
  work_ += units;
  return true;
}

// A page of the file referred to by `referrer`; checked as bbolt's Page.FastCheck does, and
// that its span and elements are inside the pages in use.
Expected<Reader::Page> Reader::LoadPage(uint64_t id, const std::string& referrer) const {
  if (id < 2) return Error{referrer + " refers to page " + Num(id) + ", a meta page"};
  if (id >= high_water_mark_) {
    return Error{referrer + " refers to page " + Num(id) + ", beyond the " + Num(high_water_mark_) +
                 " pages in use"};
  }
  const std::size_t offset = static_cast<std::size_t>(id) * page_size_;
  Page page;
  page.id = id;
  const std::string_view header = file_.substr(offset, kPageHeaderSize);
  if (const auto self = Load<uint64_t>(header, 0); self != id) {
    return Error{page.Where() + ": header says page " + Num(self)};
  }
  page.flags = Load<uint16_t>(header, 8);
  page.count = Load<uint16_t>(header, 10);
  const uint64_t overflow = Load<uint32_t>(header, 12);
  if (overflow >= high_water_mark_ - id) {
    return Error{page.Where() + ": " + Num(overflow) + " overflow pages run past the " +
                 Num(high_water_mark_) + " pages in use"};
  }
  if (page.flags != kBranchPage && page.flags != kLeafPage) {
    return Error{page.Where() + ": not a branch or leaf page (flags " + Hex(page.flags) + ")"};
  }
  page.bytes = file_.substr(offset, static_cast<std::size_t>(overflow + 1) * page_size_);
  if (kPageHeaderSize + std::size_t{page.count} * kElementSize > page.bytes.size()) {
    return Error{page.Where() + ": " + Num(page.count) + " elements do not fit in " +
                 Num(page.bytes.size()) + " bytes"};
  }
  return page;
}

Expected<Reader::Page> Reader::RootPage(const Bucket& bucket) const {
  if (bucket.root != 0) {
    return LoadPage(bucket.root, bucket.depth == 0 ? std::string("the meta's root bucket")
                                                   : "a bucket in page " + Num(bucket.host_page));
  }
  // Inline: a leaf page inside the value (bbolt inlines only small buckets without
  // sub-buckets, always as a leaf).
  Page page;
  page.host = bucket.host_page;
  page.bytes = bucket.inline_page;
  if (page.bytes.size() < kPageHeaderSize) return Error{page.Where() + ": header cut off"};
  page.flags = Load<uint16_t>(page.bytes, 8);
  page.count = Load<uint16_t>(page.bytes, 10);
  if (page.flags != kLeafPage) {
    return Error{page.Where() + ": not a leaf page (flags " + Hex(page.flags) + ")"};
  }
  if (kPageHeaderSize + std::size_t{page.count} * kElementSize > page.bytes.size()) {
    return Error{page.Where() + ": " + Num(page.count) + " elements do not fit in " +
                 Num(page.bytes.size()) + " bytes"};
  }
  return page;
}

Expected<bool> Reader::Walk(const Page& page, std::size_t depth, std::vector<uint64_t>& path,
                            const std::function<bool(const Item&)>& visit) {
  if (!Spend(1 + std::size_t{page.count})) {
    return Error{page.Where() + ": over the read budget of " + Num(limits_.max_work) +
                 " pages and elements"};
  }
  if (page.leaf()) {
    for (std::size_t i = 0; i < page.count; ++i) {
      auto item = page.Element(i);
      if (!item) return Error{item.error()};
      if (!visit(*item)) return false;
    }
    return true;
  }
  if (depth >= limits_.max_tree_depth) {
    return Error{page.Where() + ": tree deeper than " + Num(limits_.max_tree_depth) + " levels"};
  }
  path.push_back(page.id);
  for (std::size_t i = 0; i < page.count; ++i) {
    if (auto key = page.Element(i); !key) return Error{key.error()};
    const uint64_t child = page.Child(i);
    if (std::find(path.begin(), path.end(), child) != path.end()) {
      return Error{page.Where() + ": element " + Num(i) + " refers back to page " + Num(child) +
                   " (a cycle)"};
    }
    auto child_page = LoadPage(child, page.Where() + ": element " + Num(i));
    if (!child_page) return Error{child_page.error()};
    auto done = Walk(*child_page, depth + 1, path, visit);
    if (!done || !*done) return done;
  }
  path.pop_back();
  return true;
}

Expected<bool> Reader::ForEach(const Bucket& bucket,
                               const std::function<bool(const Item&)>& visit) {
  auto page = RootPage(bucket);
  if (!page) return Error{page.error()};
  std::vector<uint64_t> path;
  return Walk(*page, 0, path, visit);
}

Expected<Bucket> Reader::Child(const Bucket& parent, const Item& item) const {
  const std::string where = "page " + Num(item.page) + ": element " + Num(item.index);
  if (!item.is_bucket) return Error{where + " is not a bucket"};
  if (parent.depth + 1 > limits_.max_bucket_depth) {
    return Error{where + ": buckets nested deeper than " + Num(limits_.max_bucket_depth)};
  }
  if (item.value.size() < kBucketHeaderSize) {
    return Error{where + ": bucket header cut off (" + Num(item.value.size()) + " bytes)"};
  }
  Bucket child;
  child.root = Load<uint64_t>(item.value, 0);
  child.host_page = item.page;
  child.depth = parent.depth + 1;
  if (child.root == 0) child.inline_page = item.value.substr(kBucketHeaderSize);
  return child;
}

Expected<std::optional<Item>> Reader::Find(const Bucket& bucket, std::string_view key) {
  auto page = RootPage(bucket);
  if (!page) return Error{page.error()};
  std::vector<uint64_t> path;
  for (std::size_t depth = 0;; ++depth) {
    if (!Spend(1 + std::size_t{page->count})) {
      return Error{page->Where() + ": over the read budget of " + Num(limits_.max_work) +
                   " pages and elements"};
    }
    if (page->leaf()) {
      for (std::size_t i = 0; i < page->count; ++i) {
        auto item = page->Element(i);
        if (!item) return Error{item.error()};
        if (item->key == key) return std::optional<Item>(*item);
      }
      return std::optional<Item>();
    }
    if (depth >= limits_.max_tree_depth) {
      return Error{page->Where() + ": tree deeper than " + Num(limits_.max_tree_depth) + " levels"};
    }
    // The last child whose first key is not above `key` (the first child when all are).
    std::size_t chosen = 0;
    for (std::size_t i = 0; i < page->count; ++i) {
      auto element = page->Element(i);
      if (!element) return Error{element.error()};
      if (element->key <= key) chosen = i;
    }
    if (page->count == 0) return std::optional<Item>();
    const uint64_t child = page->Child(chosen);
    path.push_back(page->id);
    if (std::find(path.begin(), path.end(), child) != path.end()) {
      return Error{page->Where() + ": element " + Num(chosen) + " refers back to page " +
                   Num(child) + " (a cycle)"};
    }
    auto next = LoadPage(child, page->Where() + ": element " + Num(chosen));
    if (!next) return Error{next.error()};
    page = std::move(next);
  }
}

Expected<std::optional<std::string_view>> Reader::Get(const Bucket& bucket, std::string_view key) {
  auto item = Find(bucket, key);
  if (!item) return Error{item.error()};
  if (!item->has_value() || (*item)->is_bucket) return std::optional<std::string_view>();
  return std::optional<std::string_view>((*item)->value);
}

Expected<std::optional<Bucket>> Reader::Sub(const Bucket& bucket, std::string_view key) {
  auto item = Find(bucket, key);
  if (!item) return Error{item.error()};
  if (!item->has_value() || !(*item)->is_bucket) return std::optional<Bucket>();
  auto child = Child(bucket, **item);
  if (!child) return Error{child.error()};
  return std::optional<Bucket>(*child);
}

}  // namespace cproc::bolt
