// /proc/PID/status: "Key:\tvalue" lines; NSpid is a tab-separated list, Sig* are hex masks.
#include <cinttypes>
#include <cstdio>
#include <string>

#include "collectors/procfs/proc_status.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

std::string Hex16(uint64_t mask) {
  char buffer[17];
  std::snprintf(buffer, sizeof(buffer), "%016" PRIx64, mask);
  return buffer;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = cproc_fuzz::AsText(data, size);
  auto parsed = cproc::ParseProcStatus(text);
  if (!parsed) {
    FUZZ_CHECK(!parsed.error().empty());
    return 0;
  }
  FUZZ_CHECK(text.find("PPid") != std::string_view::npos);
  const cproc::ProcStatus& s = *parsed;
  for (int signal = 0; signal <= 65; ++signal) {  // out-of-range signals are never "in" a mask
    const bool in = cproc::SignalInMask(s.sig_cgt, signal);
    FUZZ_CHECK(!in || (signal >= 1 && signal <= 64));
  }

  // Round trip through the kernel's own layout.
  std::string text2 = "Name:\tx\nPPid:\t" + std::to_string(s.ppid) + "\nThreads:\t" +
                      std::to_string(s.threads) + "\nNSpid:";
  for (int32_t pid : s.nspid) text2 += "\t" + std::to_string(pid);
  text2 += "\nSigBlk:\t" + Hex16(s.sig_blk) + "\nSigIgn:\t" + Hex16(s.sig_ign) + "\nSigCgt:\t" +
           Hex16(s.sig_cgt) + "\n";
  auto again = cproc::ParseProcStatus(text2);
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(again->ppid == s.ppid && again->threads == s.threads && again->nspid == s.nspid &&
             again->sig_blk == s.sig_blk && again->sig_ign == s.sig_ign &&
             again->sig_cgt == s.sig_cgt);
  return 0;
}
