// The page at "/": what the exporter is and where its endpoints are, as exporters show it.
#pragma once

#include <string>
#include <string_view>

namespace cproc {

// `text` with the five HTML special characters escaped.
std::string HtmlEscape(std::string_view text);

// The whole page; the telemetry path and version are escaped (both come from the command line).
std::string LandingPage(std::string_view telemetry_path, std::string_view version);

}  // namespace cproc
