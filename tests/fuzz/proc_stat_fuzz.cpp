// /proc/PID/stat: comm is found between the first '(' and the last ')', whatever it holds.
#include <string>

#include "collectors/procfs/proc_stat.h"
#include "tests/fuzz/fuzz_check.h"

using cproc::ProcStat;

namespace {

bool SameFields(const ProcStat& a, const ProcStat& b) {
  return a.pid == b.pid && a.comm == b.comm && a.state == b.state && a.ppid == b.ppid &&
         a.utime_ticks == b.utime_ticks && a.stime_ticks == b.stime_ticks &&
         a.num_threads == b.num_threads && a.start_ticks == b.start_ticks &&
         a.vsize_bytes == b.vsize_bytes && a.rss_pages == b.rss_pages &&
         a.start_code == b.start_code && a.end_code == b.end_code && a.start_stack == b.start_stack;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = cproc_fuzz::AsText(data, size);
  auto parsed = cproc::ParseProcStat(text);

  // The reusing variant agrees with the plain one, whatever the object held before.
  ProcStat reused;
  reused.comm = "a previous, longer comm value that must be overwritten";
  reused.state = 'X';
  std::string error;
  const bool ok = cproc::ParseProcStatInto(text, reused, &error);
  FUZZ_CHECK(ok == parsed.ok());
  FUZZ_CHECK(ok || !error.empty());
  ProcStat no_error_sink;
  FUZZ_CHECK(cproc::ParseProcStatInto(text, no_error_sink, nullptr) == ok);
  if (!ok) return 0;
  FUZZ_CHECK(SameFields(reused, *parsed));

  // comm is exactly the bytes between the first '(' and the last ')'.
  const auto open = text.find('(');
  const auto close = text.rfind(')');
  FUZZ_CHECK(open != std::string_view::npos && close != std::string_view::npos && open < close);
  FUZZ_CHECK(parsed->comm == text.substr(open + 1, close - open - 1));
  FUZZ_CHECK(parsed->state != ' ');

  // Round trip: the kernel's layout with this comm (whatever bytes it holds) parses back to the
  // same fields, so a hostile name cannot shift the fields after it.
  const ProcStat& s = *parsed;
  std::string line =
      std::to_string(s.pid) + " (" + s.comm + ") " + s.state + " " + std::to_string(s.ppid) +
      " 1 1 0 -1 4194560 0 0 0 0 " + std::to_string(s.utime_ticks) + " " +
      std::to_string(s.stime_ticks) + " 0 0 20 0 " + std::to_string(s.num_threads) + " 0 " +
      std::to_string(s.start_ticks) + " " + std::to_string(s.vsize_bytes) + " " +
      std::to_string(s.rss_pages) + " 18446744073709551615 " + std::to_string(s.start_code) + " " +
      std::to_string(s.end_code) + " " + std::to_string(s.start_stack) + " 0 0 0 0 0\n";
  auto again = cproc::ParseProcStat(line);
  FUZZ_CHECK(again.ok());
  // num_threads is stored narrowed; compare what survives the narrowing.
  FUZZ_CHECK(SameFields(*again, s));
  return 0;
}
