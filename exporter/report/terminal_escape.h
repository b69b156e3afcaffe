// Text that a container controls (its environment, names from its runtime's files) shown on an
// operator's terminal: escape sequences planted in it must not reach the terminal as such.
#pragma once

#include <string>
#include <string_view>

namespace cproc {

// One line, safe to print: printable ASCII and valid UTF-8 pass as they are; every other byte
// is written as \xHH, and a backslash as \\, so the output is unambiguous and reversible.
// Escaped: C0 controls (ESC, BEL, CR, LF, ...) and DEL, invalid UTF-8 (stray or truncated
// bytes, overlongs, surrogates, above U+10FFFF), the C1 controls U+0080..U+009F (U+009B is a
// CSI on terminals that honour 8-bit controls), and the characters that reorder or break the
// displayed line (bidirectional overrides and isolates, U+2028/U+2029), byte by byte.
std::string EscapeForTerminal(std::string_view text);

}  // namespace cproc
