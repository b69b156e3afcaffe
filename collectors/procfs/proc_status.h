// /proc/PID/status: read only where a scan needs it (PID 1 candidates), never for every process.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "collectors/base/expected.h"

namespace cproc {

struct ProcStatus {
  int32_t ppid = 0;
  uint32_t threads = 0;
  // PID of the process in each PID namespace it is in, outermost (the reader's) first.
  std::vector<int32_t> nspid;
  uint64_t sig_blk = 0;
  uint64_t sig_ign = 0;
  uint64_t sig_cgt = 0;
};

Expected<ProcStatus> ParseProcStatus(std::string_view text);

// Signal numbers are 1-based: bit (sig - 1) of a SigXxx mask.
constexpr bool SignalInMask(uint64_t mask, int signal) {
  return signal >= 1 && signal <= 64 && ((mask >> (signal - 1)) & 1U) != 0;
}

}  // namespace cproc
