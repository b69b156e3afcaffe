#include "exporter/http/gzip.h"

#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "exporter/http/gunzip.h"
#include "exporter/metrics/exposition.h"
#include "tests/unit/exporter/http/gunzip.h"

namespace cproc {
namespace {

// Text shaped like an exposition, with enough variety that compression is not trivial.
std::string MetricsLikeText(std::size_t size) {
  std::string text;
  std::uint32_t state = 12345;
  while (text.size() < size) {
    state = state * 1664525u + 1013904223u;
    text += "cproc_container_threads{container_id=\"docker://" + std::to_string(state) +
            "\",pod=\"p\"} " + std::to_string(state % 1000) + "\n";
  }
  text.resize(size);
  return text;
}

TEST_CASE("GzipCompress round-trips through zlib inflate") {
  for (const std::size_t size :
       {std::size_t{0}, std::size_t{1}, std::size_t{100}, std::size_t{1024 * 1024}}) {
    CAPTURE(size);
    const std::string text = MetricsLikeText(size);
    const std::string gz = GzipCompress(text);
    REQUIRE(gz.size() >= 18);  // RFC 1952: 10-byte header, 8-byte trailer
    CHECK(static_cast<unsigned char>(gz[0]) == 0x1f);
    CHECK(static_cast<unsigned char>(gz[1]) == 0x8b);
    const auto back = testing::Gunzip(gz);
    REQUIRE(back.has_value());
    CHECK(*back == text);
  }
}

TEST_CASE("GzipCompress shrinks repetitive text") {
  const std::string text = MetricsLikeText(1024 * 1024);
  CHECK(GzipCompress(text).size() < text.size() / 3);
}

TEST_CASE("GzipCompress: output larger than its 64 KiB working buffer (incompressible input)") {
  std::string noise(300 * 1024, '\0');
  uint64_t x = 0x9E3779B97F4A7C15U;
  for (char& c : noise) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;  // xorshift: no repetition to compress
    c = static_cast<char>(x);
  }
  const std::string gz = GzipCompress(noise);
  CHECK(gz.size() > 256 * 1024);
  const auto back = testing::Gunzip(gz);
  REQUIRE(back.has_value());
  CHECK(*back == noise);
}

TEST_CASE("GzipCompress keeps binary bytes, including NUL") {
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes.push_back(static_cast<char>(i));
  const auto back = testing::Gunzip(GzipCompress(bytes));
  REQUIRE(back.has_value());
  CHECK(*back == bytes);
}

TEST_CASE("GzipWriter: the parts, however cut, inflate to their concatenation") {
  const std::string text = MetricsLikeText(300 * 1024);
  // Part lengths, cycled until the text is used up: one part, small ones, empty ones in between
  // and at both ends, parts larger than the writer's 64 KiB working buffer.
  const std::vector<std::vector<std::size_t>> cuttings = {
      {text.size()}, {1, 0, 7, 100}, {0, 70 * 1024, 0, 0, 3}, {65536, 65537, 200 * 1024}};
  for (const auto& lengths : cuttings) {
    CAPTURE(lengths.size());
    GzipWriter writer;
    writer.Write("");
    std::size_t at = 0;
    for (std::size_t i = 0; at < text.size(); ++i) {
      const std::size_t n = std::min(lengths[i % lengths.size()], text.size() - at);
      writer.Write(std::string_view(text).substr(at, n));
      at += n;
    }
    writer.Write("");
    const std::string gz = std::move(writer).Finish();
    const auto back = testing::Gunzip(gz);
    REQUIRE(back.has_value());
    CHECK(*back == text);
    CHECK(gz == GzipCompress(text));  // the same stream as in one part
  }
  GzipWriter nothing;
  CHECK(testing::Gunzip(std::move(nothing).Finish()) == "");
}

TEST_CASE("GzipInflate: the text back, at the size the trailer states") {
  for (const std::size_t size : {std::size_t{0}, std::size_t{1}, std::size_t{1024 * 1024}}) {
    CAPTURE(size);
    const std::string text = MetricsLikeText(size);
    const std::string gz = GzipCompress(text);
    CHECK(GzipTextSize(gz) == size);
    const auto back = GzipInflate(gz);
    REQUIRE(back.has_value());
    CHECK(back->view() == text);
    CHECK_FALSE(GzipInflate(gz.substr(0, gz.size() - 1)).has_value());  // truncated
    CHECK_FALSE(GzipInflate(gz + "x").has_value());                     // trailing bytes
  }
  CHECK(GzipTextSize("") == 0);
  CHECK_FALSE(GzipInflate("").has_value());
  CHECK_FALSE(GzipInflate(std::string(40, 'x')).has_value());
}

TEST_CASE("MakeExposition keeps the text and its gzip") {
  const auto exposition = MakeExposition("cproc_scan_processes 3\n");
  REQUIRE(exposition != nullptr);
  CHECK(exposition->text() == "cproc_scan_processes 3\n");
  const auto back = testing::Gunzip(exposition->gzip());
  REQUIRE(back.has_value());
  CHECK(*back == exposition->text());
}

}  // namespace
}  // namespace cproc
