#include "collectors/procfs/proc_stat.h"

#include <array>
#include <string>

#include "collectors/base/parse_util.h"

namespace cproc {
namespace {

// Field numbers as in proc(5), counted from 1; state (3) is the first field after comm.
constexpr int kFirstAfterComm = 3;
constexpr int kPpid = 4, kUtime = 14, kStime = 15, kNumThreads = 20, kStartTime = 22, kVsize = 23,
              kRss = 24, kStartCode = 26, kEndCode = 27, kStartStack = 28;

}  // namespace

bool ParseProcStatInto(std::string_view text, ProcStat& out, std::string* error) {
  auto fail = [&](std::string message) {
    if (error != nullptr) *error = std::move(message);
    return false;
  };
  const auto open = text.find('(');
  const auto close = text.rfind(')');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open) {
    return fail("expected 'pid (comm) state ...', found no '(' ... ')'");
  }
  auto pid = ParseNumber<int32_t>(TrimSpace(text.substr(0, open)));
  if (!pid) return fail("field 1 (pid): expected an integer");
  out.pid = *pid;
  out.comm.assign(text.substr(open + 1, close - open - 1));

  std::string_view rest = text.substr(close + 1);
  if (rest.empty() || rest.front() != ' ') return fail("expected a space after comm");
  rest.remove_prefix(1);

  out.start_code = out.end_code = out.start_stack = 0;
  int field = kFirstAfterComm;
  for (; field <= kStartStack && !rest.empty(); ++field) {
    std::string_view token = NextToken(rest, ' ');
    if (field == kFirstAfterComm) {
      if (token.size() != 1) return fail("field 3 (state): expected one letter");
      out.state = token.front();
      continue;
    }
    std::optional<uint64_t> value;
    switch (field) {
      case kPpid: {
        auto ppid = ParseNumber<int32_t>(token);
        if (!ppid) return fail("field 4 (ppid): expected an integer");
        out.ppid = *ppid;
        continue;
      }
      case kUtime:
      case kStime:
      case kNumThreads:
      case kStartTime:
      case kVsize:
      case kRss:
      case kStartCode:
      case kEndCode:
      case kStartStack:
        value = ParseNumber<uint64_t>(TrimSpace(token));
        if (!value)
          return fail("field " + std::to_string(field) + ": expected an unsigned integer");
        break;
      default:
        continue;
    }
    switch (field) {
      case kUtime:
        out.utime_ticks = *value;
        break;
      case kStime:
        out.stime_ticks = *value;
        break;
      case kNumThreads:
        out.num_threads = static_cast<uint32_t>(*value);
        break;
      case kStartTime:
        out.start_ticks = *value;
        break;
      case kVsize:
        out.vsize_bytes = *value;
        break;
      case kRss:
        out.rss_pages = *value;
        break;
      case kStartCode:
        out.start_code = *value;
        break;
      case kEndCode:
        out.end_code = *value;
        break;
      case kStartStack:
        out.start_stack = *value;
        break;
      default:
        break;
    }
  }
  if (field <= kRss) {
    return fail("expected at least " + std::to_string(kRss) + " fields, found " +
                std::to_string(field - 1));
  }
  return true;
}

uint64_t ExecSignature(const ProcStat& stat) {
  // FNV-1a over the comm bytes and the three addresses: cheap, and any change moves it.
  constexpr uint64_t kPrime = 1099511628211ULL;
  uint64_t hash = 14695981039346656037ULL;
  for (const char c : stat.comm) hash = (hash ^ static_cast<unsigned char>(c)) * kPrime;
  for (const uint64_t value : {stat.start_code, stat.end_code, stat.start_stack}) {
    for (int shift = 0; shift < 64; shift += 8) hash = (hash ^ ((value >> shift) & 0xff)) * kPrime;
  }
  return hash;
}

Expected<ProcStat> ParseProcStat(std::string_view text) {
  ProcStat stat;
  std::string error;
  if (!ParseProcStatInto(text, stat, &error)) return Error{std::move(error)};
  return stat;
}

}  // namespace cproc
