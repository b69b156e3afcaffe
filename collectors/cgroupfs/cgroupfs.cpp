#include "collectors/cgroupfs/cgroupfs.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include "collectors/base/parse_util.h"
#include "collectors/base/proc_files.h"
#include "collectors/cgroupfs/flat_keyed.h"
#include "collectors/cgroupfs/pids_cgroup.h"

namespace cproc {
namespace {

// Whether the cgroup2 root `dir` offers `controller`: a v2 file such as memory.events exists only
// where the controller is enabled, and on a hybrid host memory is usually bound to v1 instead.
bool ListsController(const std::string& dir, std::string_view controller) {
  std::string text;
  if (ReadFileAt(AT_FDCWD, (dir + "/cgroup.controllers").c_str(), text) != ReadResult::kOk) {
    return false;
  }
  std::string_view rest = TrimSpace(text);
  while (!rest.empty()) {
    if (NextToken(rest, ' ') == controller) return true;
  }
  return false;
}

// Closes the kept files of cgroups not read since the last call; marks the others unread.
template <typename Map>
void EraseUnread(Map& open) {
  for (auto it = open.begin(); it != open.end();) {
    if (!it->second.read) {
      it = open.erase(it);
    } else {
      it->second.read = false;
      ++it;
    }
  }
}

}  // namespace

bool IsSafeCgroupPath(std::string_view path) {
  if (path.empty() || path.front() != '/') return false;
  std::string_view rest = path.substr(1);
  while (!rest.empty()) {
    const std::string_view component = NextToken(rest, '/');
    if (component == "." || component == "..") return false;
  }
  return true;
}

CgroupFs::CgroupFs(const std::string& sysfs, DescriptorBudget* budget)
    : budget_(budget != nullptr ? *budget : unbounded_) {
  const std::string root = sysfs + "/fs/cgroup";
  if (::access((root + "/cgroup.controllers").c_str(), F_OK) == 0) {
    pids_roots_.push_back(root);  // pure cgroup v2
    if (ListsController(root, "memory")) memory_roots_.push_back({root, "memory.events"});
  } else {
    pids_roots_.push_back(root + "/pids");     // v1 (and hybrid) pids hierarchy
    pids_roots_.push_back(root + "/unified");  // hybrid: pids may be enabled on cgroup2 instead
    if (::access((root + "/memory").c_str(), R_OK | X_OK) == 0) {
      memory_roots_.push_back({root + "/memory", "memory.oom_control"});
    }
    if (ListsController(root + "/unified", "memory")) {
      memory_roots_.push_back({root + "/unified", "memory.events"});
    }
  }
  for (const std::string& candidate : pids_roots_) {
    pids_available_ = pids_available_ || ::access(candidate.c_str(), R_OK | X_OK) == 0;
  }
}

std::pair<std::string_view, bool> StripNamespaceParents(std::string_view path) {
  bool stripped = false;
  while (path.starts_with("/..") && (path.size() == 3 || path[3] == '/')) {
    path.remove_prefix(3);
    stripped = true;
  }
  return {path, stripped};
}

std::optional<std::string> CgroupFs::Locate(const std::string& root, std::string_view suffix) {
  const std::string key = root + "\n" + std::string(suffix);
  if (auto it = located_.find(key); it != located_.end()) return it->second;
  // Breadth-first over the mounted tree, bounded: cgroup trees are hundreds to a few thousand
  // directories, and this runs once per container, not per scan.
  constexpr std::size_t kMaxDirectories = 100000;
  constexpr int kMaxDepth = 12;
  std::vector<std::pair<std::string, int>> queue = {{"", 0}};
  std::optional<std::string> found;
  bool ambiguous = false;
  for (std::size_t next = 0; next < queue.size() && queue.size() < kMaxDirectories; ++next) {
    const auto [relative, depth] = queue[next];
    if (std::string_view(relative).ends_with(suffix) && relative.size() >= suffix.size()) {
      ambiguous = found.has_value();
      found = relative;
    }
    if (depth >= kMaxDepth) continue;
    DIR* dir = ::opendir((root + relative).c_str());
    if (dir == nullptr) continue;
    while (const dirent* entry = ::readdir(dir)) {
      if (entry->d_type == DT_DIR && entry->d_name[0] != '.') {
        queue.emplace_back(relative + "/" + entry->d_name, depth + 1);
      }
    }
    ::closedir(dir);
  }
  if (ambiguous) found.reset();
  if (located_.size() > 10000) located_.clear();  // bound the cache; it refills on demand
  located_[key] = found;
  return found;
}

std::optional<std::string> CgroupFs::Directory(const std::string& root,
                                               std::string_view cgroup_path) {
  const auto [suffix, relative_to_namespace] = StripNamespaceParents(cgroup_path);
  std::string path(cgroup_path);
  if (relative_to_namespace) {
    if (suffix.empty()) return std::nullopt;
    auto located = Locate(root, suffix);
    if (!located) return std::nullopt;
    path = *located;
  }
  if (!IsSafeCgroupPath(path)) return std::nullopt;
  return root + path;
}

std::optional<CgroupFs::OpenedFiles> CgroupFs::Open(std::string_view cgroup_path) {
  for (const std::string& root : pids_roots_) {
    const auto dir = Directory(root, cgroup_path);
    if (!dir) continue;
    OpenedFiles files;
    files.max = OpenAt(AT_FDCWD, (*dir + "/pids.max").c_str());
    if (!files.max.valid()) continue;
    files.current = OpenAt(AT_FDCWD, (*dir + "/pids.current").c_str());
    files.events = OpenAt(AT_FDCWD, (*dir + "/pids.events").c_str());
    return files;
  }
  return std::nullopt;
}

template <typename Files>
std::optional<PidsUsage> CgroupFs::ReadOpen(const Files& files) {
  PidsUsage usage;
  if (PreadOnePiece(files.max.get(), text_) != ReadResult::kOk) return std::nullopt;
  if (auto limit = ParsePidsMax(text_)) usage.limit = *limit;
  if (files.current.valid() && PreadOnePiece(files.current.get(), text_) == ReadResult::kOk) {
    if (auto current = ParsePidsCurrent(text_)) usage.current = *current;
  }
  if (files.events.valid() && PreadOnePiece(files.events.get(), text_) == ReadResult::kOk) {
    if (auto hits = ParsePidsEventsMax(text_)) usage.limit_hits = *hits;
  }
  return usage;
}

PidsUsage CgroupFs::ReadPids(std::string_view cgroup_path) {
  std::string key(cgroup_path);
  if (auto it = open_.find(key); it != open_.end()) {
    if (auto usage = ReadOpen(it->second)) {
      it->second.read = true;
      return *usage;
    }
    // A kept file of a cgroup that was removed (and maybe made again at the same path, as on
    // `docker restart`) fails with ENODEV: forget it and open the files again.
    open_.erase(it);
  }
  auto files = Open(cgroup_path);
  if (!files) return {};
  auto usage = ReadOpen(*files);
  if (!usage) return {};
  // Kept only if the budget has room for all of them; otherwise closed when `files` goes.
  std::size_t needed = 0;
  for (const Fd* fd : {&files->max, &files->current, &files->events}) needed += fd->valid();
  if (budget_.HasRoom(needed)) {
    KeptFiles& kept = open_[std::move(key)];
    kept.max = KeptFd(std::move(files->max), budget_);
    kept.current = KeptFd(std::move(files->current), budget_);
    kept.events = KeptFd(std::move(files->events), budget_);
  }
  return *usage;
}

std::optional<MemoryEvents> CgroupFs::ReadMemoryOpen(int fd, std::string_view name,
                                                     std::string_view cgroup_path) {
  if (PreadOnePiece(fd, text_) != ReadResult::kOk) return std::nullopt;
  MemoryEvents events;
  if (auto kills = ParseFlatKeyedCount(name, text_, "oom_kill")) {
    events.oom_kills = *kills;
  } else if (!warned_memory_parse_) {
    // The same kernel gives every cgroup the same shape: once tells the whole story.
    warned_memory_parse_ = true;
    spdlog::warn("cgroup {}: {}: OOM kills are left out", cgroup_path, kills.error());
  }
  return events;
}

MemoryEvents CgroupFs::ReadMemory(std::string_view cgroup_path) {
  std::string key(cgroup_path);
  if (auto it = memory_open_.find(key); it != memory_open_.end()) {
    if (auto events = ReadMemoryOpen(it->second.events.get(), it->second.name, cgroup_path)) {
      it->second.read = true;
      return *events;
    }
    memory_open_.erase(it);  // its cgroup was removed (ENODEV), maybe made again: open anew
  }
  for (const MemoryRoot& root : memory_roots_) {
    const auto dir = Directory(root.dir, cgroup_path);
    if (!dir) continue;
    Fd fd = OpenAt(AT_FDCWD, (*dir + "/" + std::string(root.events_file)).c_str());
    if (!fd.valid()) continue;
    auto events = ReadMemoryOpen(fd.get(), root.events_file, cgroup_path);
    if (!events) return {};               // gone between the open and the read
    KeptFd kept(std::move(fd), budget_);  // closed here when the budget has no room
    if (kept.valid()) {
      memory_open_[std::move(key)] = KeptMemoryFile{std::move(kept), root.events_file};
    }
    return *events;
  }
  return {};
}

void CgroupFs::ForgetUnread() {
  EraseUnread(open_);
  EraseUnread(memory_open_);
}

}  // namespace cproc
