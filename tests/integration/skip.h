// Skips that show: a kernel test that cannot run on this host (no cgroup v2, no nsenter, ...)
// says why and is reported as skipped, not as passed. Each case is its own ctest test
// (tests/CMakeLists.txt); main.cpp exits 77, ctest's "skipped", when every case it ran was.
//
//   SKIP_CASE(reason)  ends the case here. Inside a SUBCASE only that sub-case is skipped: the
//                      case still ran, and says how many of its sub-cases did not.
//   SKIP_PART(reason)  one part (a table row, one check) is left out; the case goes on.
//
// `reason` is streamed as MESSAGE's is. The lines printed, "SKIPPED: reason" and
// "SKIPPED PART: reason", are what scripts/test lists at the end of a run.
#pragma once

#include <doctest/doctest.h>

#include <cstddef>
#include <sstream>
#include <string>
#include <vector>

namespace cproc::testing::kernel {

// What the test case being run left out; main.cpp resets it when a case starts.
struct CaseSkips {
  std::size_t passes_ended = 0;  // runs through the case (one per leaf SUBCASE) ended by SKIP_CASE
  std::vector<std::string> reasons;
};

inline CaseSkips& CurrentCaseSkips() {
  static CaseSkips skips;
  return skips;
}

}  // namespace cproc::testing::kernel

#define CPROC_RECORD_SKIP(marker, reason, ends_pass)                  \
  do {                                                                \
    std::ostringstream cproc_skip_reason;                             \
    cproc_skip_reason << reason;                                      \
    MESSAGE(marker << cproc_skip_reason.str());                       \
    auto& cproc_skips = ::cproc::testing::kernel::CurrentCaseSkips(); \
    cproc_skips.reasons.push_back(cproc_skip_reason.str());           \
    if (ends_pass) ++cproc_skips.passes_ended;                        \
  } while (false)

#define SKIP_CASE(reason)                         \
  do {                                            \
    CPROC_RECORD_SKIP("SKIPPED: ", reason, true); \
    return;                                       \
  } while (false)

#define SKIP_PART(reason) CPROC_RECORD_SKIP("SKIPPED PART: ", reason, false)
