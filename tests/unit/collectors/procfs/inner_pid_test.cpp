// `ps --tree` shows each process's PID inside its container: the last NSpid of its status.
#include "collectors/procfs/inner_pid.h"

#include <doctest/doctest.h>

#include "tests/support/fixture_procfs.h"

using namespace cproc;
using cproc::testing::FixtureProcfs;

TEST_CASE("inner pid: the innermost NSpid, 0 when unknown") {
  FixtureProcfs fs;
  fs.Write("3050/status", "Name:\tsh\nPPid:\t3029\nNSpid:\t3050\t7\t1\n");
  fs.Write("3051/status", "Name:\tsh\nPPid:\t1\nNSpid:\t3051\n");
  fs.Write("3052/status", "Name:\tsh\nPPid:\t1\n");  // a kernel before NSpid (4.1)
  CHECK(ReadInnerPid(fs.root(), 3050) == 1);
  CHECK(ReadInnerPid(fs.root(), 3051) == 3051);  // a host process: its own PID
  CHECK(ReadInnerPid(fs.root(), 3052) == 0);
  CHECK(ReadInnerPid(fs.root(), 3053) == 0);  // gone
}
