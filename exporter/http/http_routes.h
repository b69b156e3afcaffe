// Which answer an HTTP request gets, decided from its method and path and the outcome of the
// credentials check: pure, so the routing rules (exact paths, methods, where auth applies) are
// tested and fuzzed without a socket. http_server.cpp only turns the Route into bytes.
#pragma once

#include <string_view>

namespace cproc {

inline constexpr std::string_view kLandingPath = "/";
inline constexpr std::string_view kHealthyPath = "/-/healthy";
inline constexpr std::string_view kContainersPath = "/api/v1/containers";

enum class Route {
  kMetrics,           // the telemetry path: the exposition (503 before the first scan)
  kContainers,        // /api/v1/containers: the scan as JSON
  kLanding,           // /: the landing page
  kHealthy,           // /-/healthy: "OK", with or without credentials
  kUnauthorized,      // 401: users are configured and the credentials are missing or wrong
  kNotFound,          // 404: no such path (after the credentials check, when users exist)
  kMethodNotAllowed,  // 405: a known path asked with another method than GET or HEAD
};

// What the basic auth check said. The caller checks only when users are configured and
// NeedsCredentials(path) is true, so bcrypt never runs for a liveness probe.
enum class Credentials {
  kNotChecked,  // no basic_auth_users, or a path that needs none
  kValid,
  kInvalid,  // missing, malformed or wrong
};

struct RouteInput {
  std::string_view method;          // as sent: methods are case-sensitive (RFC 9110 §9.1)
  std::string_view path;            // civetweb's local_uri_raw: decoded, never normalised
  std::string_view telemetry_path;  // --web.telemetry-path
  Credentials credentials = Credentials::kNotChecked;
};

// GET and HEAD, the only methods anything is served to.
bool IsReadOnlyMethod(std::string_view method);

// Every path needs credentials once users are configured, unknown ones included (as the
// exporter-toolkit, whose auth wraps the whole mux), except the health check, so probes keep
// working without them. A telemetry path configured as /-/healthy is the metrics and keeps
// its credentials.
bool NeedsCredentials(std::string_view path, std::string_view telemetry_path);

// Paths are compared byte for byte: "/metrics/", "//metrics", "/a/../metrics", "/METRICS" and a
// path with a NUL are all unknown. Order: 401, then 404, then 405, then the page.
Route RouteRequest(const RouteInput& request);

}  // namespace cproc
