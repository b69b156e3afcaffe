#include "collectors/events/sequence_tracker.h"

#include <doctest/doctest.h>

using cproc::SequenceTracker;

TEST_CASE("sequence tracker: gaps are counted per CPU") {
  SequenceTracker tracker;
  CHECK(tracker.Observe(0, 100) == 0);  // first of a CPU: nothing to compare with
  CHECK(tracker.Observe(0, 101) == 0);
  CHECK(tracker.Observe(1, 5) == 0);
  CHECK(tracker.Observe(0, 105) == 3);  // 102, 103, 104 lost
  CHECK(tracker.Observe(1, 6) == 0);    // the other CPU's run is its own
  CHECK(tracker.Observe(1, 8) == 1);
  CHECK(tracker.Observe(3, 0) == 0);
  CHECK(tracker.Observe(3, 1) == 0);
}

TEST_CASE("sequence tracker: the counter wraps; a number behind restarts the run") {
  SequenceTracker tracker;
  CHECK(tracker.Observe(2, 0xfffffffeU) == 0);
  CHECK(tracker.Observe(2, 0xffffffffU) == 0);
  CHECK(tracker.Observe(2, 0) == 0);
  CHECK(tracker.Observe(2, 2) == 1);
  CHECK(tracker.Observe(2, 2) == 0);  // again: not 4 billion lost
  CHECK(tracker.Observe(2, 1) == 0);  // behind: followed from here
  CHECK(tracker.Observe(2, 2) == 0);
}

TEST_CASE("sequence tracker: a CPU number past the bound is not tracked") {
  SequenceTracker tracker;
  CHECK(tracker.Observe(SequenceTracker::kMaxCpus, 1) == 0);
  CHECK(tracker.Observe(SequenceTracker::kMaxCpus, 10) == 0);
  CHECK(tracker.Observe(0xffffffffU, 10) == 0);
}
