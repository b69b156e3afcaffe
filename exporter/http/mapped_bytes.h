// Bytes in pages of their own (mmap), handed back to the kernel when freed. For the text inflated
// for a request without gzip: made by whichever HTTP worker asks first, megabytes at 100,000
// processes, once per scan. From malloc it would come from that worker's heap, and glibc, having
// seen such a buffer freed, keeps buffers of that size in the heaps from then on, resident (at
// 30,000 processes scraped without gzip every 0.3 s: 70 MiB RSS against 38 MiB scraped with
// gzip; docs/PERFORMANCE.md "Sizing").
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace cproc {

class MappedBytes {
 public:
  // `size` zeroed bytes, or nullopt when the kernel refuses the mapping. Size 0 maps nothing.
  static std::optional<MappedBytes> Allocate(std::size_t size);

  MappedBytes() = default;
  MappedBytes(MappedBytes&& other) noexcept;
  MappedBytes& operator=(MappedBytes&& other) noexcept;
  MappedBytes(const MappedBytes&) = delete;
  MappedBytes& operator=(const MappedBytes&) = delete;
  ~MappedBytes();

  char* data() { return data_; }
  std::size_t size() const { return size_; }
  std::string_view view() const { return {data_, size_}; }

 private:
  MappedBytes(char* data, std::size_t size) : data_(data), size_(size) {}

  char* data_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace cproc
