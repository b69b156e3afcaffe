#include "collectors/procfs/proc_status.h"

#include <string>

#include "collectors/base/parse_util.h"

namespace cproc {

Expected<ProcStatus> ParseProcStatus(std::string_view text) {
  ProcStatus status;
  bool seen_ppid = false;
  int line_number = 0;
  while (!text.empty()) {
    ++line_number;
    std::string_view line = NextToken(text, '\n');
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;  // tolerate lines we do not know
    const std::string_view key = line.substr(0, colon);
    const std::string_view value = TrimSpace(line.substr(colon + 1));
    auto bad = [&](std::string_view expected) {
      return Error{"line " + std::to_string(line_number) + " (" + std::string(key) +
                   "): expected " + std::string(expected)};
    };
    if (key == "PPid") {
      auto ppid = ParseNumber<int32_t>(value);
      if (!ppid) return bad("an integer");
      status.ppid = *ppid;
      seen_ppid = true;
    } else if (key == "Threads") {
      auto threads = ParseNumber<uint32_t>(value);
      if (!threads) return bad("an unsigned integer");
      status.threads = *threads;
    } else if (key == "NSpid") {
      std::string_view rest = value;
      while (!rest.empty()) {
        std::string_view token = TrimSpace(NextToken(rest, '\t'));
        if (token.empty()) continue;
        auto pid = ParseNumber<int32_t>(token);
        if (!pid) return bad("tab-separated integers");
        status.nspid.push_back(*pid);
      }
    } else if (key == "SigBlk" || key == "SigIgn" || key == "SigCgt") {
      auto mask = ParseNumber<uint64_t>(value, 16);
      if (!mask) return bad("a hexadecimal mask");
      (key == "SigBlk"   ? status.sig_blk
       : key == "SigIgn" ? status.sig_ign
                         : status.sig_cgt) = *mask;
    }
  }
  if (!seen_ppid) return Error{"no PPid line"};
  return status;
}

}  // namespace cproc
