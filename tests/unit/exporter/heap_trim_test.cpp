#include "exporter/heap_trim.h"

#include <doctest/doctest.h>

#include <cstdint>
#include <initializer_list>

using cproc::HeapTrimPolicy;

TEST_CASE("heap trim: once after the host shrinks to under half, not while it grows or holds") {
  HeapTrimPolicy trim;
  // Growth and steady scans: nothing to give back.
  for (uint64_t n : {100U, 10000U, 30000U, 100000U, 100000U, 60000U}) {
    INFO(n);
    CHECK_FALSE(trim.ShouldTrim(n));
  }
  CHECK(trim.ShouldTrim(10000));  // 100,000 -> 10,000: the freed heap goes back
  // Once: the high-water mark is now 10,000.
  CHECK_FALSE(trim.ShouldTrim(10000));
  CHECK_FALSE(trim.ShouldTrim(6000));
  CHECK(trim.ShouldTrim(4000));  // under half of 10,000
  // A scan that failed (0 processes) after a large one trims too: its memory is gone.
  CHECK_FALSE(trim.ShouldTrim(50000));
  CHECK(trim.ShouldTrim(0));
}
