#include "tests/support/exposition_check.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <set>

namespace cproc::testing {
namespace {

// Length of the valid UTF-8 sequence at s[i] (RFC 3629: no overlong forms, no surrogates,
// nothing above U+10FFFF), 0 if none starts there.
std::size_t Utf8Length(std::string_view s, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char b0 = byte(i);
  if (b0 < 0x80) return 1;
  std::size_t n = 0;
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    n = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    n = 3;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    n = 4;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
  for (std::size_t k = 2; k < n; ++k) {
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  }
  return n;
}

bool IsMetricName(std::string_view s) {
  if (s.empty()) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
    if (!letter && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

bool IsLabelName(std::string_view s) {
  return IsMetricName(s) && s.find(':') == std::string_view::npos;
}

bool IsKnownType(std::string_view t) {
  return t == "counter" || t == "gauge" || t == "histogram" || t == "summary" || t == "untyped";
}

// The family a sample belongs to: its own name, or without the suffix a histogram or summary
// adds.
std::string FamilyOf(const std::string& name, const std::map<std::string, std::string>& types) {
  if (types.count(name) != 0) return name;
  for (const char* suffix : {"_bucket", "_sum", "_count"}) {
    const std::string_view s(suffix);
    if (name.size() > s.size() && name.ends_with(s)) {
      const std::string base = name.substr(0, name.size() - s.size());
      auto it = types.find(base);
      if (it != types.end() && (it->second == "histogram" || it->second == "summary")) return base;
    }
  }
  return "";
}

class LineReader {
 public:
  LineReader(std::string_view line, std::size_t number, std::vector<std::string>& errors)
      : line_(line), number_(number), errors_(errors) {}

  bool Fail(const std::string& what) {
    errors_.push_back("line " + std::to_string(number_) + ": " + what);
    return false;
  }
  bool AtEnd() const { return pos_ >= line_.size(); }
  char Peek() const { return AtEnd() ? '\0' : line_[pos_]; }
  void SkipBlanks() {
    while (!AtEnd() && (line_[pos_] == ' ' || line_[pos_] == '\t')) ++pos_;
  }
  std::string_view Token() {
    const std::size_t begin = pos_;
    while (!AtEnd() && line_[pos_] != ' ' && line_[pos_] != '\t' && line_[pos_] != '{') ++pos_;
    return line_.substr(begin, pos_ - begin);
  }
  std::string_view Rest() const { return AtEnd() ? std::string_view() : line_.substr(pos_); }

  // name="value" pairs up to the closing brace (the opening one already consumed).
  bool Labels(std::vector<std::pair<std::string, std::string>>& labels) {
    std::set<std::string> seen;
    for (;;) {
      SkipBlanks();
      if (Peek() == '}') {
        ++pos_;
        return true;
      }
      const std::size_t begin = pos_;
      while (!AtEnd() && line_[pos_] != '=' && line_[pos_] != ' ' && line_[pos_] != '}') ++pos_;
      const std::string name(line_.substr(begin, pos_ - begin));
      if (!IsLabelName(name)) return Fail("bad label name '" + name + "'");
      if (!seen.insert(name).second) return Fail("label '" + name + "' given twice");
      SkipBlanks();
      if (Peek() != '=') return Fail("expected '=' after label " + name);
      ++pos_;
      SkipBlanks();
      if (Peek() != '"') return Fail("expected '\"' to open the value of label " + name);
      ++pos_;
      std::string value;
      for (;;) {
        if (AtEnd()) return Fail("unterminated value of label " + name);
        const char c = line_[pos_++];
        if (c == '"') break;
        if (c != '\\') {
          value.push_back(c);
          continue;
        }
        if (AtEnd()) return Fail("unterminated escape in label " + name);
        const char e = line_[pos_++];
        if (e == 'n') {
          value.push_back('\n');
        } else if (e == '\\' || e == '"') {
          value.push_back(e);
        } else {
          return Fail(std::string("bad escape \\") + e + " in label " + name);
        }
      }
      if (HasControlCharacter(value))
        return Fail("control character in the value of label " + name);
      labels.emplace_back(name, std::move(value));
      SkipBlanks();
      if (Peek() == ',') {
        ++pos_;
      } else if (Peek() != '}') {
        return Fail("expected ',' or '}' after label " + name);
      }
    }
  }

  void Advance(std::size_t n) { pos_ += n; }

 private:
  std::string_view line_;
  std::size_t pos_ = 0;
  std::size_t number_;
  std::vector<std::string>& errors_;
};

bool ParseValue(std::string_view token, double& value) {
  if (token == "+Inf" || token == "Inf") {
    value = INFINITY;
    return true;
  }
  if (token == "-Inf") {
    value = -INFINITY;
    return true;
  }
  if (token == "NaN") {
    value = NAN;
    return true;
  }
  const std::string copy(token);
  char* end = nullptr;
  value = std::strtod(copy.c_str(), &end);
  return !copy.empty() && end == copy.c_str() + copy.size();
}

std::string SeriesKey(const ExpositionSample& s) {
  std::vector<std::pair<std::string, std::string>> sorted = s.labels;
  std::sort(sorted.begin(), sorted.end());
  std::string key = s.name;
  for (const auto& [name, value] : sorted) key += '\x1f' + name + '=' + value;
  return key;
}

}  // namespace

bool HasControlCharacter(std::string_view s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto b = static_cast<unsigned char>(s[i]);
    if (b < 0x20 || b == 0x7F) return true;
    if (b == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) <= 0x9F) return true;
  }
  return false;
}

std::string ExpositionSample::Label(std::string_view label) const {
  for (const auto& pair : labels) {
    if (pair.first == label) return pair.second;
  }
  return "";
}

CheckedExposition CheckExposition(std::string_view text, std::vector<std::string>& errors) {
  CheckedExposition out;
  std::set<std::string> series, helped, finished_families;
  std::string current_family;
  std::size_t number = 0, begin = 0;
  if (!text.empty() && text.back() != '\n')
    errors.push_back("the text does not end with a newline");
  while (begin < text.size()) {
    std::size_t end = text.find('\n', begin);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(begin, end - begin);
    begin = end + 1;
    ++number;
    LineReader reader(line, number, errors);
    bool utf8 = true;
    for (std::size_t i = 0; i < line.size();) {
      const std::size_t n = Utf8Length(line, i);
      if (n == 0) {
        reader.Fail("invalid UTF-8 at byte " + std::to_string(i));
        utf8 = false;
        break;
      }
      i += n;
    }
    if (!utf8) continue;
    if (line.empty()) continue;
    if (line.front() == '#') {
      reader.Advance(1);
      reader.SkipBlanks();
      const std::string_view keyword = reader.Token();
      if (keyword != "HELP" && keyword != "TYPE") continue;  // a plain comment
      reader.SkipBlanks();
      const std::string name(reader.Token());
      if (!IsMetricName(name)) {
        reader.Fail("bad metric name '" + name + "' in # " + std::string(keyword));
        continue;
      }
      reader.SkipBlanks();
      const std::string_view rest = reader.Rest();
      if (keyword == "HELP") {
        if (!helped.insert(name).second) reader.Fail("second HELP for " + name);
        if (HasControlCharacter(rest)) reader.Fail("control character in the HELP of " + name);
        continue;
      }
      if (!IsKnownType(rest)) reader.Fail("unknown type '" + std::string(rest) + "' of " + name);
      if (out.types.count(name) != 0) reader.Fail("second TYPE for " + name);
      out.types[name] = std::string(rest);
      continue;
    }
    ExpositionSample sample;
    sample.name = std::string(reader.Token());
    if (!IsMetricName(sample.name)) {
      reader.Fail("bad metric name '" + sample.name + "'");
      continue;
    }
    if (reader.Peek() == '{') {
      reader.Advance(1);
      if (!reader.Labels(sample.labels)) continue;
    }
    reader.SkipBlanks();
    const std::string_view value = reader.Token();
    if (!ParseValue(value, sample.value)) {
      reader.Fail("value '" + std::string(value) + "' of " + sample.name + " is not a number");
      continue;
    }
    reader.SkipBlanks();
    if (!reader.AtEnd()) {
      const std::string_view timestamp = reader.Token();
      double ignored = 0;
      if (!ParseValue(timestamp, ignored) || !reader.Rest().empty()) {
        reader.Fail("trailing text after the value of " + sample.name);
        continue;
      }
    }
    const std::string family = FamilyOf(sample.name, out.types);
    if (family.empty()) {
      reader.Fail("sample " + sample.name + " has no # TYPE before it");
      continue;
    }
    if (family != current_family) {
      if (finished_families.count(family) != 0) {
        reader.Fail("samples of " + family + " are not grouped together");
      }
      if (!current_family.empty()) finished_families.insert(current_family);
      current_family = family;
    }
    if (!series.insert(SeriesKey(sample)).second) {
      reader.Fail("series " + sample.name + " given twice with the same labels");
      continue;
    }
    out.samples.push_back(std::move(sample));
  }
  return out;
}

std::map<std::string, ExposedIdentity> ContainerIdentities(const CheckedExposition& exposition,
                                                           std::vector<std::string>& errors) {
  std::map<std::string, ExposedIdentity> identities;
  for (const ExpositionSample& s : exposition.samples) {
    if (s.name != "cproc_container_info") continue;
    const std::string id = s.Label("container_id");
    ExposedIdentity identity{s.Label("container"), s.Label("pod"), s.Label("namespace"),
                             s.Label("runtime"), s.Label("image")};
    if (!id.starts_with(identity.runtime + "://") || identity.runtime.empty()) {
      errors.push_back("container_id " + id + " does not start with its runtime '" +
                       identity.runtime + "://'");
    }
    if (!identities.emplace(id, identity).second) {
      errors.push_back("two cproc_container_info series for " + id);
    }
  }
  for (const ExpositionSample& s : exposition.samples) {
    const std::string id = s.Label("container_id");
    if (id.empty()) continue;
    auto it = identities.find(id);
    if (it == identities.end()) {
      errors.push_back(s.name + " has container_id " + id + " but no cproc_container_info");
      continue;
    }
    const ExposedIdentity& info = it->second;
    if (s.Label("container") != info.container || s.Label("pod") != info.pod ||
        s.Label("namespace") != info.namespace_) {
      errors.push_back(s.name + " of " + id + " disagrees with cproc_container_info on " +
                       "container, pod or namespace");
    }
  }
  return identities;
}

}  // namespace cproc::testing
