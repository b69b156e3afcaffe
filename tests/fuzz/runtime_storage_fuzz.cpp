// containers/storage's containers.json (Podman, CRI-O: names and images) and Docker's
// daemon.json (its data-root) on arbitrary bytes. The first byte picks the parser.
#include <nlohmann/json.hpp>

#include <string>

#include "collectors/runtimes/runtime_metadata.h"
#include "tests/fuzz/fuzz_check.h"

using nlohmann::json;

namespace {

void StorageList(std::string_view text) {
  const auto parsed = cproc::ParseStorageContainers(text);
  const json value = json::parse(text, nullptr, false);
  if (!parsed) {
    FUZZ_CHECK(!parsed.error().empty());
    return;
  }
  // Every entry listed has an id, and no more entries than the list holds.
  FUZZ_CHECK(!value.is_discarded());
  const std::size_t listed = value.is_array() ? value.size() : 0;
  FUZZ_CHECK(parsed->size() <= listed);
  for (const cproc::StorageContainer& c : *parsed) FUZZ_CHECK(!c.id.empty());
  // A function of the JSON value, not of its spelling.
  const auto again = cproc::ParseStorageContainers(value.dump());
  FUZZ_CHECK(again.ok() && again->size() == parsed->size());
  for (std::size_t i = 0; i < parsed->size(); ++i) {
    FUZZ_CHECK((*again)[i].id == (*parsed)[i].id && (*again)[i].name == (*parsed)[i].name &&
               (*again)[i].image == (*parsed)[i].image);
  }
}

void DaemonJson(std::string_view text) {
  const auto root = cproc::ParseDockerDataRoot(text);
  if (!root) {
    FUZZ_CHECK(!root.error().empty());
    return;
  }
  // Where Docker's files are looked for: absolute (a path under --path.rootfs) or not set.
  FUZZ_CHECK(root->empty() || root->front() == '/');
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view text = cproc_fuzz::AsText(data + 1, size - 1);
  if (data[0] % 2 == 0) {
    StorageList(text);
  } else {
    DaemonJson(text);
  }
  return 0;
}
