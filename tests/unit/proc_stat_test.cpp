#include "collectors/proc_stat.h"

#include <doctest/doctest.h>

#include <string>

using cproc::ParseProcStat;

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
