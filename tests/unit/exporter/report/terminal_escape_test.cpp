#include "exporter/report/terminal_escape.h"

#include <doctest/doctest.h>

#include <string>

using cproc::EscapeForTerminal;
using namespace std::string_literals;  // "...\0..."s keeps embedded NULs

TEST_CASE("terminal escape: printable ASCII and valid UTF-8 pass unchanged") {
  CHECK(EscapeForTerminal("PATH=/usr/bin:/bin") == "PATH=/usr/bin:/bin");
  CHECK(EscapeForTerminal("") == "");
  CHECK(EscapeForTerminal(" ~!\"#$%&'()*+,-./") == " ~!\"#$%&'()*+,-./");
  CHECK(EscapeForTerminal("h\xC3\xA9llo \xE2\x98\x83 \xF0\x9F\x90\xB3") ==
        "h\xC3\xA9llo \xE2\x98\x83 \xF0\x9F\x90\xB3");
  CHECK(EscapeForTerminal("\xC2\xA0") == "\xC2\xA0");          // U+00A0, just after C1
  CHECK(EscapeForTerminal("\xE2\x80\x8B") == "\xE2\x80\x8B");  // U+200B: shown, harmless
}

TEST_CASE("terminal escape: escape sequences a container can plant are shown, not run") {
  // Title change (OSC 0 ... BEL), colour (CSI ... m), clear screen, cursor home.
  CHECK(EscapeForTerminal("X=\x1b]0;pwned\x07") == "X=\\x1b]0;pwned\\x07");
  CHECK(EscapeForTerminal("X=\x1b[31mred\x1b[0m") == "X=\\x1b[31mred\\x1b[0m");
  CHECK(EscapeForTerminal("\x1b[2J\x1b[H") == "\\x1b[2J\\x1b[H");
  // OSC 52 (write the clipboard), terminated by ST (ESC \).
  CHECK(EscapeForTerminal("\x1b]52;c;ZWNobw==\x1b\\") == "\\x1b]52;c;ZWNobw==\\x1b\\\\");
  // A line break or carriage return would forge a second variable or overwrite this one.
  CHECK(EscapeForTerminal("A=1\nB=2") == "A=1\\x0aB=2");
  CHECK(EscapeForTerminal("SECRET=x\rPATH=/bin") == "SECRET=x\\x0dPATH=/bin");
  CHECK(EscapeForTerminal("\t\b\x7f") == "\\x09\\x08\\x7f");
  CHECK(EscapeForTerminal("a\0b"s) == "a\\x00b");
}

TEST_CASE("terminal escape: C1 controls and line-reordering characters are escaped") {
  CHECK(EscapeForTerminal("\xC2\x9B"
                          "31m") == "\\xc2\\x9b31m");  // U+009B: 8-bit CSI
  CHECK(EscapeForTerminal("\xC2\x80\xC2\x9F") == "\\xc2\\x80\\xc2\\x9f");
  CHECK(EscapeForTerminal("\xE2\x80\xAE"
                          "txt.exe") == "\\xe2\\x80\\xaetxt.exe");  // U+202E RLO
  CHECK(EscapeForTerminal("\xE2\x81\xA6\xE2\x81\xA9") == "\\xe2\\x81\\xa6\\xe2\\x81\\xa9");
  CHECK(EscapeForTerminal("\xE2\x80\xA8") == "\\xe2\\x80\\xa8");  // U+2028 line separator
}

TEST_CASE("terminal escape: invalid UTF-8 is escaped byte by byte, then decoding resumes") {
  CHECK(EscapeForTerminal("\xff") == "\\xff");
  CHECK(EscapeForTerminal("a\xC3") == "a\\xc3");  // truncated at the end
  CHECK(EscapeForTerminal("\xC3"
                          "A") == "\\xc3A");                               // bad continuation
  CHECK(EscapeForTerminal("\xC0\xAF") == "\\xc0\\xaf");                    // overlong '/'
  CHECK(EscapeForTerminal("\xE0\x80\xAF") == "\\xe0\\x80\\xaf");           // overlong, 3 bytes
  CHECK(EscapeForTerminal("\xED\xA0\x80") == "\\xed\\xa0\\x80");           // UTF-16 surrogate
  CHECK(EscapeForTerminal("\xF4\x90\x80\x80") == "\\xf4\\x90\\x80\\x80");  // above U+10FFFF
  CHECK(EscapeForTerminal("\x80\xC3\xA9") == "\\x80\xC3\xA9");             // stray byte, then é
}

TEST_CASE("terminal escape: a backslash is doubled, so escaped and literal text differ") {
  CHECK(EscapeForTerminal("\\") == "\\\\");
  CHECK(EscapeForTerminal("\\x1b") == "\\\\x1b");  // the four characters, not ESC
  CHECK(EscapeForTerminal("\x1b") != EscapeForTerminal("\\x1b"));
  CHECK(EscapeForTerminal("C:\\dir") == "C:\\\\dir");
}

TEST_CASE("terminal escape: the output never holds a control byte or invalid UTF-8") {
  std::string every_byte;
  for (int b = 0; b < 256; ++b) every_byte += static_cast<char>(b);
  // Every byte >= 0x80 is followed by another such byte or by 0x00: no valid sequence, so
  // all of them are escaped too.
  const std::string out = EscapeForTerminal(every_byte + every_byte);
  std::size_t unsafe = 0;
  for (char c : out) {
    const auto b = static_cast<unsigned char>(c);
    if (b < 0x20 || b >= 0x7f) ++unsafe;
  }
  CHECK(unsafe == 0);
  CHECK(out.find("\\x1b") != std::string::npos);
}
