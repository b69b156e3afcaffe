// The exporter's own process, read from the real /proc/self (the unit tests' own process here).
#include "collectors/procfs/self_process.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <unistd.h>

using namespace cproc;

TEST_CASE("self process: the facts of this very process") {
  const auto before = ReadSelfProcess();
  REQUIRE(before.has_value());
  CHECK(before->threads >= 1);
  CHECK(before->resident_memory_bytes > 0);
  CHECK(before->virtual_memory_bytes >= before->resident_memory_bytes);
  CHECK(before->start_seconds_after_boot > 0);
  CHECK(before->cpu_seconds >= 0);
  REQUIRE(before->max_fds.has_value());
  CHECK(*before->max_fds >= before->open_fds);
  // One more descriptor is counted as one more.
  const int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  REQUIRE(fd >= 0);
  const auto after = ReadSelfProcess();
  ::close(fd);
  REQUIRE(after.has_value());
  CHECK(after->open_fds == before->open_fds + 1);
  CHECK(after->start_seconds_after_boot == before->start_seconds_after_boot);
}
