// The rendered /metrics body, made once per scan (text and its gzip) so a scrape is a copy.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

namespace cproc {

class Exposition {
 public:
  // `containers_json` renders the same scan for /api/v1/containers; it runs at most once, on
  // the first request, so scans do not pay for a debugging endpoint nobody asks for.
  Exposition(std::string text, std::string gzip, std::function<std::string()> containers_json);

  const std::string& text() const { return text_; }  // Prometheus text format 0.0.4
  const std::string& gzip() const { return gzip_; }  // the same bytes, gzip-compressed
  // The scan as JSON (no environment, ever); empty when no renderer was given.
  const std::string& containers_json() const;

 private:
  std::string text_;
  std::string gzip_;
  mutable std::once_flag json_once_;
  mutable std::function<std::string()> render_json_;
  mutable std::string json_;
};

// Compresses `text` once and returns the shared, immutable result.
std::shared_ptr<const Exposition> MakeExposition(
    std::string text, std::function<std::string()> containers_json = nullptr);

}  // namespace cproc
