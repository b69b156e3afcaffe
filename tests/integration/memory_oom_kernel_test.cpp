// OOM kills as the memory controller counts them, read by CgroupFs on the real kernel: a process
// the OOM killer kills in a cgroup with a memory limit counts once per kill, read again through
// the kept descriptor; a kill in a child cgroup counts there, and in the parent only on cgroup v2
// (v1's memory.oom_control is not hierarchical); a cgroup removed while its file is kept gives
// no value (unknown), not an error or a stale count.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <optional>
#include <sstream>
#include <string>

#include "collectors/base/proc_files.h"
#include "collectors/cgroupfs/cgroupfs.h"
#include "tests/integration/kernel_fixture.h"
#include "tests/integration/scan_helpers.h"
#include "tests/integration/skip.h"

namespace {

using namespace cproc::testing::kernel;

// Where CgroupFs("/sys") looks for the memory controller, and the file that counts the kills.
struct MemoryHierarchy {
  std::string root;  // "" when there is none this test can use
  std::string file;  // memory.oom_control (v1) or memory.events (v2)
  bool v2 = false;
};

MemoryHierarchy FindMemoryHierarchy() {
  const auto& h = Hierarchies();
  if (h.v1_memory == "/sys/fs/cgroup/memory") return {h.v1_memory, "memory.oom_control", false};
  if (h.v2 == "/sys/fs/cgroup" || h.v2 == "/sys/fs/cgroup/unified") {
    const auto enabled = ReadWholeFile(h.v2 + "/cgroup.subtree_control");
    if (enabled && enabled->find("memory") != std::string::npos) {
      return {h.v2, "memory.events", true};
    }
  }
  return {};
}

std::string WriteCgroupFile(const std::string& path, const std::string& text) {
  cproc::Fd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd.valid()) return ErrnoText("open " + path);
  if (::write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
    return ErrnoText("write '" + text + "' to " + path);
  }
  return {};
}

// Sets the cgroup's memory limit, swap included where the kernel accounts it (without it a host
// with swap would page out instead of killing). Empty on success, else why not.
std::string LimitMemory(const MemoryHierarchy& m, const ScopedCgroup& cgroup,
                        const std::string& bytes) {
  const std::string dir = cgroup.path() + "/";
  if (m.v2) {
    std::string error = WriteCgroupFile(dir + "memory.max", bytes);
    if (error.empty() && ::access((dir + "memory.swap.max").c_str(), F_OK) == 0) {
      error = WriteCgroupFile(dir + "memory.swap.max", "0");
    }
    return error;
  }
  std::string error = WriteCgroupFile(dir + "memory.limit_in_bytes", bytes);
  if (error.empty() && ::access((dir + "memory.memsw.limit_in_bytes").c_str(), F_OK) == 0) {
    error = WriteCgroupFile(dir + "memory.memsw.limit_in_bytes", bytes);
  }
  return error;
}

// The ground truth: the oom_kill line of the kernel's file, read and parsed here on its own.
std::optional<uint64_t> KernelOomKills(const MemoryHierarchy& m, const ScopedCgroup& cgroup) {
  const auto text = ReadWholeFile(cgroup.path() + "/" + m.file);
  if (!text) return std::nullopt;
  std::istringstream lines(*text);
  std::string key;
  uint64_t value = 0;
  while (lines >> key >> value) {
    if (key == "oom_kill") return value;
  }
  return std::nullopt;
}

// Forks a child that joins `cgroup` and touches memory far past its limit; returns its waitpid
// status (SIGKILL when the OOM killer took it), or -1.
int RunMemoryHog(const ScopedCgroup& cgroup) {
  int go[2];
  if (::pipe2(go, O_CLOEXEC) != 0) return -1;
  const pid_t pid = ::fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    ::close(go[1]);
    char byte = 0;
    if (::read(go[0], &byte, 1) != 1) ::_exit(2);  // not moved into the cgroup: do nothing
    constexpr std::size_t kBytes = std::size_t{64} << 20;
    void* mapped = ::mmap(nullptr, kBytes, PROT_READ | PROT_WRITE,
                          MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (mapped == MAP_FAILED) ::_exit(3);
    auto* bytes = static_cast<volatile char*>(mapped);
    for (std::size_t i = 0; i < kBytes; i += 4096) bytes[i] = 1;
    ::_exit(4);  // the limit did not hold
  }
  ::close(go[0]);
  const std::string error = cgroup.AddProcess(pid);
  if (error.empty()) {
    if (::write(go[1], "x", 1) != 1) MESSAGE("could not start the memory hog");
  } else {
    MESSAGE(error);
  }
  ::close(go[1]);
  int status = -1;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return status;
}

bool KilledBySigkill(int status) {
  return status != -1 && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
}

}  // namespace

TEST_SUITE("memory controller") {
  TEST_CASE(
      "OOM kills: one per kill, read through the kept file, unknown once the cgroup is gone") {
    const MemoryHierarchy m = FindMemoryHierarchy();
    if (m.root.empty()) {
      SKIP_CASE(
          "no memory controller under /sys/fs/cgroup (v1 memory, or cgroup2 with memory "
          "in the root's cgroup.subtree_control)");
    }
    if (const std::string why = ProbeWritable(m.root); !why.empty()) SKIP_CASE(why);
    const std::string relative = "/cproc-it-oom-" + RandomHex(16);
    cproc::DescriptorBudget budget(1000);
    cproc::CgroupFs cgroupfs("/sys", &budget);
    REQUIRE(cgroupfs.memory_available());
    auto cgroup = MakeCgroup(m.root, relative);
    const std::string limited = LimitMemory(m, *cgroup, "16777216");
    REQUIRE_MESSAGE(limited.empty(), limited);

    CHECK(KernelOomKills(m, *cgroup) == 0U);
    CHECK(cgroupfs.ReadMemory(relative).oom_kills == 0U);  // read: a real 0
    for (uint64_t kills = 1; kills <= 2; ++kills) {
      const int status = RunMemoryHog(*cgroup);
      REQUIRE_MESSAGE(KilledBySigkill(status), "the memory hog ended with status " << status);
      CHECK(KernelOomKills(m, *cgroup) == kills);
      CHECK(cgroupfs.ReadMemory(relative).oom_kills == kills);
      CHECK(cgroupfs.open_memory_cgroups() == 1);  // the same kept descriptor, read again
    }

    // A cgroup below (what a container may make, and Podman's "/container" child is).
    if (m.v2) {
      const std::string enabled =
          WriteCgroupFile(cgroup->path() + "/cgroup.subtree_control", "+memory");
      if (!enabled.empty()) SKIP_CASE(enabled);
    }
    const std::string child_relative = relative + "/child";
    {
      auto child = MakeCgroup(m.root, child_relative);
      // Below the parent's limit, so that this cgroup's limit is the one reached.
      const std::string child_limited = LimitMemory(m, *child, "8388608");
      REQUIRE_MESSAGE(child_limited.empty(), child_limited);
      const int status = RunMemoryHog(*child);
      REQUIRE_MESSAGE(KilledBySigkill(status), "the memory hog ended with status " << status);
      CHECK(KernelOomKills(m, *child) == 1U);
      CHECK(cgroupfs.ReadMemory(child_relative).oom_kills == 1U);
      const uint64_t parent = m.v2 ? 3 : 2;  // v1 counts a kill only in the victim's own cgroup
      CHECK(KernelOomKills(m, *cgroup) == parent);
      CHECK(cgroupfs.ReadMemory(relative).oom_kills == parent);
      CHECK(cgroupfs.open_memory_cgroups() == 2);
    }
    // The child cgroup was removed: its kept file fails (ENODEV) and nothing is made up.
    CHECK_FALSE(cgroupfs.ReadMemory(child_relative).oom_kills.has_value());
    CHECK(cgroupfs.open_memory_cgroups() == 1);
    cgroup.reset();
    CHECK_FALSE(cgroupfs.ReadMemory(relative).oom_kills.has_value());
    CHECK(cgroupfs.open_memory_cgroups() == 0);
    CHECK(budget.used() == 0);
  }
}
