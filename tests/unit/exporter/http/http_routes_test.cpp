// RouteRequest: which answer a request gets, table-driven (the server test checks the bytes).
#include "exporter/http/http_routes.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace cproc {
namespace {

using namespace std::string_literals;

constexpr std::string_view kMetrics = "/metrics";

Route RouteOf(std::string_view method, std::string_view path,
              Credentials credentials = Credentials::kNotChecked,
              std::string_view telemetry_path = kMetrics) {
  return RouteRequest({method, path, telemetry_path, credentials});
}

const char* Name(Route route) {
  switch (route) {
    case Route::kMetrics:
      return "metrics";
    case Route::kContainers:
      return "containers";
    case Route::kLanding:
      return "landing";
    case Route::kHealthy:
      return "healthy";
    case Route::kUnauthorized:
      return "401";
    case Route::kNotFound:
      return "404";
    case Route::kMethodNotAllowed:
      return "405";
  }
  return "?";
}

}  // namespace

TEST_CASE("routes: the four pages, matched exactly") {
  struct Case {
    std::string path;
    Route route;
  };
  const std::vector<Case> cases = {
      {"/metrics", Route::kMetrics},
      {"/api/v1/containers", Route::kContainers},
      {"/", Route::kLanding},
      {"/-/healthy", Route::kHealthy},
      // Never normalised: civetweb's local_uri_raw keeps what the client sent.
      {"/metrics/", Route::kNotFound},
      {"//metrics", Route::kNotFound},
      {"/a/../metrics", Route::kNotFound},
      {"/./metrics", Route::kNotFound},
      {"/metrics/..", Route::kNotFound},
      {"/METRICS", Route::kNotFound},
      {"/metricsx", Route::kNotFound},
      {"/metric", Route::kNotFound},
      {"metrics", Route::kNotFound},
      {"/metrics\0"s, Route::kNotFound},
      {"/metrics\0x"s, Route::kNotFound},
      {"/api/v1/containers/", Route::kNotFound},
      {"/api/v1/containers/x", Route::kNotFound},
      {"/-/healthy/", Route::kNotFound},
      {"/-/healthyx", Route::kNotFound},
      {"/-/ready", Route::kNotFound},
      {"//", Route::kNotFound},
      {"/index.html", Route::kNotFound},
      {"", Route::kNotFound},  // an absolute URI naming another host
      {"*", Route::kNotFound},
  };
  for (const Case& c : cases) {
    CAPTURE(c.path);
    CHECK(Name(RouteOf("GET", c.path)) == std::string(Name(c.route)));
    CHECK(Name(RouteOf("HEAD", c.path)) == std::string(Name(c.route)));  // HEAD routes as GET
  }
}

TEST_CASE("routes: only GET and HEAD, case-sensitive; 404 before 405") {
  for (const std::string& method :
       std::vector<std::string>{"POST", "PUT", "DELETE", "OPTIONS", "PATCH", "TRACE", "CONNECT",
                                "get", "Get", "head", "GET ", " GET", "", "GETX", "G\0T"s}) {
    CAPTURE(method);
    CHECK_FALSE(IsReadOnlyMethod(method));
    for (const std::string_view path : {"/metrics", "/", "/-/healthy", "/api/v1/containers"}) {
      CAPTURE(path);
      CHECK(RouteOf(method, path) == Route::kMethodNotAllowed);
    }
    CHECK(RouteOf(method, "/nope") == Route::kNotFound);  // an unknown path is unknown first
    CHECK(RouteOf(method, "/metrics/") == Route::kNotFound);
  }
  CHECK(IsReadOnlyMethod("GET"));
  CHECK(IsReadOnlyMethod("HEAD"));
}

TEST_CASE("routes: with users configured, 401 comes first, except for /-/healthy") {
  for (const std::string_view method : {"GET", "HEAD", "POST"}) {
    CAPTURE(method);
    for (const std::string_view path :
         {"/metrics", "/", "/api/v1/containers", "/nope", "/metrics/", "//metrics", ""}) {
      CAPTURE(path);
      CHECK(NeedsCredentials(path, kMetrics));
      // 401 before 404 and 405: an unauthenticated client learns nothing about the paths.
      CHECK(RouteOf(method, path, Credentials::kInvalid) == Route::kUnauthorized);
    }
    CHECK_FALSE(NeedsCredentials("/-/healthy", kMetrics));
  }
  // The health check stays open without credentials (and a caller that checked anyway, and
  // got a refusal, cannot lock the probe out).
  CHECK(RouteOf("GET", "/-/healthy", Credentials::kNotChecked) == Route::kHealthy);
  CHECK(RouteOf("GET", "/-/healthy", Credentials::kInvalid) == Route::kHealthy);
  CHECK(RouteOf("HEAD", "/-/healthy", Credentials::kInvalid) == Route::kHealthy);
  CHECK(RouteOf("POST", "/-/healthy", Credentials::kInvalid) == Route::kMethodNotAllowed);
  // Only the exact health path is open.
  CHECK(RouteOf("GET", "/-/healthy/", Credentials::kInvalid) == Route::kUnauthorized);
  CHECK(RouteOf("GET", "//-/healthy", Credentials::kInvalid) == Route::kUnauthorized);

  // Valid credentials route as without auth.
  CHECK(RouteOf("GET", "/metrics", Credentials::kValid) == Route::kMetrics);
  CHECK(RouteOf("HEAD", "/", Credentials::kValid) == Route::kLanding);
  CHECK(RouteOf("GET", "/nope", Credentials::kValid) == Route::kNotFound);
  CHECK(RouteOf("DELETE", "/metrics", Credentials::kValid) == Route::kMethodNotAllowed);
}

TEST_CASE("routes: a custom telemetry path replaces /metrics and wins over the fixed pages") {
  CHECK(RouteOf("GET", "/x/metrics", Credentials::kNotChecked, "/x/metrics") == Route::kMetrics);
  CHECK(RouteOf("GET", "/metrics", Credentials::kNotChecked, "/x/metrics") == Route::kNotFound);
  CHECK(RouteOf("GET", "/", Credentials::kNotChecked, "/") == Route::kMetrics);
  // Configured as the health path it is the metrics, and keeps its credentials.
  CHECK(RouteOf("GET", "/-/healthy", Credentials::kNotChecked, "/-/healthy") == Route::kMetrics);
  CHECK(NeedsCredentials("/-/healthy", "/-/healthy"));
  CHECK(RouteOf("GET", "/-/healthy", Credentials::kInvalid, "/-/healthy") == Route::kUnauthorized);
  // An empty or relative telemetry path never matches (Start rejects them anyway).
  CHECK(RouteOf("GET", "", Credentials::kNotChecked, "") == Route::kNotFound);
  CHECK(RouteOf("GET", "metrics", Credentials::kNotChecked, "metrics") == Route::kNotFound);
}

}  // namespace cproc
