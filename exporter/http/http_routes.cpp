#include "exporter/http/http_routes.h"

namespace cproc {

bool IsReadOnlyMethod(std::string_view method) { return method == "GET" || method == "HEAD"; }

bool NeedsCredentials(std::string_view path, std::string_view telemetry_path) {
  return path != kHealthyPath || path == telemetry_path;
}

Route RouteRequest(const RouteInput& request) {
  const std::string_view path = request.path;
  // A caller that checked credentials for a path that needs none cannot lock probes out.
  if (request.credentials == Credentials::kInvalid &&
      NeedsCredentials(path, request.telemetry_path)) {
    return Route::kUnauthorized;
  }
  // Only absolute paths name a page (local_uri_raw is "" for a URI naming another host), and
  // the telemetry path wins over the fixed pages it may shadow ("/" or "/-/healthy").
  Route page = Route::kNotFound;
  if (path.empty() || path.front() != '/') {
    page = Route::kNotFound;
  } else if (path == request.telemetry_path) {
    page = Route::kMetrics;
  } else if (path == kContainersPath) {
    page = Route::kContainers;
  } else if (path == kLandingPath) {
    page = Route::kLanding;
  } else if (path == kHealthyPath) {
    page = Route::kHealthy;
  }
  if (page == Route::kNotFound) return page;
  return IsReadOnlyMethod(request.method) ? page : Route::kMethodNotAllowed;
}

}  // namespace cproc
