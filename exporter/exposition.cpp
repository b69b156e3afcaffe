#include "exporter/exposition.h"

#include <utility>

#include "exporter/gzip.h"

namespace cproc {

std::shared_ptr<const Exposition> MakeExposition(std::string text) {
  auto exposition = std::make_shared<Exposition>();
  exposition->gzip = GzipCompress(text);
  exposition->text = std::move(text);
  return exposition;
}

}  // namespace cproc
