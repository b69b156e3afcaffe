#include "collectors/events/sequence_tracker.h"

namespace cproc {

uint32_t SequenceTracker::Observe(uint32_t cpu, uint32_t sequence) {
  if (cpu >= kMaxCpus) return 0;
  if (cpu >= next_.size()) next_.resize(cpu + 1, 0);
  uint64_t& slot = next_[cpu];
  const bool seen = slot != 0;
  const auto expected = static_cast<uint32_t>(slot - 1);
  slot = uint64_t{static_cast<uint32_t>(sequence + 1)} + 1;
  if (!seen) return 0;
  // Unsigned distance, so the counter's wrap at 2^32 is no gap; a distance in the upper half
  // is a number behind the expected one (a restart, not 4 billion lost messages).
  const uint32_t missed = sequence - expected;
  return missed < (1U << 31) ? missed : 0;
}

}  // namespace cproc
