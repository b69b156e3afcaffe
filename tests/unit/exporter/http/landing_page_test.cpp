#include "exporter/http/landing_page.h"

#include <doctest/doctest.h>

using namespace cproc;

TEST_CASE("landing page: links the telemetry path, escapes what the command line gave") {
  CHECK(HtmlEscape(R"(<a href="x">&'</a>)") == "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;");
  const std::string page = LandingPage("/m<x>", "1.0\"");
  CHECK(page.find("<a href=\"/m&lt;x&gt;\">/m&lt;x&gt;</a>: metrics") != std::string::npos);
  CHECK(page.find("version 1.0&quot;.") != std::string::npos);
  CHECK(page.find("/m<x>") == std::string::npos);
  CHECK(LandingPage("/metrics", "").find("version unknown.") != std::string::npos);
}
