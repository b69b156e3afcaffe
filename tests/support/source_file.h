// A file of the source tree read whole, found from the calling test's own path (__FILE__) so no
// build setup is needed; a missing file fails the test.
#pragma once

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace cproc::testing {

inline std::string ReadSourceFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), "missing " << path.string());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace cproc::testing
