// Loss detection from the connector's sequence numbers. The kernel numbers messages with one
// counter per CPU (cn_proc.c send_msg: a per-CPU count, sent with preemption off so one CPU's
// messages arrive in order), shared by every listener: a listener that takes every event sees
// each CPU's numbers without holes unless messages were lost. Pure; one thread (the reader's).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace cproc {

class SequenceTracker {
 public:
  // CPU numbers at or above this are not tracked (the kernel's NR_CPUS limit is 8192); a bound
  // so that a stray number cannot make the table grow.
  static constexpr uint32_t kMaxCpus = 8192;

  // Records message `sequence` from `cpu`; returns how many of that CPU's messages were missed
  // since the last one seen (0 for its first message, for the next in order, and for a number
  // at or behind the last, which is taken as a restart and followed from there).
  uint32_t Observe(uint32_t cpu, uint32_t sequence);

 private:
  // The sequence expected next from each CPU, plus one (0 = nothing seen yet).
  std::vector<uint64_t> next_;
};

}  // namespace cproc
