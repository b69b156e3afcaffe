#include "exporter/label_values.h"

#include <doctest/doctest.h>

using cproc::SanitizeLabelValue;

TEST_CASE("label values: valid UTF-8 passes, invalid bytes become U+FFFD") {
  CHECK(SanitizeLabelValue("sleep") == "sleep");
  CHECK(SanitizeLabelValue("a \"q\" \\ \n") == "a \"q\" \\ \n");  // the serializer escapes these
  CHECK(SanitizeLabelValue("h\xC3\xA9llo") == "h\xC3\xA9llo");
  CHECK(SanitizeLabelValue("\xF0\x9F\x90\xB3") == "\xF0\x9F\x90\xB3");
  CHECK(SanitizeLabelValue("\xff") == "\xEF\xBF\xBD");
  CHECK(SanitizeLabelValue("a\xC3") == "a\xEF\xBF\xBD");                // truncated sequence
  CHECK(SanitizeLabelValue("\xC0\xAF") == "\xEF\xBF\xBD\xEF\xBF\xBD");  // overlong '/'
  CHECK(SanitizeLabelValue("\xED\xA0\x80") ==
        "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");                            // UTF-16 surrogate
  CHECK(SanitizeLabelValue("\xF4\x90\x80\x80").find("\xEF\xBF\xBD") == 0);  // above U+10FFFF
}

TEST_CASE("label values: length is bounded at a character boundary") {
  CHECK(SanitizeLabelValue(std::string(1000, 'x')).size() == cproc::kMaxLabelValueBytes);
  const std::string snowmen = "\xE2\x98\x83\xE2\x98\x83";
  CHECK(SanitizeLabelValue(snowmen, 4) == "\xE2\x98\x83");
}
