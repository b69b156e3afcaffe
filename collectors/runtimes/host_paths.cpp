#include "collectors/runtimes/host_paths.h"

#include <dirent.h>
#include <glob.h>
#include <sys/stat.h>

namespace cproc {

std::string HostPath(const std::string& rootfs, const std::string& path) {
  if (rootfs.empty() || rootfs == "/") return path;
  return rootfs + path;
}

bool IsDirectory(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::vector<std::string> ExpandHostRoots(const std::string& rootfs,
                                         const std::vector<std::string>& roots) {
  std::vector<std::string> out;
  out.reserve(roots.size());
  for (const std::string& root : roots) {
    const std::string host = HostPath(rootfs, root);
    if (root.find_first_of("*?[") == std::string::npos) {
      out.push_back(host);
      continue;
    }
    glob_t found{};
    if (::glob(host.c_str(), GLOB_ONLYDIR | GLOB_NOSORT, nullptr, &found) == 0) {
      for (std::size_t i = 0; i < found.gl_pathc; ++i) out.emplace_back(found.gl_pathv[i]);
    }
    ::globfree(&found);
  }
  return out;
}

std::vector<std::string> DirectoryEntries(const std::string& dir) {
  std::vector<std::string> names;
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return names;
  while (const dirent* entry = ::readdir(d)) {
    if (entry->d_name[0] != '.') names.emplace_back(entry->d_name);
  }
  ::closedir(d);
  return names;
}

}  // namespace cproc
