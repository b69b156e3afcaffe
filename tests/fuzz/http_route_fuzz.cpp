// RouteRequest on arbitrary method and path bytes (both come from the request line: anyone who
// can connect chooses them). Input: one control byte (bits 0-1: the credentials outcome, bits
// 2-4: the telemetry path), then the method, a space, the path; a second space, when the
// telemetry path comes from the input, separates it from the path.
#include <array>
#include <string>

#include "exporter/http/http_routes.h"
#include "tests/fuzz/fuzz_check.h"

using cproc::Credentials;
using cproc::Route;

namespace {

constexpr std::array<std::string_view, 4> kTelemetryPaths = {"/metrics", "/x/metrics", "/",
                                                             "/-/healthy"};

bool Served(Route route) {
  return route == Route::kMetrics || route == Route::kContainers || route == Route::kLanding ||
         route == Route::kHealthy;
}

bool KnownPath(std::string_view path, std::string_view telemetry_path) {
  return !path.empty() && path.front() == '/' &&
         (path == telemetry_path || path == cproc::kContainersPath || path == cproc::kLandingPath ||
          path == cproc::kHealthyPath);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const unsigned control = data[0];
  std::string_view rest = cproc_fuzz::AsText(data + 1, size - 1);
  const std::size_t space = rest.find(' ');
  const std::string_view method = rest.substr(0, space);
  std::string_view path = space == std::string_view::npos ? "" : rest.substr(space + 1);
  const unsigned telemetry_choice = (control >> 2) & 0x7;
  std::string_view telemetry_path;
  if (telemetry_choice < kTelemetryPaths.size()) {
    telemetry_path = kTelemetryPaths[telemetry_choice];
  } else {
    const std::size_t second = path.find(' ');
    telemetry_path = second == std::string_view::npos ? path : path.substr(second + 1);
    path = path.substr(0, second);
  }
  const auto credentials = static_cast<Credentials>((control & 0x3) % 3);

  const auto route = [&](std::string_view m, std::string_view p, Credentials c) {
    return cproc::RouteRequest({m, p, telemetry_path, c});
  };
  const Route got = route(method, path, credentials);
  const bool read_only = method == "GET" || method == "HEAD";
  FUZZ_CHECK(cproc::IsReadOnlyMethod(method) == read_only);

  // Only GET and HEAD are ever served, the metrics included, and only on a path that is one of
  // the pages byte for byte: a NUL, "..", "//" or a trailing '/' never reach a page that the
  // exact paths do not spell.
  if (Served(got)) {
    FUZZ_CHECK(read_only);
    FUZZ_CHECK(KnownPath(path, telemetry_path));
    FUZZ_CHECK(credentials != Credentials::kInvalid ||
               !cproc::NeedsCredentials(path, telemetry_path));
  }
  if (got == Route::kMetrics) FUZZ_CHECK(path == telemetry_path && path.front() == '/');
  if (got == Route::kHealthy) FUZZ_CHECK(path == cproc::kHealthyPath);
  if (got == Route::kMethodNotAllowed) FUZZ_CHECK(!read_only && KnownPath(path, telemetry_path));
  if (got == Route::kNotFound) FUZZ_CHECK(!KnownPath(path, telemetry_path));
  if (got == Route::kUnauthorized) FUZZ_CHECK(credentials == Credentials::kInvalid);
  if (telemetry_choice < kTelemetryPaths.size() &&
      (path.find('\0') != std::string_view::npos || path.find("..") != std::string_view::npos ||
       path.find("//") != std::string_view::npos || path.find('?') != std::string_view::npos)) {
    FUZZ_CHECK(!Served(got) && got != Route::kMethodNotAllowed);
  }

  // Refused credentials give 401 exactly where credentials are needed; the health check never
  // needs them (unless it is the telemetry path); valid ones route as no auth at all.
  const Route open = route(method, path, Credentials::kNotChecked);
  FUZZ_CHECK(route(method, path, Credentials::kValid) == open);
  const Route refused = route(method, path, Credentials::kInvalid);
  if (cproc::NeedsCredentials(path, telemetry_path)) {
    FUZZ_CHECK(refused == Route::kUnauthorized);
  } else {
    FUZZ_CHECK(refused == open);
    FUZZ_CHECK(path == cproc::kHealthyPath && telemetry_path != cproc::kHealthyPath);
  }
  if (path == cproc::kHealthyPath && telemetry_path != cproc::kHealthyPath) {
    FUZZ_CHECK(route("GET", path, Credentials::kInvalid) == Route::kHealthy);
  }
  // HEAD is GET without the body; every other method is answered alike.
  FUZZ_CHECK(route("HEAD", path, credentials) == route("GET", path, credentials));
  if (!read_only) FUZZ_CHECK(got == route("POST", path, credentials));
  return 0;
}
