// The rendered /metrics body, made once per scan so a scrape is a copy. It is held as gzip, which
// Prometheus always asks for; the text itself is made on the first request without gzip.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "exporter/http/mapped_bytes.h"
#include "exporter/metrics/text_format.h"

namespace cproc {

class Exposition {
 public:
  // `gzip`: the body compressed. `text`: the body itself, or empty to have it inflated from
  // `gzip` on the first request; when `gzip` is empty (compression failed) it is the body.
  // `containers_json` renders the same scan for /api/v1/containers; it runs at most once, on
  // the first request, so scans do not pay for a debugging endpoint nobody asks for.
  Exposition(std::string text, std::string gzip, std::function<std::string()> containers_json);

  // Prometheus text format 0.0.4. The first call inflates the gzip (once, whichever thread asks)
  // and the text is then kept as long as this exposition; throws when that fails.
  std::string_view text() const;
  // text().size() without making the text (from the gzip's trailer).
  std::size_t text_size() const;
  const std::string& gzip() const { return gzip_; }  // the same bytes, gzip-compressed
  // The scan as JSON (no environment, ever); empty when no renderer was given.
  const std::string& containers_json() const;

 private:
  // The text is made from the gzip: none was given, and there is a gzip to make it from.
  bool inflates() const { return given_text_.empty() && !gzip_.empty(); }

  const std::string gzip_;
  mutable std::once_flag text_once_;
  const std::string given_text_;  // the body when compression failed, else empty
  mutable MappedBytes inflated_;  // written once, under text_once_, when there is a gzip
  mutable std::once_flag json_once_;
  mutable std::function<std::string()> render_json_;
  mutable std::string json_;
};

// Writes the body's text, in order, part by part to the writer it is given.
using RenderText = std::function<void(const TextWriter&)>;

// Renders the body through `render`, compressing each part as it comes, so the whole text is
// never held. When compression fails, `render` runs a second time and the text is kept instead.
// `expected_gzip_size` is reserved for the compressed body at once (the last scan's, say).
std::shared_ptr<const Exposition> RenderExposition(
    const RenderText& render, std::size_t expected_gzip_size,
    std::function<std::string()> containers_json = nullptr);

// The exposition of a body already rendered: RenderExposition with the text as its one part.
std::shared_ptr<const Exposition> MakeExposition(
    std::string_view text, std::function<std::string()> containers_json = nullptr);

// The exposition of a compressed body (from a GzipWriter), or, when `gzip` is empty because
// compression failed, of the text `render` writes: it then runs once, to keep the text.
std::shared_ptr<const Exposition> ExpositionOf(std::string gzip, const RenderText& render,
                                               std::function<std::string()> containers_json);

}  // namespace cproc
