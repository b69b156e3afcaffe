#include "collectors/procfs/namespaces.h"

#include <string>

#include "collectors/base/parse_util.h"

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

std::optional<KernelVersion> ParseKernelRelease(std::string_view release) {
  const auto dot = release.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  std::size_t end = dot + 1;
  while (end < release.size() && release[end] >= '0' && release[end] <= '9') ++end;
  auto major = ParseNumber<uint32_t>(release.substr(0, dot));
  auto minor = ParseNumber<uint32_t>(release.substr(dot + 1, end - dot - 1));
  if (!major || !minor || *major > 1000 || *minor > 1000) return std::nullopt;
  return KernelVersion{static_cast<int>(*major), static_cast<int>(*minor)};
}

std::optional<uint32_t> InitialNamespaceInode(NsKind kind, std::optional<KernelVersion> kernel) {
  struct Fixed {
    NsKind kind;
    uint32_t inode;
    KernelVersion since;
  };
  static constexpr Fixed kFixed[] = {
      {NsKind::kIpc, 0xEFFFFFFFU, {3, 8}},    {NsKind::kUts, 0xEFFFFFFEU, {3, 8}},
      {NsKind::kUser, 0xEFFFFFFDU, {3, 8}},   {NsKind::kPid, 0xEFFFFFFCU, {3, 8}},
      {NsKind::kCgroup, 0xEFFFFFFBU, {4, 6}}, {NsKind::kTime, 0xEFFFFFFAU, {5, 6}},
      {NsKind::kNet, 0xEFFFFFF9U, {6, 18}},   {NsKind::kMnt, 0xEFFFFFF8U, {6, 18}},
  };
  if (!kernel) return std::nullopt;
  for (const Fixed& f : kFixed) {
    if (f.kind != kind) continue;
    const bool since = kernel->major > f.since.major ||
                       (kernel->major == f.since.major && kernel->minor >= f.since.minor);
    if (since) return f.inode;
  }
  return std::nullopt;
}

}  // namespace cproc
