// The kinds of value a setting takes (a directory, a duration in a range, one of some words, a
// list of paths), each made for one field of Config, so that a row of the settings table names
// its field once and gets parsing and comparison from it.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "cmd/settings/config.h"
#include "cmd/settings/duration.h"
#include "cmd/settings/settings.h"
#include "collectors/base/parse_util.h"

namespace cproc::setting_values {

// A string literal as a template argument: what a refused value is told was expected.
template <std::size_t N>
struct Phrase {
  constexpr Phrase(const char (&literal)[N]) { std::copy_n(literal, N, text); }  // NOLINT
  constexpr std::string_view view() const { return {text, N - 1}; }
  char text[N];
};

constexpr std::int64_t kHourMs = 3'600'000;

inline bool AnyText(std::string_view) { return true; }
inline bool NotEmpty(std::string_view text) { return !text.empty(); }
inline bool Absolute(std::string_view text) { return !text.empty() && text.front() == '/'; }

template <auto Field>
bool Same(const Config& a, const Config& b) {
  return a.*Field == b.*Field;
}

template <auto Field>
using FieldType = std::remove_reference_t<decltype(std::declval<Config&>().*Field)>;

// A string field that `Accepts` the text.
template <auto Field, bool (*Accepts)(std::string_view), Phrase kExpected>
constexpr SettingValue Text{.parse = [](std::string_view text, Config& config) -> Expected<bool> {
                              if (!Accepts(text)) return Error{std::string(kExpected.view())};
                              config.*Field = std::string(text);
                              return true;
                            },
                            .same = Same<Field>};

template <auto Field>
constexpr SettingValue Directory = Text<Field, NotEmpty, "a directory">;
template <auto Field>
constexpr SettingValue AbsoluteDirectory = Text<Field, Absolute, "an absolute directory">;

// An integer field (of the field's own type) from kMin to kMax.
template <auto Field, std::int64_t kMin, std::int64_t kMax, Phrase kExpected>
constexpr SettingValue Integer{
    .parse = [](std::string_view text, Config& config) -> Expected<bool> {
      const auto n = ParseNumber<FieldType<Field>>(text);
      if (!n || *n < kMin || *n > kMax) return Error{std::string(kExpected.view())};
      config.*Field = *n;
      return true;
    },
    .same = Same<Field>};

// A duration field ("5s", ParseDuration) from kMinMs to kMaxMs milliseconds.
template <auto Field, std::int64_t kMinMs, std::int64_t kMaxMs, Phrase kExpected>
constexpr SettingValue Duration{
    .parse = [](std::string_view text, Config& config) -> Expected<bool> {
      const auto d = ParseDuration(text);
      if (!d || d->count() < kMinMs || d->count() > kMaxMs) {
        return Error{std::string(kExpected.view())};
      }
      config.*Field = *d;
      return true;
    },
    .same = Same<Field>};

// A string field that is one of kChoices, a space-separated list of words.
template <auto Field, Phrase kChoices>
constexpr SettingValue OneOf{.parse = [](std::string_view text, Config& config) -> Expected<bool> {
                               std::string_view rest = kChoices.view();
                               while (!rest.empty()) {
                                 if (NextToken(rest, ' ') == text) {
                                   config.*Field = std::string(text);
                                   return true;
                                 }
                               }
                               return Error{"one of " + std::string(kChoices.view())};
                             },
                             .same = Same<Field>};

inline std::vector<std::string>& Entries(std::vector<std::string>& list) { return list; }
inline std::vector<std::string>& Entries(std::optional<std::vector<std::string>>& list) {
  return list ? *list : list.emplace();
}

// A list field (plain, or optional: unset keeps a built-in list) whose entries `Accepts`.
template <auto Field, bool (*Accepts)(std::string_view), Phrase kListOf, Phrase kEntries>
constexpr SettingValue List{.parse = [](std::string_view entry, Config& config) -> Expected<bool> {
                              if (!Accepts(entry)) return Error{std::string(kEntries.view())};
                              Entries(config.*Field).emplace_back(entry);
                              return true;
                            },
                            .same = Same<Field>,
                            .start_list = [](Config& config) { Entries(config.*Field).clear(); },
                            .list_of = kListOf.view(),
                            .entries = kEntries.view()};

template <auto Field>
constexpr SettingValue PathList = List<Field, Absolute, "absolute paths", "absolute paths">;
template <auto Field>
constexpr SettingValue PatternList = List<Field, NotEmpty, "patterns", "non-empty strings">;

}  // namespace cproc::setting_values
