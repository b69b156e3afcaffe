#include "collectors/namespaces.h"

#include <string>

#include "collectors/parse_util.h"

namespace cproc {

std::optional<NsKind> NsKindFromName(std::string_view name) {
  for (std::size_t i = 0; i < kNsKindCount; ++i) {
    if (kNsKindNames[i] == name) return static_cast<NsKind>(i);
  }
  return std::nullopt;
}

Expected<NsLink> ParseNsLink(std::string_view target) {
  const auto colon = target.find(':');
  if (colon == std::string_view::npos || !target.ends_with(']') ||
      target.substr(colon + 1, 1) != "[") {
    return Error{"expected 'kind:[inode]', got '" + std::string(target.substr(0, 64)) + "'"};
  }
  auto kind = NsKindFromName(target.substr(0, colon));
  if (!kind) return Error{"unknown namespace kind '" + std::string(target.substr(0, colon)) + "'"};
  const std::string_view digits = target.substr(colon + 2, target.size() - colon - 3);
  // The kernel's namespace inodes are 32-bit (ns_common.inum): anything larger is not one.
  auto ino = ParseNumber<uint32_t>(digits);
  if (!ino || *ino == 0) {
    return Error{"expected a non-zero 32-bit inode in '" + std::string(target) + "'"};
  }
  return NsLink{*kind, *ino};
}

}  // namespace cproc
