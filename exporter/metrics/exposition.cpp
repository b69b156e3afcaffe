#include "exporter/metrics/exposition.h"

#include <utility>

#include "exporter/http/gzip.h"

namespace cproc {

Exposition::Exposition(std::string text, std::string gzip,
                       std::function<std::string()> containers_json)
    : text_(std::move(text)), gzip_(std::move(gzip)), render_json_(std::move(containers_json)) {}

const std::string& Exposition::containers_json() const {
  std::call_once(json_once_, [this] {
    if (render_json_) json_ = render_json_();
    render_json_ = nullptr;  // drops what the renderer held (the snapshot)
  });
  return json_;
}

std::shared_ptr<const Exposition> MakeExposition(std::string text,
                                                 std::function<std::string()> containers_json) {
  std::string gzip = GzipCompress(text);
  return std::make_shared<const Exposition>(std::move(text), std::move(gzip),
                                            std::move(containers_json));
}

}  // namespace cproc
