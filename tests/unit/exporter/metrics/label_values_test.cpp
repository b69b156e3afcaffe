#include "exporter/metrics/label_values.h"

#include <doctest/doctest.h>

using cproc::SanitizeLabelValue;

TEST_CASE("label values: valid UTF-8 passes, invalid bytes become U+FFFD") {
  CHECK(SanitizeLabelValue("sleep") == "sleep");
  CHECK(SanitizeLabelValue("a \"q\" \\") == "a \"q\" \\");  // the serializer escapes these
  CHECK(SanitizeLabelValue("h\xC3\xA9llo") == "h\xC3\xA9llo");
  CHECK(SanitizeLabelValue("\xF0\x9F\x90\xB3") == "\xF0\x9F\x90\xB3");
  CHECK(SanitizeLabelValue("\xff") == "\xEF\xBF\xBD");
  CHECK(SanitizeLabelValue("a\xC3") == "a\xEF\xBF\xBD");                // truncated sequence
  CHECK(SanitizeLabelValue("\xC0\xAF") == "\xEF\xBF\xBD\xEF\xBF\xBD");  // overlong '/'
  CHECK(SanitizeLabelValue("\xED\xA0\x80") ==
        "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");                            // UTF-16 surrogate
  CHECK(SanitizeLabelValue("\xF4\x90\x80\x80").find("\xEF\xBF\xBD") == 0);  // above U+10FFFF
}

TEST_CASE("label values: control characters become U+FFFD, never reach a label") {
  const std::string r = "\xEF\xBF\xBD";
  CHECK(SanitizeLabelValue("line1\nline2") == "line1" + r + "line2");
  CHECK(SanitizeLabelValue(std::string("a\0b", 3)) == "a" + r + "b");
  CHECK(SanitizeLabelValue("\t\r\x1b[31m") == r + r + r + "[31m");
  CHECK(SanitizeLabelValue("\x7f") == r);
  CHECK(SanitizeLabelValue("\xC2\x9B") == r);             // C1 CSI, valid UTF-8
  CHECK(SanitizeLabelValue("\xC2\xA0x") == "\xC2\xA0x");  // U+00A0 is not a control
}

TEST_CASE("label values: length is bounded at a character boundary") {
  CHECK(SanitizeLabelValue(std::string(1000, 'x')).size() == cproc::kMaxLabelValueBytes);
  const std::string snowmen = "\xE2\x98\x83\xE2\x98\x83";
  CHECK(SanitizeLabelValue(snowmen, 4) == "\xE2\x98\x83");
}
