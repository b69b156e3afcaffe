#include "collectors/runtimes/runtime_pidfiles.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>

#include "collectors/base/proc_files.h"
#include "collectors/runtimes/host_paths.h"

namespace cproc {
namespace {

// The start time comes from boot time (whole seconds) plus clock ticks; the pidfile's mtime is
// written right after the process started. A reused PID started long after.
constexpr double kStartSlackSeconds = 2;

bool IsHex64(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

int64_t MtimeNs(const struct stat& st) {
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 +
         static_cast<int64_t>(st.st_mtim.tv_nsec);
}

// A small file of the user's: never blocking on a FIFO, only a regular file; `st` is the opened
// file's, so its owner is the owner of what was read.
bool ReadUserFile(const std::string& path, std::string& text, struct stat& st) {
  const Fd fd = OpenRegularFileAt(AT_FDCWD, path.c_str());
  return fd.valid() && ::fstat(fd.get(), &st) == 0 &&
         PreadWhole(fd.get(), text, 64) == ReadResult::kOk;
}

}  // namespace

Expected<int32_t> ParsePidfile(std::string_view text) {
  if (text.ends_with('\n')) text.remove_suffix(1);
  if (text.empty() || text.size() > 10) return Error{"not a PID: '" + std::string(text) + "'"};
  int64_t pid = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return Error{"not a PID: '" + std::string(text) + "'"};
    pid = pid * 10 + (c - '0');
  }
  if (pid <= 0 || pid > INT32_MAX) return Error{"PID out of range: " + std::string(text)};
  return static_cast<int32_t>(pid);
}

PidfileVerdict JudgePidfile(const PidfileContainer& file, const PidfileFacts& facts) {
  // conmon outlives the container's first process only by moments: a file whose PID is not
  // conmon's child is a stopped container's, its PID free for anyone.
  if (!facts.process_found || file.conmon_pid == 0 || facts.ppid != file.conmon_pid) {
    return PidfileVerdict::kNotRunning;
  }
  if (facts.has_cgroup_match) return PidfileVerdict::kHasCgroup;
  // Rootless containers always run in a user namespace their user owns; anything else named by
  // a user's file is somebody else's process.
  if (facts.in_initial_user_ns) return PidfileVerdict::kRejected;
  if (!facts.user_ns_owner) return PidfileVerdict::kUnverified;
  if (*facts.user_ns_owner != file.owner_uid) return PidfileVerdict::kRejected;
  if (facts.start_seconds > file.written_seconds + kStartSlackSeconds) {
    return PidfileVerdict::kRejected;
  }
  return PidfileVerdict::kAttribute;
}

RuntimePidfiles::RuntimePidfiles(std::string rootfs, std::vector<std::string> storage_roots)
    : rootfs_(std::move(rootfs)), roots_(std::move(storage_roots)) {}

const std::vector<std::string>& RuntimePidfiles::IdsIn(const std::string& containers_dir) {
  static const std::vector<std::string> kNone;
  struct stat st {};
  // root's storage is rootful Podman's or CRI-O's, whose containers have cgroups: not listed.
  if (::stat(containers_dir.c_str(), &st) != 0 || st.st_uid == 0) {
    listings_.erase(containers_dir);
    return kNone;
  }
  Listing& listing = listings_[containers_dir];
  if (listing.mtime_ns != MtimeNs(st)) {
    listing.mtime_ns = MtimeNs(st);
    listing.ids.clear();
    for (std::string& name : DirectoryEntries(containers_dir)) {
      if (IsHex64(name)) listing.ids.push_back(std::move(name));
    }
  }
  return listing.ids;
}

void RuntimePidfiles::Update(const std::string& path, const std::string& id) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return;
  Known& known = known_[path];
  known.seen = true;
  if (known.inode == st.st_ino && known.mtime_ns == MtimeNs(st) && known.size == st.st_size) {
    return;
  }
  known.inode = st.st_ino;
  known.mtime_ns = MtimeNs(st);
  known.size = st.st_size;
  known.container.reset();
  std::string text;
  struct stat opened {};
  if (!ReadUserFile(path, text, opened)) return;
  auto pid = ParsePidfile(text);
  if (!pid) return;
  // conmon.pid is written before the pidfile (conmon starts the runtime), so it is current.
  int32_t conmon_pid = 0;
  struct stat conmon_stat {};
  const std::string conmon_path = path.substr(0, path.rfind('/')) + "/conmon.pid";
  if (ReadUserFile(conmon_path, text, conmon_stat) && conmon_stat.st_uid == opened.st_uid) {
    if (auto parsed = ParsePidfile(text)) conmon_pid = *parsed;
  }
  known.container = PidfileContainer{id, *pid, conmon_pid, static_cast<uint32_t>(opened.st_uid),
                                     static_cast<double>(MtimeNs(opened)) * 1e-9};
}

const std::vector<PidfileContainer>& RuntimePidfiles::Refresh() {
  const double now =
      std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
  if (expanded_at_ < 0 || now - expanded_at_ >= kExpandEverySeconds) {
    expanded_ = ExpandHostRoots(rootfs_, roots_);
    expanded_at_ = now;
  }
  for (auto& [path, known] : known_) known.seen = false;
  for (const std::string& root : expanded_) {
    for (const std::string& name : DirectoryEntries(root)) {
      if (!name.ends_with("-containers")) continue;  // overlay-containers, vfs-containers, ...
      const std::string dir = root + "/" + name;
      for (const std::string& id : IdsIn(dir)) Update(dir + "/" + id + "/userdata/pidfile", id);
    }
  }
  std::erase_if(known_, [](const auto& item) { return !item.second.seen; });
  current_.clear();
  for (const auto& [path, known] : known_) {
    if (known.container) current_.push_back(*known.container);
  }
  return current_;
}

}  // namespace cproc
