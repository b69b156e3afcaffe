// A strict reader of the Prometheus text format (version 0.0.4), for tests: stricter than
// promtool where a scrape can go wrong without promtool noticing (NUL and other control bytes
// in label values are valid UTF-8, yet no parser downstream of Prometheus should get them).
// Written apart from the exporter's own writer and UTF-8 code, so a bug there cannot hide here.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cproc::testing {

struct ExpositionSample {
  std::string name;
  std::vector<std::pair<std::string, std::string>> labels;  // unescaped, in written order
  double value = 0;

  // The value of `label`, or "" when the sample has none.
  std::string Label(std::string_view label) const;
};

struct CheckedExposition {
  std::vector<ExpositionSample> samples;
  std::map<std::string, std::string> types;  // family name -> counter, gauge, ...
};

// The identity of one container as the exposition shows it (cproc_container_info's labels).
struct ExposedIdentity {
  std::string container, pod, namespace_, runtime, image;
  friend bool operator==(const ExposedIdentity&, const ExposedIdentity&) = default;
};

// Whether `text` holds a control character: C0 (newline and tab included), DEL, or C1
// (U+0080..U+009F, "\xC2\x80".."\xC2\x9F" in UTF-8). No label value may.
bool HasControlCharacter(std::string_view text);

// Parses `text` strictly. Every problem is one line in `errors` ("line N: what"): text that is
// not UTF-8, a control byte in a label value or HELP text, a bad name or escape, a duplicate
// label or series, a sample without a TYPE before it, a value that is not a number.
CheckedExposition CheckExposition(std::string_view text, std::vector<std::string>& errors);

// container_id -> identity from cproc_container_info; also checks (into `errors`) that every
// series carrying a container_id agrees with its info series on container, pod and namespace,
// and that runtime and container_id agree ("<runtime>://...").
std::map<std::string, ExposedIdentity> ContainerIdentities(const CheckedExposition& exposition,
                                                           std::vector<std::string>& errors);

}  // namespace cproc::testing
