// Linux namespace kinds and namespace identity. A namespace is identified by the (device, inode)
// pair of its nsfs file (namespaces(7)); the inode alone is what /proc/PID/ns/* links print.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "collectors/base/expected.h"

namespace cproc {

enum class NsKind : uint8_t { kCgroup, kIpc, kMnt, kNet, kPid, kTime, kUser, kUts };
inline constexpr std::size_t kNsKindCount = 8;

// The label value (`ns="pid"`) and the file name under /proc/PID/ns/ are the same word.
inline constexpr std::array<std::string_view, kNsKindCount> kNsKindNames = {
    "cgroup", "ipc", "mnt", "net", "pid", "time", "user", "uts"};

constexpr std::string_view NsKindName(NsKind kind) {
  return kNsKindNames[static_cast<std::size_t>(kind)];
}

// "ns/<kind>" under a /proc/PID directory, in NsKind order (NUL-terminated, for *at calls).
inline constexpr std::array<const char*, kNsKindCount> kNsFiles = {
    "ns/cgroup", "ns/ipc", "ns/mnt", "ns/net", "ns/pid", "ns/time", "ns/user", "ns/uts"};
constexpr bool NsFilesMatchKinds() {
  for (std::size_t i = 0; i < kNsKindCount; ++i) {
    if (std::string_view(kNsFiles[i]).substr(3) != kNsKindNames[i]) return false;
  }
  return true;
}
static_assert(NsFilesMatchKinds());
std::optional<NsKind> NsKindFromName(std::string_view name);

// 32 bits each, as the kernel has them (ns_common.inum is an unsigned int, nsfs one anonymous
// 32-bit dev_t): a snapshot holds eight per process, and two snapshots live at once.
struct NsId {
  uint32_t dev = 0;  // 0 when only the link text was available (fixtures, degraded reads)
  uint32_t ino = 0;  // 0 = unknown (gone, as for a zombie's net/ipc/uts, or unreadable)

  bool known() const { return ino != 0; }
  // Same namespace. A missing device on either side (link text only) compares inodes alone.
  bool SameAs(const NsId& other) const {
    return known() && ino == other.ino && (dev == 0 || other.dev == 0 || dev == other.dev);
  }
  friend bool operator==(const NsId&, const NsId&) = default;
  // (dev, ino) as one number, for grouping by exact identity.
  uint64_t Key() const { return (uint64_t{dev} << 32) | ino; }
};

using NsSet = std::array<NsId, kNsKindCount>;

inline const NsId& NsOf(const NsSet& set, NsKind kind) {
  return set[static_cast<std::size_t>(kind)];
}
inline NsId& NsOf(NsSet& set, NsKind kind) { return set[static_cast<std::size_t>(kind)]; }

struct NsLink {
  NsKind kind;
  uint32_t ino;
};

// Parses the target of a /proc/PID/ns/<kind> link: "net:[4026531992]".
Expected<NsLink> ParseNsLink(std::string_view target);

struct KernelVersion {
  int major = 0;
  int minor = 0;
};

// "6.1.0-13-amd64" -> {6, 1}; nullopt when the release does not start with major.minor.
std::optional<KernelVersion> ParseKernelRelease(std::string_view release);

// The inode the kernel gives the initial namespace of `kind`, where it is fixed
// (include/linux/proc_ns.h, PROC_*_INIT_INO): ipc, uts, user and pid since Linux 3.8, cgroup
// since 4.6, time since 5.6, net and mnt since 6.18. Before that, or for an unknown kernel,
// nullopt: the initial namespace is numbered like any other and can only be read from a
// process in it. Dynamic numbers start at 0xF0000000, so a fixed one is never another's.
std::optional<uint32_t> InitialNamespaceInode(NsKind kind, std::optional<KernelVersion> kernel);

}  // namespace cproc
