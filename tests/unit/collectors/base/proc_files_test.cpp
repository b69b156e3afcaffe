#include "collectors/base/proc_files.h"

#include <doctest/doctest.h>
#include <fcntl.h>

#include <string>
#include <string_view>
#include <vector>

#include "tests/support/temp_file.h"

using namespace cproc;

TEST_CASE("PreadWhole and PreadOnePiece: every size around the 4 KiB read, re-read from 0") {
  for (std::size_t size : {0UL, 1UL, 4095UL, 4096UL, 4097UL, 8192UL, 100000UL}) {
    CAPTURE(size);
    std::string content(size, 'x');
    for (std::size_t i = 0; i < size; ++i) content[i] = static_cast<char>('a' + i % 26);
    testing::TempFile file(content);
    Fd fd = OpenAt(AT_FDCWD, file.path().c_str());
    REQUIRE(fd.valid());
    std::string out = "left over from an earlier read";
    REQUIRE(PreadWhole(fd.get(), out) == ReadResult::kOk);
    CHECK(out == content);
    out = "left over";
    REQUIRE(PreadOnePiece(fd.get(), out) == ReadResult::kOk);  // a kept descriptor, again
    CHECK(out == content);
    CHECK(ReadOnePieceAt(AT_FDCWD, file.path().c_str(), out) == ReadResult::kOk);
    CHECK(out == content);
    std::vector<char> buffer(3, 'z');  // grows as needed, keeps its size between reads
    std::string_view view = "stale";
    REQUIRE(PreadOnePiece(fd.get(), buffer, view) == ReadResult::kOk);
    CHECK(view == content);
    REQUIRE(PreadOnePiece(fd.get(), buffer, view) == ReadResult::kOk);
    CHECK(view == content);
    CHECK(PreadOnePiece(fd.get(), buffer, view, size > 0 ? size - 1 : 0) ==
          (size > 0 ? ReadResult::kIo : ReadResult::kOk));
  }
}

TEST_CASE("PreadWhole: a file longer than the bound is an error, not a partial read") {
  testing::TempFile file(std::string(10000, 'y'));
  std::string out;
  CHECK(ReadFileAt(AT_FDCWD, file.path().c_str(), out, 9999) == ReadResult::kIo);
  CHECK(out.empty());
  CHECK(ReadFileAt(AT_FDCWD, file.path().c_str(), out, 10000) == ReadResult::kOk);
  CHECK(out.size() == 10000);
}

TEST_CASE("PreadOnePiece reads /proc/PID files whole; PreadWhole also files of many records") {
  // stat, status and cgroup are made in one piece: one short read is all of it.
  for (const char* path : {"/proc/self/stat", "/proc/self/status", "/proc/self/cgroup"}) {
    CAPTURE(path);
    std::string one, whole;
    REQUIRE(ReadOnePieceAt(AT_FDCWD, path, one) == ReadResult::kOk);
    REQUIRE(ReadFileAt(AT_FDCWD, path, whole) == ReadResult::kOk);
    REQUIRE_FALSE(one.empty());
    CHECK(one.back() == '\n');
    if (std::string_view(path).ends_with("cgroup")) CHECK(one == whole);
  }
  // smaps is many records: seq_file returns about a page of whole records per read, so a short
  // read is not the end. PreadWhole must go on until read returns 0.
  std::string smaps;
  REQUIRE(ReadFileAt(AT_FDCWD, "/proc/self/smaps", smaps) == ReadResult::kOk);
  REQUIRE(smaps.size() > 8192);
  CHECK(smaps.back() == '\n');
  const auto last_line = smaps.rfind('\n', smaps.size() - 2);
  CHECK(std::string_view(smaps).substr(last_line + 1).starts_with("VmFlags:"));
}

TEST_CASE("ReadFileAt: a missing file is 'vanished', as for a process that exited") {
  std::string out = "x";
  CHECK(ReadFileAt(AT_FDCWD, "/proc/self/no-such-file", out) == ReadResult::kVanished);
  CHECK(out.empty());
}

TEST_CASE("DescriptorBudget: a cap below RLIMIT_NOFILE bounds it, above it the limit does") {
  const DescriptorBudget rlimit;
  REQUIRE(rlimit.limit() > 2);
  CHECK(rlimit.limited_by_rlimit());

  DescriptorBudget capped = DescriptorBudget::Capped(2);
  CHECK(capped.limit() == 2);
  CHECK_FALSE(capped.limited_by_rlimit());
  CHECK(capped.Take());
  CHECK_FALSE(capped.spent());
  CHECK(capped.Take());
  CHECK_FALSE(capped.spent());
  CHECK_FALSE(capped.Take());  // spent: the caller opens, reads and closes instead
  CHECK(capped.spent());
  capped.Give();
  CHECK(capped.Take());
  CHECK(capped.spent());  // since the start, for the log said once

  const DescriptorBudget above = DescriptorBudget::Capped(rlimit.limit() + 1);
  CHECK(above.limit() == rlimit.limit());
  CHECK(above.limited_by_rlimit());
}
