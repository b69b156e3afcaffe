// MatchContainer over arbitrary cgroup paths with the real layout table. The first input byte
// chooses how the runtime-file confirmer answers; the rest is the path.
#include <string>

#include "collectors/runtimes/container_layouts.h"
#include "tests/fuzz/fuzz_check.h"

using cproc::ContainerLayout;

namespace {

bool IsLowerHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

bool IsHex64(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!IsLowerHex(c)) return false;
  }
  return true;
}

bool IsName(std::string_view s) {
  if (s.empty() || s.size() > 253) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
          c == '_' || c == '-')) {
      return false;
    }
  }
  return true;
}

bool IsPodUid(std::string_view uid) {
  if (uid.size() == 32) {
    for (char c : uid) {
      if (!IsLowerHex(c)) return false;
    }
    return true;
  }
  if (uid.size() != 36) return false;
  for (std::size_t i = 0; i < uid.size(); ++i) {
    const bool dash_position = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash_position ? uid[i] != '-' : !IsLowerHex(uid[i])) return false;
  }
  return true;
}

const ContainerLayout* LayoutNamed(std::string_view name) {
  for (const ContainerLayout& layout : cproc::DefaultContainerLayouts()) {
    if (layout.name == name) return &layout;
  }
  return nullptr;
}

void CheckMatch(std::string_view path, const cproc::ContainerMatch& match) {
  const ContainerLayout* layout = LayoutNamed(match.layout);
  FUZZ_CHECK(layout != nullptr);
  FUZZ_CHECK(match.runtime == layout->runtime);
  switch (layout->id) {
    case ContainerLayout::Id::kHex64:
      FUZZ_CHECK(IsHex64(match.id));
      break;
    case ContainerLayout::Id::kName:
      FUZZ_CHECK(IsName(match.id));
      break;
    case ContainerLayout::Id::kFreeId:  // a name, and never a systemd unit's
      FUZZ_CHECK(IsName(match.id));
      FUZZ_CHECK(match.id != "..");
      for (std::string_view unit : {".service", ".scope", ".slice", ".mount", ".socket"}) {
        FUZZ_CHECK(!match.id.ends_with(unit));
      }
      break;
    case ContainerLayout::Id::kUnitName:  // \xNN escapes undone: any bytes, but never empty
      FUZZ_CHECK(!match.id.empty());
      break;
  }
  // The container's cgroup is a prefix of the path that ends at a component boundary.
  FUZZ_CHECK(!match.cgroup.empty());
  FUZZ_CHECK(path.starts_with(match.cgroup));
  FUZZ_CHECK(match.cgroup.back() != '/');
  FUZZ_CHECK(path.size() == match.cgroup.size() || path[match.cgroup.size()] == '/');
  if (layout->id != ContainerLayout::Id::kUnitName) {
    FUZZ_CHECK(match.cgroup.find(match.id) != std::string::npos);
  }
  FUZZ_CHECK(match.pod_uid.empty() || IsPodUid(match.pod_uid));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t policy = data[0];
  const std::string_view path = cproc_fuzz::AsText(data + 1, size - 1);
  const auto& layouts = cproc::DefaultContainerLayouts();

  int calls = 0;
  const cproc::LayoutConfirmer confirm = [&](std::string_view runtime, std::string_view parent,
                                             std::string_view id) {
    ++calls;
    FUZZ_CHECK(!runtime.empty());
    FUZZ_CHECK(!id.empty());
    FUZZ_CHECK(path.find(id) != std::string_view::npos);
    FUZZ_CHECK(parent.empty() || path.find(parent) != std::string_view::npos);
    return ((policy >> (calls % 8)) & 1U) != 0;
  };

  auto unconfirmed = cproc::MatchContainer(path, layouts);
  if (unconfirmed) {
    CheckMatch(path, *unconfirmed);
    FUZZ_CHECK(!LayoutNamed(unconfirmed->layout)->needs_confirmation);
  }
  auto confirmed = cproc::MatchContainer(path, layouts, confirm);
  if (confirmed) CheckMatch(path, *confirmed);
  // A confirmer that refuses everything gives the same answer as no confirmer at all.
  const cproc::LayoutConfirmer never = [](std::string_view, std::string_view, std::string_view) {
    return false;
  };
  auto refused = cproc::MatchContainer(path, layouts, never);
  FUZZ_CHECK(refused.has_value() == unconfirmed.has_value());
  if (refused) {
    FUZZ_CHECK(refused->id == unconfirmed->id && refused->cgroup == unconfirmed->cgroup);
  }

  (void)cproc::LooksLikeUnknownContainer(path);
  if (auto uid = cproc::PodUidOfComponent(path)) FUZZ_CHECK(IsPodUid(*uid));
  return 0;
}
