// The body made once per scan: its gzip, the text inflated only when first asked for, and the
// JSON likewise (the scan loop never pays for /api/v1/containers nobody requests).
#include "exporter/metrics/exposition.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "exporter/metrics/metric_families.h"
#include "exporter/metrics/self_metrics.h"
#include "exporter/metrics/text_format.h"
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

namespace {

Snapshot Containers(int count) {
  Snapshot s;
  for (int i = 0; i < count; ++i) {
    Container c;
    c.runtime = i % 2 == 0 ? "docker" : "containerd";
    c.id = std::string(64, static_cast<char>('a' + i % 6)) + std::to_string(i);
    c.name = "app-" + std::to_string(i);
    c.image = "nginx:1.25";
    c.pod_name = "pod-" + std::to_string(i / 2);
    c.pod_namespace = "default";
    c.cgroup = "/docker/" + c.id;
    c.processes[static_cast<std::size_t>(ProcessState::kSleeping)] = 3;
    c.threads = 9;
    c.init.pid = 1000 + i;
    c.pids = PidsUsage{.current = 3, .limit = 100, .limit_hits = 0};
    s.containers.push_back(c);
  }
  std::sort(s.containers.begin(), s.containers.end(), [](const Container& a, const Container& b) {
    return a.container_id() < b.container_id();
  });
  s.stats.processes = 3 * static_cast<uint64_t>(count);
  return s;
}

}  // namespace

TEST_CASE("exposition: rendered in parts, its text is what the whole-text rendering made") {
  const Snapshot snapshot = Containers(300);  // a text of several hundred KiB
  const FamilyOptions options{.namespace_sharing_allow = {"app-1"}};
  const auto self = SelfFamilies(SelfStatus{.scans_total = 3}, SelfProcess{.max_fds = 1024});
  // The page from the whole model at once, as the scan loop rendered it before: one string.
  const auto families = SnapshotFamilies(snapshot, options);
  std::string whole;
  AppendTextFormat(families, whole);
  AppendTextFormat(self, whole);
  REQUIRE(whole.size() > 64 * 1024);

  int parts = 0;
  const auto exposition = RenderExposition(
      [&](const TextWriter& write) {
        WriteSnapshotText(snapshot, options, [&](std::string_view part) {
          ++parts;
          write(part);
        });
        std::string self_text;
        AppendTextFormat(self, self_text);
        write(self_text);
      },
      0);
  CHECK(parts == static_cast<int>(families.size()));  // one part per family, as it is built
  CHECK(cproc::testing::Gunzip(exposition->gzip()) == whole);
  CHECK(exposition->text_size() == whole.size());
  CHECK(exposition->text() == whole);
}

TEST_CASE("exposition: the text is inflated once, on the first request, by any thread") {
  const std::string text = "# TYPE cproc_up gauge\ncproc_up 1\n";
  const auto exposition = MakeExposition(text);
  CHECK(exposition->text_size() == text.size());  // known without inflating
  std::vector<const char*> seen(4);
  std::vector<std::thread> requests;
  for (std::size_t i = 0; i < seen.size(); ++i) {
    requests.emplace_back([&exposition, &seen, i] { seen[i] = exposition->text().data(); });
  }
  for (std::thread& t : requests) t.join();
  for (const char* s : seen) {
    CHECK(s == exposition->text().data());  // the same bytes: made once, then kept
  }
  CHECK(exposition->text() == text);
}

TEST_CASE("exposition: when compression failed the text is rendered again and kept") {
  int renders = 0;
  const auto exposition = ExpositionOf(
      "",
      [&renders](const TextWriter& write) {
        ++renders;
        write("a 1\n");
        write("");
        write("b 2\n");
      },
      nullptr);
  CHECK(renders == 1);
  CHECK(exposition->gzip().empty());
  CHECK(exposition->text() == "a 1\nb 2\n");
  CHECK(exposition->text_size() == 8);
  const Exposition given("c 3\n", "", nullptr);
  CHECK(given.text() == "c 3\n");
  CHECK(given.text_size() == 4);
}
