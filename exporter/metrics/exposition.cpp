#include "exporter/metrics/exposition.h"

#include <stdexcept>
#include <utility>

#include "exporter/http/gunzip.h"
#include "exporter/http/gzip.h"

namespace cproc {

Exposition::Exposition(std::string text, std::string gzip,
                       std::function<std::string()> containers_json)
    : gzip_(std::move(gzip)),
      given_text_(std::move(text)),
      render_json_(std::move(containers_json)) {}

std::string_view Exposition::text() const {
  if (!inflates()) return given_text_;
  std::call_once(text_once_, [this] {
    std::optional<MappedBytes> text = GzipInflate(gzip_);
    if (!text) throw std::runtime_error("cannot inflate the exposition's gzip");
    inflated_ = std::move(*text);
  });
  return inflated_.view();
}

std::size_t Exposition::text_size() const {
  return inflates() ? GzipTextSize(gzip_) : given_text_.size();
}

const std::string& Exposition::containers_json() const {
  std::call_once(json_once_, [this] {
    if (render_json_) json_ = render_json_();
    render_json_ = nullptr;  // drops what the renderer held (the snapshot)
  });
  return json_;
}

std::shared_ptr<const Exposition> RenderExposition(const RenderText& render,
                                                   std::size_t expected_gzip_size,
                                                   std::function<std::string()> containers_json) {
  GzipWriter gzip(expected_gzip_size);
  render([&gzip](std::string_view part) { gzip.Write(part); });
  return ExpositionOf(std::move(gzip).Finish(), render, std::move(containers_json));
}

std::shared_ptr<const Exposition> MakeExposition(std::string_view text,
                                                 std::function<std::string()> containers_json) {
  return RenderExposition([text](const TextWriter& write) { write(text); }, text.size() / 8 + 64,
                          std::move(containers_json));
}

std::shared_ptr<const Exposition> ExpositionOf(std::string gzip, const RenderText& render,
                                               std::function<std::string()> containers_json) {
  std::string text;
  if (gzip.empty()) render([&text](std::string_view part) { text.append(part); });
  return std::make_shared<const Exposition>(std::move(text), std::move(gzip),
                                            std::move(containers_json));
}

}  // namespace cproc
