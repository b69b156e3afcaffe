// Hand-made bbolt files for the reader's tests (boltdb_test.cpp, libpod_state_test.cpp): pages
// laid out byte by byte as collectors/runtimes/boltdb.h describes the format, so that each hostile
// shape (a cycle, an element past its page, a huge count, a bad meta) is exactly what a test says.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <filesystem>

#include "collectors/runtimes/boltdb.h"
#include "tests/support/source_file.h"

namespace cproc::testing {

inline void PutLe(std::string& bytes, std::size_t offset, uint64_t value, std::size_t width) {
  for (std::size_t i = 0; i < width; ++i) {
    bytes[offset + i] = static_cast<char>((value >> (8 * i)) & 0xff);
  }
}

inline uint64_t GetLe(std::string_view bytes, std::size_t offset, std::size_t width) {
  uint64_t value = 0;
  for (std::size_t i = 0; i < width; ++i) {
    value |= uint64_t{static_cast<unsigned char>(bytes[offset + i])} << (8 * i);
  }
  return value;
}

// A leaf element to be: key, value, and whether the value is a bucket.
struct BoltEntry {
  std::string key;
  std::string value;
  bool bucket = false;
};

// A page's bytes (header and elements), for a page of the file or an inline bucket.
inline std::string LeafPage(uint64_t id, const std::vector<BoltEntry>& entries,
                            std::size_t size = 0) {
  std::string page(16 + 16 * entries.size(), '\0');
  PutLe(page, 0, id, 8);
  PutLe(page, 8, 0x02, 2);
  PutLe(page, 10, entries.size(), 2);
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const std::size_t element = 16 + 16 * i;
    PutLe(page, element, entries[i].bucket ? 1 : 0, 4);
    PutLe(page, element + 4, page.size() - element, 4);  // pos counts from the element
    PutLe(page, element + 8, entries[i].key.size(), 4);
    PutLe(page, element + 12, entries[i].value.size(), 4);
    page += entries[i].key + entries[i].value;
  }
  if (page.size() < size) page.resize(size, '\0');
  return page;
}

inline std::string BranchPage(uint64_t id,
                              const std::vector<std::pair<std::string, uint64_t>>& kids) {
  std::string page(16 + 16 * kids.size(), '\0');
  PutLe(page, 0, id, 8);
  PutLe(page, 8, 0x01, 2);
  PutLe(page, 10, kids.size(), 2);
  for (std::size_t i = 0; i < kids.size(); ++i) {
    const std::size_t element = 16 + 16 * i;
    PutLe(page, element, page.size() - element, 4);
    PutLe(page, element + 4, kids[i].first.size(), 4);
    PutLe(page, element + 8, kids[i].second, 8);
    page += kids[i].first;
  }
  return page;
}

// A bucket's value: its root page, or 0 and the inline page.
inline std::string BucketValue(uint64_t root, const std::string& inline_page = "") {
  std::string value(16, '\0');
  PutLe(value, 0, root, 8);
  return value + inline_page;
}

inline std::string InlineBucket(const std::vector<BoltEntry>& entries) {
  return BucketValue(0, LeafPage(0, entries));
}

// A whole file of `pages` pages of `page_size` bytes: metas on pages 0 and 1, the rest zero.
class BoltFile {
 public:
  explicit BoltFile(std::size_t pages, uint32_t page_size = 1024)
      : page_size_(page_size), bytes_(pages * page_size, '\0') {
    SetMeta(0, 2, pages, 4);
    SetMeta(1, 2, pages, 5);
  }

  // Meta `which` (0 or 1): root bucket page, high water mark, txid; checksummed.
  void SetMeta(int which, uint64_t root, uint64_t high_water_mark, uint64_t txid) {
    const std::size_t page = static_cast<std::size_t>(which) * page_size_;
    PutLe(bytes_, page, static_cast<uint64_t>(which), 8);
    PutLe(bytes_, page + 8, 0x04, 2);
    const std::size_t meta = page + 16;
    PutLe(bytes_, meta, 0xED0CDAED, 4);
    PutLe(bytes_, meta + 4, 2, 4);
    PutLe(bytes_, meta + 8, page_size_, 4);
    PutLe(bytes_, meta + 16, root, 8);
    PutLe(bytes_, meta + 32, 0xffffffffffffffffull, 8);  // no freelist page
    PutLe(bytes_, meta + 40, high_water_mark, 8);
    PutLe(bytes_, meta + 48, txid, 8);
    Checksum(which);
  }
  void Checksum(int which) {
    const std::size_t meta = static_cast<std::size_t>(which) * page_size_ + 16;
    PutLe(bytes_, meta + 56, bolt::Fnv1a64(std::string_view(bytes_).substr(meta, 56)), 8);
  }
  // Puts `page` (from LeafPage/BranchPage) at page `id`, growing its overflow if it needs more.
  void SetPage(uint64_t id, std::string page) {
    const std::size_t offset = static_cast<std::size_t>(id) * page_size_;
    const std::size_t overflow = (page.size() + page_size_ - 1) / page_size_ - 1;
    PutLe(page, 12, overflow, 4);
    bytes_.replace(offset, page.size(), page);
  }

  std::string& bytes() { return bytes_; }
  uint32_t page_size() const { return page_size_; }

 private:
  uint32_t page_size_;
  std::string bytes_;
};

// tests/unit/fixtures/podman/bolt_state.db: the state database the real Podman 4.3 wrote (its
// README).
inline std::string PodmanStateDb() {
  return ReadSourceFile(std::filesystem::path(__FILE__).parent_path() /
                        "../../fixtures/podman/bolt_state.db");
}

}  // namespace cproc::testing
