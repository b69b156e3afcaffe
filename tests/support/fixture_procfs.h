// Builds a fake procfs tree in a temporary directory: stat and cgroup files and ns links shaped
// like the kernel's, so the scanner can be tested without root and with exact expectations.
#pragma once

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

namespace cproc::testing {

class FixtureProcfs {
 public:
  FixtureProcfs() {
    char dir[] = "/tmp/cproc-procfs-XXXXXX";
    if (::mkdtemp(dir) == nullptr) std::abort();
    root_ = dir;
  }
  ~FixtureProcfs() {
    std::error_code ignored;
    std::filesystem::remove_all(root_, ignored);
  }
  FixtureProcfs(const FixtureProcfs&) = delete;
  FixtureProcfs& operator=(const FixtureProcfs&) = delete;

  const std::string& root() const { return root_; }

  // Writes in place (same inode), as the kernel's files change under a kept-open descriptor.
  void Write(const std::string& relative, const std::string& content) const {
    const std::filesystem::path path = root_ + "/" + relative;
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path, std::ios::trunc) << content;
  }

  void Stat(int pid, const std::string& comm, char state, int ppid, uint64_t start_ticks,
            int threads = 1) const {
    Write(std::to_string(pid) + "/stat",
          std::to_string(pid) + " (" + comm + ") " + state + " " + std::to_string(ppid) +
              " 1 1 0 -1 4194560 0 0 0 0 1 2 0 0 20 0 " + std::to_string(threads) + " 0 " +
              std::to_string(start_ticks) +
              " 4096 3 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 "
              "0 17 0 0 0 0 0 0\n");
  }

  void Cgroup(int pid, const std::string& content) const {
    Write(std::to_string(pid) + "/cgroup", content);
  }

  // ns links as plain symlinks "kind:[inode]"; kinds mapped to 0 are left out (a zombie's).
  void Namespaces(int pid, const std::map<std::string, uint64_t>& inodes) const {
    const std::string dir = root_ + "/" + std::to_string(pid) + "/ns";
    std::filesystem::create_directories(dir);
    for (const auto& [kind, ino] : inodes) {
      const std::string link = dir + "/" + kind;
      std::filesystem::remove(link);
      if (ino != 0) ::symlink((kind + ":[" + std::to_string(ino) + "]").c_str(), link.c_str());
    }
  }

 private:
  std::string root_;
};

// ns inodes for Namespaces(): the host's, as a kernel numbers its initial namespaces.
inline std::map<std::string, uint64_t> HostNs() {
  return {{"pid", 4026531836}, {"net", 4026531840},  {"mnt", 4026531841},   {"ipc", 4026531839},
          {"uts", 4026531838}, {"user", 4026531837}, {"cgroup", 4026531835}};
}

// A container's own namespaces, numbered from `base`; its user namespace is the host's.
inline std::map<std::string, uint64_t> ContainerNs(uint64_t base) {
  return {{"pid", base},     {"net", base + 1},    {"mnt", base + 2},   {"ipc", base + 3},
          {"uts", base + 4}, {"user", 4026531837}, {"cgroup", base + 5}};
}

}  // namespace cproc::testing
