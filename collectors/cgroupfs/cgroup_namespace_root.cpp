#include "collectors/cgroupfs/cgroup_namespace_root.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <charconv>
#include <deque>

#include "collectors/base/proc_files.h"
#include "collectors/cgroupfs/cgroupfs.h"
#include "collectors/procfs/proc_cgroup.h"

namespace cproc {

std::string HostCgroupPath(std::string_view root, std::string_view path) {
  if (root.empty() || root == "/" || StripNamespaceParents(path).second) return std::string(path);
  std::string host(root);
  if (path != "/") host.append(path);
  return host;
}

std::string NamespaceRootFrom(std::string_view found, std::string_view own) {
  if (own.empty() || own.front() != '/' || StripNamespaceParents(own).second) return "";
  if (own == "/") return found == "/" ? "" : std::string(found);
  // found is root + own; own starts with '/', so the split falls between whole components.
  if (!found.ends_with(own)) return "";
  const std::string_view root = found.substr(0, found.size() - own.size());
  return root.empty() || root.back() == '/' ? "" : std::string(root);
}

namespace {

// Whether `pid` is a line of the cgroup.procs text.
bool ListsPid(std::string_view procs, pid_t pid) {
  while (!procs.empty()) {
    const std::size_t end = procs.find('\n');
    const std::string_view line = procs.substr(0, end);
    pid_t value = 0;
    const auto [ptr, ec] = std::from_chars(line.data(), line.data() + line.size(), value);
    if (ec == std::errc() && ptr == line.data() + line.size() && value == pid) return true;
    if (end == std::string_view::npos) break;
    procs.remove_prefix(end + 1);
  }
  return false;
}

std::string OwnUnifiedPath() {
  std::string text;
  if (ReadFileAt(AT_FDCWD, "/proc/self/cgroup", text) != ReadResult::kOk) return "";
  auto lines = ParseProcCgroup(text);
  if (!lines) return "";
  for (const CgroupLine& line : *lines) {
    if (line.unified()) return line.path;
  }
  return "";
}

std::string UnifiedMount(const std::string& sysfs) {
  // Pure v2 at <sysfs>/fs/cgroup; on a hybrid host cgroup2 is at .../unified.
  for (const std::string& candidate : {sysfs + "/fs/cgroup", sysfs + "/fs/cgroup/unified"}) {
    if (::access((candidate + "/cgroup.controllers").c_str(), F_OK) == 0) return candidate;
  }
  return "";
}

}  // namespace

std::string FindOwnCgroupNamespaceRoot(const std::string& sysfs, std::size_t max_directories) {
  const std::string own = OwnUnifiedPath();
  if (own.empty() || StripNamespaceParents(own).second) return "";
  const std::string mount = UnifiedMount(sysfs);
  if (mount.empty()) return "";
  const pid_t self = ::getpid();
  std::string procs;
  const auto lists_self = [&](const std::string& relative) {
    const std::string path = mount + (relative == "/" ? "" : relative) + "/cgroup.procs";
    return ReadFileAt(AT_FDCWD, path.c_str(), procs) == ReadResult::kOk && ListsPid(procs, self);
  };
  // The common case first: the host's namespace, where the path read is the path in the tree.
  if (lists_self(own)) return "";
  // Breadth first, so a shallow container cgroup is found before a deep walk.
  std::deque<std::string> pending{"/"};
  std::size_t visited = 0;
  while (!pending.empty() && visited < max_directories) {
    const std::string relative = std::move(pending.front());
    pending.pop_front();
    ++visited;
    if ((own == "/" || relative.ends_with(own)) && lists_self(relative)) {
      return NamespaceRootFrom(relative, own);
    }
    const std::string dir_path = mount + (relative == "/" ? "" : relative);
    DIR* dir = ::opendir(dir_path.c_str());
    if (dir == nullptr) continue;  // removed meanwhile, or unreadable: not ours
    while (const dirent* entry = ::readdir(dir)) {
      if (entry->d_type != DT_DIR || entry->d_name[0] == '.') continue;
      pending.push_back((relative == "/" ? "" : relative) + "/" + entry->d_name);
    }
    ::closedir(dir);
  }
  return "";
}

}  // namespace cproc
