// README.md lists every metric the exporter exposes: a spec added to
// exporter/metrics/metric_specs.cpp without a README entry fails here.
#include <doctest/doctest.h>

#include <filesystem>
#include <string>
#include <string_view>

#include "exporter/metrics/metric_specs.h"
#include "tests/support/source_file.h"

using namespace cproc;

namespace {

std::string ReadReadme() {
  return testing::ReadSourceFile(std::filesystem::path(__FILE__).parent_path() /
                                 "../../../../README.md");
}

bool NameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// `name` as a whole word: cproc_container_pids_limit inside
// cproc_container_pids_limit_hits_total does not count.
bool MentionsName(std::string_view text, std::string_view name) {
  for (std::size_t at = text.find(name); at != std::string_view::npos;
       at = text.find(name, at + 1)) {
    const std::size_t end = at + name.size();
    if ((at == 0 || !NameChar(text[at - 1])) && (end == text.size() || !NameChar(text[end]))) {
      return true;
    }
  }
  return false;
}

}  // namespace

TEST_CASE("README: every metric of the spec table is listed") {
  const std::string readme = ReadReadme();
  CHECK_FALSE(MentionsName("cproc_container_pids_limit_hits_total", "cproc_container_pids_limit"));
  for (const MetricSpec& spec : AllMetricSpecs()) {
    CHECK_MESSAGE(MentionsName(readme, spec.name), "README.md does not list " << spec.name);
  }
}
