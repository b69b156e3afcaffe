// The rendered /metrics body, made once per scan (text and its gzip) so a scrape is a copy.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace cproc {

struct Exposition {
  std::string text;             // Prometheus text format 0.0.4
  std::string gzip;             // the same bytes, gzip-compressed
  std::string containers_json;  // the same scan for /api/v1/containers (no environment, ever)
};

// Compresses `text` once and returns the shared, immutable result.
std::shared_ptr<const Exposition> MakeExposition(std::string text,
                                                 std::string containers_json = "");

}  // namespace cproc
