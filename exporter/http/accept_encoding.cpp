#include "exporter/http/accept_encoding.h"

#include <cctype>
#include <cstddef>

namespace cproc {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

// qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ). A malformed weight counts as 0, so
// a garbled header never turns compression on against the client's wish.
bool PositiveQuality(std::string_view q) {
  if (q.empty() || (q[0] != '0' && q[0] != '1')) return false;
  bool nonzero = q[0] == '1';
  if (q.size() == 1) return nonzero;
  if (q[1] != '.' || q.size() > 5) return false;
  for (std::size_t i = 2; i < q.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(q[i]))) return false;
    if (q[i] != '0') {
      if (q[0] == '1') return false;  // above 1
      nonzero = true;
    }
  }
  return nonzero;
}

enum class Verdict { kUnset, kAccept, kRefuse };

}  // namespace

bool AcceptsGzip(std::string_view accept_encoding) {
  Verdict gzip = Verdict::kUnset;
  Verdict any = Verdict::kUnset;
  while (!accept_encoding.empty()) {
    const std::size_t comma = accept_encoding.find(',');
    std::string_view element = accept_encoding.substr(0, comma);
    accept_encoding.remove_prefix(comma == std::string_view::npos ? accept_encoding.size()
                                                                  : comma + 1);
    const std::size_t semicolon = element.find(';');
    const std::string_view coding = Trim(element.substr(0, semicolon));
    if (coding.empty()) continue;
    bool accepted = true;  // no weight means q=1
    std::string_view params =
        semicolon == std::string_view::npos ? std::string_view{} : element.substr(semicolon + 1);
    while (!params.empty()) {
      const std::size_t next = params.find(';');
      const std::string_view param = Trim(params.substr(0, next));
      params.remove_prefix(next == std::string_view::npos ? params.size() : next + 1);
      const std::size_t eq = param.find('=');
      if (eq != std::string_view::npos && EqualsIgnoreCase(Trim(param.substr(0, eq)), "q")) {
        accepted = PositiveQuality(Trim(param.substr(eq + 1)));
      }
    }
    const Verdict verdict = accepted ? Verdict::kAccept : Verdict::kRefuse;
    if (EqualsIgnoreCase(coding, "gzip") || EqualsIgnoreCase(coding, "x-gzip")) {
      // Named twice with different weights: any refusal wins, to be safe.
      if (gzip != Verdict::kRefuse) gzip = verdict;
    } else if (coding == "*") {
      if (any != Verdict::kRefuse) any = verdict;
    }
  }
  if (gzip != Verdict::kUnset) return gzip == Verdict::kAccept;
  return any == Verdict::kAccept;
}

}  // namespace cproc
