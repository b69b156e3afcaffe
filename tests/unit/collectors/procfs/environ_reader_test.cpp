// `ps --env` prints secrets: only of the process the scan saw, never of a process that took its
// pid (the identity is the pid and the start time).
#include "collectors/procfs/environ_reader.h"

#include <doctest/doctest.h>

#include <string>

#include "tests/support/fixture_procfs.h"

using namespace cproc;
using cproc::testing::FixtureProcfs;

namespace {
const std::string kEnviron("PATH=/bin\0SECRET=s3cr3t\0", 24);
}  // namespace

TEST_CASE("ps --env: the environment of the process the scan saw") {
  FixtureProcfs fs;
  fs.Stat(4000, "nginx", 'S', 3999, 2000);
  fs.Write("4000/environ", kEnviron);
  std::string out;
  CHECK(ReadEnvironmentOf(fs.root(), 4000, 2000, out) == EnvironmentRead::kOk);
  CHECK(out == kEnviron);
}

TEST_CASE("ps --env: a pid now held by another process is refused, nothing read") {
  FixtureProcfs fs;
  // The scan saw PID 4000 started at tick 2000; it exited and an unrelated process got the pid.
  fs.Stat(4000, "bash", 'S', 1, 9000);
  fs.Write("4000/environ", "AWS_SECRET_ACCESS_KEY=not-this-containers");
  std::string out = "left over";
  CHECK(ReadEnvironmentOf(fs.root(), 4000, 2000, out) == EnvironmentRead::kNotThatProcess);
  CHECK(out.empty());
  // Gone altogether.
  CHECK(ReadEnvironmentOf(fs.root(), 4001, 2000, out) == EnvironmentRead::kNotThatProcess);
  CHECK(out.empty());
  // A stat that does not parse says nothing about who this is: refused as well.
  fs.Write("4002/stat", "4002 (cut");
  fs.Write("4002/environ", kEnviron);
  CHECK(ReadEnvironmentOf(fs.root(), 4002, 2000, out) == EnvironmentRead::kNotThatProcess);
  CHECK(out.empty());
}

TEST_CASE("ps --env: the right process with an unreadable environ is an error, not a blank") {
  FixtureProcfs fs;
  fs.Stat(4000, "nginx", 'S', 3999, 2000);  // no environ file: a kernel thread, or denied
  std::string out;
  CHECK(ReadEnvironmentOf(fs.root(), 4000, 2000, out) == EnvironmentRead::kUnreadable);
  CHECK(out.empty());
}
