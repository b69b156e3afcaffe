// /proc/stat's btime: the boot time every process start time is added to.
#include "collectors/procfs/boot_time.h"

#include <doctest/doctest.h>

using namespace cproc;

TEST_CASE("boot time: the btime line, wherever it stands in /proc/stat") {
  // Shaped like a real /proc/stat: cpu lines first, btime after intr and ctxt.
  const char* stat =
      "cpu  10132153 290696 3084719 46828483 16683 0 25195 0 0 0\n"
      "cpu0 1393280 32966 572056 13343292 6130 0 17875 0 0 0\n"
      "intr 1462898 0 0 0\n"
      "ctxt 115315133\n"
      "btime 1769430000\n"
      "processes 86031\n";
  auto btime = ParseBootTime(stat);
  REQUIRE(btime.ok());
  CHECK(*btime == 1769430000);
  CHECK(*ParseBootTime("btime 42") == 42);  // last line without a newline
  CHECK(*ParseBootTime("btime 42 \n") == 42);
}

TEST_CASE("boot time: a missing or unreadable btime is an error, not a zero") {
  CHECK(ParseBootTime("").error() == "no btime line");
  CHECK(ParseBootTime("cpu 1 2 3\nctxt 5\n").error() == "no btime line");
  CHECK_FALSE(ParseBootTime("xbtime 5\n").ok());  // a line that only contains the word
  CHECK(ParseBootTime("btime soon\n").error() == "btime: expected unix seconds");
  CHECK_FALSE(ParseBootTime("btime -1\n").ok());
  CHECK_FALSE(ParseBootTime("btime \n").ok());
}
