// When to give back a buffer kept from one scan to the next: it was sized for a host with many
// more processes than now. Only below a quarter, and not for small buffers, so that a host whose
// process count swings keeps its buffers instead of reallocating them every scan.
#pragma once

#include <cstddef>

namespace cproc {

inline bool ShrunkToUnderAQuarter(std::size_t capacity, std::size_t size) {
  return capacity > 4 * size && capacity > 4096;
}

}  // namespace cproc
