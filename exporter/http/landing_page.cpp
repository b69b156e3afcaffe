#include "exporter/http/landing_page.h"

namespace cproc {

std::string HtmlEscape(std::string_view text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string LandingPage(std::string_view telemetry_path, std::string_view version) {
  const std::string path = HtmlEscape(telemetry_path);
  return "<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\">"
         "<title>cproc_exporter</title></head>\n<body>\n<h1>cproc_exporter</h1>\n"
         "<p>Container process exporter for Prometheus, version " +
         HtmlEscape(version.empty() ? "unknown" : version) + ".</p>\n<ul>\n<li><a href=\"" + path +
         "\">" + path + "</a>: metrics</li>\n" +
         "<li><a href=\"/api/v1/containers\">/api/v1/containers</a>: containers as JSON</li>\n"
         "<li><a href=\"/-/healthy\">/-/healthy</a>: health check</li>\n</ul>\n</body>\n</html>\n";
}

}  // namespace cproc
