// The body made once per scan: the text as given, its gzip, and the JSON rendered only when
// first asked for (the scan loop never pays for /api/v1/containers nobody requests).
#include "exporter/metrics/exposition.h"

#include <doctest/doctest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "tests/unit/exporter/http/gunzip.h"

using namespace cproc;

TEST_CASE("exposition: the text and a gzip that inflates back to it") {
  const std::string text = "# TYPE cproc_up gauge\ncproc_up 1\n";
  const auto exposition = MakeExposition(text);
  REQUIRE(exposition != nullptr);
  CHECK(exposition->text() == text);
  CHECK(exposition->gzip() != text);
  CHECK(cproc::testing::Gunzip(exposition->gzip()) == text);
  CHECK(cproc::testing::Gunzip(MakeExposition("")->gzip()) == "");
  CHECK(exposition->containers_json().empty());  // no renderer given
}

TEST_CASE("exposition: the JSON is rendered once, on the first request, by any thread") {
  std::atomic<int> renders{0};
  const auto exposition = MakeExposition("x 1\n", [&renders] {
    ++renders;
    return std::string(R"({"containers":[]})");
  });
  CHECK(renders == 0);  // making the exposition does not render it
  std::vector<std::thread> requests;
  for (int i = 0; i < 4; ++i) {
    requests.emplace_back(
        [&exposition] { CHECK(exposition->containers_json() == R"({"containers":[]})"); });
  }
  for (std::thread& t : requests) t.join();
  CHECK(exposition->containers_json() == R"({"containers":[]})");
  CHECK(renders == 1);
}
