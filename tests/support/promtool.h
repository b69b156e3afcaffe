// `promtool check metrics` on a rendering, from a doctest test: Prometheus' own parser and
// linter, as its users run them. promtool is a test dependency (scripts/install-deps installs
// the Debian package prometheus): missing, the test fails and says so.
#pragma once

#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <string>

#include "tests/support/temp_file.h"

namespace cproc::testing {

inline void CheckWithPromtool(const std::string& text) {
  constexpr char kPromtool[] = "/usr/bin/promtool";
  if (::access(kPromtool, X_OK) != 0) {
    FAIL(kPromtool << " is missing: it is a test dependency, run scripts/install-deps");
  }
  const TempFile metrics(text, "metrics.prom");
  const std::string command =
      std::string(kPromtool) + " check metrics <" + metrics.path() + " 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  REQUIRE_MESSAGE(pipe != nullptr, "cannot run " << command);
  std::string output;
  std::array<char, 4096> buffer{};
  for (;;) {
    const std::size_t n = std::fread(buffer.data(), 1, buffer.size(), pipe);
    if (n == 0) break;
    output.append(buffer.data(), n);
  }
  const int status = ::pclose(pipe);
  CHECK_MESSAGE((WIFEXITED(status) && WEXITSTATUS(status) == 0),
                "promtool check metrics failed (wait status " << status << "):\n"
                                                              << output);
}

}  // namespace cproc::testing
