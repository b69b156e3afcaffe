#include "collectors/procfs/proc_stat.h"

#include <doctest/doctest.h>

#include <string>

using cproc::ParseProcStat;
using cproc::ProcStat;

namespace {

// A real line from this kernel with the comm replaced; fields after comm as proc(5) numbers them.
std::string StatLine(const std::string& pid, const std::string& comm,
                     const std::string& rest =
                         "S 1 3050 3050 0 -1 4194560 96 0 0 0 3 5 0 0 20 0 2 0 12345 1282048 64 "
                         "18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0") {
  return pid + " (" + comm + ") " + rest + "\n";
}

}  // namespace

TEST_CASE("stat: comm with hostile characters cannot shift the fields after it") {
  struct Case {
    const char* name;
    std::string comm;
  };
  const Case cases[] = {
      {"plain", "sleep"},
      {"spaces", "my worker 1"},
      {"open paren", "a(b"},
      {"close paren", "a)b"},
      {"fake fields", ") R 1 2 3"},
      {"newline", "line1\nline2"},
      {"empty", ""},
      {"parens only", "(()))"},
      {"quotes and backslash", "\"q\\\""},
      {"invalid utf-8", "\xff\xfe"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    auto stat = ParseProcStat(StatLine("3050", c.comm));
    REQUIRE_MESSAGE(stat.ok(), (stat.ok() ? "" : stat.error()));
    CHECK(stat->pid == 3050);
    CHECK(stat->comm == c.comm);
    CHECK(stat->state == 'S');
    CHECK(stat->ppid == 1);
    CHECK(stat->utime_ticks == 3);
    CHECK(stat->stime_ticks == 5);
    CHECK(stat->num_threads == 2);
    CHECK(stat->start_ticks == 12345);
    CHECK(stat->vsize_bytes == 1282048);
    CHECK(stat->rss_pages == 64);
  }
}

TEST_CASE("stat: zombie and kernel-thread lines") {
  auto zombie =
      ParseProcStat(StatLine("3078", "sleep",
                             "Z 3050 3050 3050 0 -1 4227084 0 0 0 0 0 0 0 0 20 0 1 0 12400 0 0 "
                             "18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0"));
  REQUIRE(zombie.ok());
  CHECK(zombie->state == 'Z');
  CHECK(zombie->ppid == 3050);
  CHECK(zombie->start_ticks == 12400);

  auto kthread = ParseProcStat(StatLine(
      "2", "kthreadd",
      "S 0 0 0 0 -1 2129984 0 0 0 0 0 0 0 0 20 0 1 0 0 0 0 18446744073709551615 0 0 0 0 0 0 0 "
      "0 0 0 0 0 0 0 0 0 0 0 0"));
  REQUIRE(kthread.ok());
  CHECK(kthread->ppid == 0);
}

TEST_CASE("stat: where exec placed the program (startcode, endcode, startstack)") {
  // A real line of `sleep` on this kernel (fields 26-28 as the kernel shows them to a reader
  // that may ptrace-read the process).
  auto sleep = ParseProcStat(StatLine(
      "1574", "sleep",
      "S 1551 1574 1574 0 -1 4194560 101 0 0 0 0 0 0 0 20 0 1 0 3117 2310144 235 "
      "18446744073709551615 94731357487104 94731357502337 140724520233456 0 0 0 0 0 0 0 0 0 17 "
      "1 0 0 0 0 0 94731357512432 94731357513568 94731375665152 140724520234869 "
      "140724520234880 140724520234880 140724520235001 0"));
  REQUIRE(sleep.ok());
  CHECK(sleep->start_code == 94731357487104U);
  CHECK(sleep->end_code == 94731357502337U);
  CHECK(sleep->start_stack == 140724520233456U);

  // Hidden (no ptrace access, zombies, kernel threads: the kernel prints 0) or absent.
  auto hidden = ParseProcStat(StatLine("3050", "x"));
  REQUIRE(hidden.ok());
  CHECK(hidden->start_stack == 0);
  ProcStat reused;
  REQUIRE(cproc::ParseProcStatInto(StatLine("1574", "sleep",
                                            "S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 3117 0 0 "
                                            "18446744073709551615 7 8 9"),
                                   reused, nullptr));
  CHECK(reused.start_stack == 9);
  auto short_line = "12 (sleep) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 1 1 1";
  REQUIRE(cproc::ParseProcStatInto(short_line, reused, nullptr));
  CHECK(reused.start_code == 0);  // not left over from the previous line
  CHECK(reused.start_stack == 0);
}

TEST_CASE("stat: malformed input is an error that says what was expected") {
  struct Case {
    const char* text;
    const char* expect;
  };
  const Case cases[] = {
      {"", "no '('"},
      {"12 sleep S 1", "no '('"},
      {"12 (sleep S 1", "no '('"},
      {"x (sleep) S 1 1 1", "field 1 (pid)"},
      {"12 (sleep)S 1", "space after comm"},
      {"12 (sleep) SS 1", "field 3 (state)"},
      {"12 (sleep) S x 1", "field 4 (ppid)"},
      {"12 (sleep) S 1 2 3", "at least 24 fields"},
      {"12 (sleep) S 1 1 1 0 -1 0 0 0 0 0 x 0 0 0 20 0 1 0 1 1 1", "field 14"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.text);
    auto stat = ParseProcStat(c.text);
    REQUIRE_FALSE(stat.ok());
    CHECK(stat.error().find(c.expect) != std::string::npos);
  }
}

TEST_CASE("stat: the exec signature changes with comm or with where the program was mapped") {
  ProcStat a;
  a.comm = "sleep";
  a.start_code = 0x5600'0000'0000;
  a.end_code = 0x5600'0000'4000;
  a.start_stack = 0x7ffc'0000'0000;
  ProcStat same = a;
  same.utime_ticks = 99;  // what changes every scan does not count
  same.num_threads = 7;
  CHECK(cproc::ExecSignature(a) == cproc::ExecSignature(same));

  ProcStat renamed = a;
  renamed.comm = "sleeq";
  ProcStat reexec = a;  // exec of the same program: ASLR moves the stack
  reexec.start_stack += 0x1000;
  ProcStat other_program = a;
  other_program.end_code += 0x10;
  ProcStat hidden = a;  // without ptrace access the kernel shows 0
  hidden.start_code = hidden.end_code = hidden.start_stack = 0;
  for (const ProcStat* changed : {&renamed, &reexec, &other_program, &hidden}) {
    CHECK(cproc::ExecSignature(*changed) != cproc::ExecSignature(a));
  }
}
