// Durations as Prometheus writes them, for the settings that are times.
#include "cmd/settings/duration.h"

#include <doctest/doctest.h>

using namespace cproc;
using namespace std::chrono_literals;

TEST_CASE("durations in Prometheus form") {
  CHECK(*ParseDuration("5s") == 5000ms);
  CHECK(*ParseDuration("1m30s") == 90000ms);
  CHECK(*ParseDuration("250ms") == 250ms);
  CHECK(*ParseDuration("1h") == 3600000ms);
  for (const char* bad : {"", "5", "s", "5x", "-1s", "1.5s", "5 s"}) {
    CAPTURE(bad);
    CHECK_FALSE(ParseDuration(bad).ok());
  }
}
