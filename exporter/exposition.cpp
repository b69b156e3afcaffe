#include "exporter/exposition.h"

#include <utility>

#include "exporter/gzip.h"

namespace cproc {

std::shared_ptr<const Exposition> MakeExposition(std::string text, std::string containers_json) {
  auto exposition = std::make_shared<Exposition>();
  exposition->gzip = GzipCompress(text);
  exposition->text = std::move(text);
  exposition->containers_json = std::move(containers_json);
  return exposition;
}

}  // namespace cproc
