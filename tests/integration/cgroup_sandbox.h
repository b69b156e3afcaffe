// Real cgroups and processes for integration tests: directories created under a cgroup
// hierarchy are removed again (leaf first), children are killed and reaped by PID.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace cproc::testing {

// The cgroup hierarchies of this host: v1 "pids" and the unified (v2) one, where mounted.
struct CgroupHierarchies {
  std::string v1_pids;  // "" when absent
  std::string v2;       // "" when absent

  static CgroupHierarchies Detect() {
    CgroupHierarchies h;
    namespace fs = std::filesystem;
    std::error_code ec;
    if (fs::exists("/sys/fs/cgroup/cgroup.controllers", ec)) {
      h.v2 = "/sys/fs/cgroup";
    } else {
      if (fs::exists("/sys/fs/cgroup/unified/cgroup.procs", ec)) h.v2 = "/sys/fs/cgroup/unified";
      if (fs::exists("/sys/fs/cgroup/pids/cgroup.procs", ec)) h.v1_pids = "/sys/fs/cgroup/pids";
    }
    return h;
  }
};

// Creates the directories of one cgroup path in one hierarchy; removes what it created.
class CgroupDir {
 public:
  CgroupDir(std::string root, const std::string& path) : root_(std::move(root)) {
    std::string current = root_;
    std::size_t begin = 1;
    while (begin <= path.size()) {
      std::size_t end = path.find('/', begin);
      if (end == std::string::npos) end = path.size();
      current += "/" + path.substr(begin, end - begin);
      if (::mkdir(current.c_str(), 0755) == 0) created_.push_back(current);
      begin = end + 1;
    }
    full_ = current;
  }
  ~CgroupDir() {
    for (auto it = created_.rbegin(); it != created_.rend(); ++it) ::rmdir(it->c_str());
  }
  CgroupDir(const CgroupDir&) = delete;
  CgroupDir& operator=(const CgroupDir&) = delete;

  bool ok() const { return ::access((full_ + "/cgroup.procs").c_str(), W_OK) == 0; }
  bool Add(pid_t pid) const {
    std::ofstream procs(full_ + "/cgroup.procs");
    procs << pid << std::flush;
    return procs.good();
  }

 private:
  std::string root_;
  std::string full_;
  std::vector<std::string> created_;
};

// A child that waits on a pipe until destroyed: killed and reaped by its PID.
class IdleChild {
 public:
  IdleChild() {
    int fds[2];
    if (::pipe(fds) != 0) return;
    pid_ = ::fork();
    if (pid_ == 0) {
      ::close(fds[1]);
      char byte;
      while (::read(fds[0], &byte, 1) < 0) {
      }
      ::_exit(0);
    }
    ::close(fds[0]);
    write_end_ = fds[1];
  }
  ~IdleChild() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    if (write_end_ >= 0) ::close(write_end_);
  }
  IdleChild(const IdleChild&) = delete;
  IdleChild& operator=(const IdleChild&) = delete;

  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  int write_end_ = -1;
};

}  // namespace cproc::testing
