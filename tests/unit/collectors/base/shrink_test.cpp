// When a buffer kept between scans is given back (collectors/base/shrink.h).
#include <doctest/doctest.h>

#include "collectors/base/shrink.h"

using cproc::ShrunkToUnderAQuarter;

TEST_CASE("shrink: a buffer sized for four times the host and more goes, a small one stays") {
  CHECK(ShrunkToUnderAQuarter(100000, 10000));  // back from a spell at 100,000
  CHECK(ShrunkToUnderAQuarter(100000, 24999));
  CHECK_FALSE(ShrunkToUnderAQuarter(100000, 25000));  // a swing under 4x keeps it
  CHECK_FALSE(ShrunkToUnderAQuarter(100000, 100000));
  CHECK_FALSE(ShrunkToUnderAQuarter(4096, 0));  // small: never worth a reallocation
  CHECK(ShrunkToUnderAQuarter(4097, 0));
}
