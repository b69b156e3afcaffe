// The one UTF-8 decoder behind label values, terminal output and the ps table: what it accepts
// decides which bytes become U+FFFD, so the edges of RFC 3629 are pinned here.
#include "collectors/base/utf8.h"

#include <doctest/doctest.h>

#include <string>

using namespace cproc;

namespace {

// The decoding of `bytes` from its first byte.
Utf8Sequence At0(const std::string& bytes) { return DecodeUtf8At(bytes, 0); }

}  // namespace

TEST_CASE("utf8: one sequence of each length, with its code point") {
  CHECK(At0("A").length == 1);
  CHECK(At0("A").code_point == 0x41);
  CHECK(At0(std::string(1, '\0')).length == 1);  // NUL is valid UTF-8
  CHECK(At0("\xC3\xBF").length == 2);
  CHECK(At0("\xC3\xBF").code_point == 0xFF);
  CHECK(At0("\xE2\x82\xAC").length == 3);
  CHECK(At0("\xE2\x82\xAC").code_point == 0x20AC);
  CHECK(At0("\xF0\x9F\x98\x80").length == 4);
  CHECK(At0("\xF0\x9F\x98\x80").code_point == 0x1F600);
  // The last code point, and decoding from the middle of a string.
  CHECK(At0("\xF4\x8F\xBF\xBF").code_point == 0x10FFFF);
  const std::string mixed = "a\xE2\x82\xAC";
  CHECK(DecodeUtf8At(mixed, 1).length == 3);
  CHECK(DecodeUtf8At(mixed, 1).code_point == 0x20AC);
}

TEST_CASE("utf8: overlongs, surrogates, values past U+10FFFF and broken sequences are refused") {
  for (const char* bad : {
           "\x80",              // a continuation byte alone
           "\xC0\x80",          // overlong NUL
           "\xC1\xBF",          // overlong
           "\xE0\x9F\xBF",      // overlong three-byte
           "\xF0\x8F\xBF\xBF",  // overlong four-byte
           "\xED\xA0\x80",      // U+D800, a surrogate
           "\xED\xBF\xBF",      // U+DFFF
           "\xF4\x90\x80\x80",  // U+110000
           "\xF5\x80\x80\x80",  // lead byte past F4
           "\xFF",              //
           "\xC3\x41",          // second byte not a continuation
           "\xE2\x82\x41",      // third byte not a continuation
           "\xF0\x9F\x98\xC0",  // fourth byte not a continuation
       }) {
    CAPTURE(std::string(bad));
    CHECK(At0(bad).length == 0);
  }
  // Cut off by the end of the string: no byte past it is read.
  const std::string euro = "\xE2\x82\xAC";
  CHECK(At0(euro.substr(0, 2)).length == 0);
  CHECK(At0(euro.substr(0, 1)).length == 0);
  // The boundaries just inside what is refused above.
  CHECK(At0("\xE0\xA0\x80").code_point == 0x800);
  CHECK(At0("\xED\x9F\xBF").code_point == 0xD7FF);
  CHECK(At0("\xEE\x80\x80").code_point == 0xE000);
  CHECK(At0("\xF0\x90\x80\x80").code_point == 0x10000);
}
