// Real processes in fresh namespaces and cgroups named like a container runtime's, for the
// scanner's integration tests (root only). Everything gets a unique name and is removed by RAII
// even when a CHECK fails: only processes forked here are signalled (by pid), only cgroup
// directories created here are removed. Header-only so the test target needs no extra source.
//
// Also a few independent readers of /proc (stat, cgroup, ns inodes, NSpid): the tests compute
// what the scanner should report from the kernel itself, not from the scanner's own parsers.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "collectors/base/expected.h"
#include "collectors/base/proc_files.h"

// Nested: the other integration tests have their own helpers in cproc::testing.
namespace cproc::testing::kernel {

// ---------------------------------------------------------------------------------------------
// Small utilities.

inline std::string ErrnoText(const std::string& what) { return what + ": " + std::strerror(errno); }

// Calls `done` every 10 ms until it returns true or `limit` passes (bounded in count and time).
template <typename Predicate>
bool PollFor(std::chrono::milliseconds limit, Predicate done) {
  constexpr std::chrono::milliseconds kStep{10};
  const auto deadline = std::chrono::steady_clock::now() + limit;
  const auto attempts = limit / kStep + 1;
  for (decltype(limit / kStep) i = 0; i < attempts; ++i) {
    if (done()) return true;
    if (std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(kStep);
  }
  return done();
}

// `length` random lower-case hex digits: unique names for cgroups and container ids.
// Forks a child that runs `child` and exits 127 if it returns. With a reader thread running,
// `child` may make async-signal-safe calls only.
template <typename Child>
pid_t ForkChild(Child child) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    child();
    ::_exit(127);
  }
  return pid;
}

inline std::string RandomHex(std::size_t length) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::random_device device;
  std::uniform_int_distribution<int> digit(0, 15);
  std::string out(length, '0');
  for (char& c : out) c = kDigits[digit(device)];
  return out;
}

inline std::optional<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

inline std::string ProcPath(pid_t pid, const std::string& file) {
  return "/proc/" + std::to_string(pid) + "/" + file;
}

// ---------------------------------------------------------------------------------------------
// Independent readers of /proc.

// The fields of /proc/PID/stat the scanner reports (proc_pid_stat(5)).
struct KernelStat {
  std::string comm;
  char state = '?';
  int32_t ppid = 0;
  uint32_t threads = 0;
};

inline std::optional<KernelStat> ReadKernelStat(pid_t pid) {
  const auto text = ReadWholeFile(ProcPath(pid, "stat"));
  if (!text) return std::nullopt;
  // comm may hold spaces and ')': it runs from the first '(' to the last ')'.
  const auto open = text->find('(');
  const auto close = text->rfind(')');
  if (open == std::string::npos || close == std::string::npos || close < open) return std::nullopt;
  KernelStat stat;
  stat.comm = text->substr(open + 1, close - open - 1);
  std::istringstream rest(text->substr(close + 1));
  std::vector<std::string> fields;  // fields[0] is field 3 (state)
  std::string field;
  for (int i = 0; i < 64 && rest >> field; ++i) fields.push_back(field);
  constexpr std::size_t kThreadsIndex = 20 - 3;  // num_threads is field 20
  if (fields.size() <= kThreadsIndex || fields[0].size() != 1) return std::nullopt;
  stat.state = fields[0][0];
  stat.ppid = static_cast<int32_t>(std::stol(fields[1]));
  stat.threads = static_cast<uint32_t>(std::stoul(fields[kThreadsIndex]));
  return stat;
}

// One line of /proc/PID/cgroup: "hierarchy-id:controllers:path".
struct KernelCgroupLine {
  std::string hierarchy;    // "0" for the cgroup2 line
  std::string controllers;  // "pids", "name=systemd", "" for cgroup2
  std::string path;
};

inline std::vector<KernelCgroupLine> ReadKernelCgroup(pid_t pid) {
  std::vector<KernelCgroupLine> lines;
  const auto text = ReadWholeFile(ProcPath(pid, "cgroup"));
  if (!text) return lines;
  std::istringstream in(*text);
  std::string line;
  for (int i = 0; i < 64 && std::getline(in, line); ++i) {
    const auto first = line.find(':');
    const auto second = first == std::string::npos ? first : line.find(':', first + 1);
    if (second == std::string::npos) continue;
    lines.push_back({line.substr(0, first), line.substr(first + 1, second - first - 1),
                     line.substr(second + 1)});
  }
  return lines;
}

// Whether a line of /proc/PID/cgroup has exactly this path.
inline bool HasCgroupLine(pid_t pid, const std::string& path) {
  const auto lines = ReadKernelCgroup(pid);
  return std::any_of(lines.begin(), lines.end(),
                     [&](const KernelCgroupLine& line) { return line.path == path; });
}

// No line of /proc/PID/cgroup mentions `marker` (the container id): only a fallback can tie
// this process to its container. False when the file is unreadable (no evidence either way).
inline bool NoCgroupLineMentions(pid_t pid, const std::string& marker) {
  const auto lines = ReadKernelCgroup(pid);
  return !lines.empty() && std::none_of(lines.begin(), lines.end(), [&](const auto& line) {
    return line.path.find(marker) != std::string::npos;
  });
}

// The inode of /proc/PID/ns/<kind> as stat(2) sees it; nullopt with errno set when unreadable.
inline std::optional<uint64_t> NsInode(pid_t pid, const char* kind) {
  struct stat st {};
  if (::stat(ProcPath(pid, std::string("ns/") + kind).c_str(), &st) != 0) return std::nullopt;
  return static_cast<uint64_t>(st.st_ino);
}

// NSpid of /proc/PID/status: the pid in each PID namespace, outermost first.
inline std::vector<int32_t> ReadNsPids(pid_t pid) {
  std::vector<int32_t> pids;
  const auto text = ReadWholeFile(ProcPath(pid, "status"));
  if (!text) return pids;
  const auto at = text->find("\nNSpid:");
  if (at == std::string::npos) return pids;
  std::istringstream in(text->substr(at + 7, text->find('\n', at + 1) - at - 7));
  long value = 0;
  for (int i = 0; i < 64 && in >> value; ++i) pids.push_back(static_cast<int32_t>(value));
  return pids;
}

// Host pids of the children of `pid`: /proc/PID/task/PID/children, or (kernels without
// CONFIG_PROC_CHILDREN) every process whose parent it is.
inline std::vector<pid_t> ChildrenOf(pid_t pid) {
  std::vector<pid_t> children;
  if (auto text = ReadWholeFile(ProcPath(pid, "task/" + std::to_string(pid) + "/children"))) {
    std::istringstream in(*text);
    long child = 0;
    for (int i = 0; i < 4096 && in >> child; ++i) children.push_back(static_cast<pid_t>(child));
    return children;
  }
  std::vector<char> buffer;
  std::vector<int32_t> pids;
  Fd proc(::open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!proc.valid() || ListPids(proc.get(), buffer, pids) != ReadResult::kOk) return children;
  for (int32_t candidate : pids) {
    const auto stat = ReadKernelStat(candidate);
    if (stat && stat->ppid == pid) children.push_back(candidate);
  }
  return children;
}

// ---------------------------------------------------------------------------------------------
// Cgroup hierarchies.

// Where this host mounts the hierarchies the tests use (from /proc/self/mounts).
struct CgroupHierarchies {
  std::string v1_pids;     // v1 pids controller, e.g. /sys/fs/cgroup/pids; empty when none
  std::string v1_systemd;  // v1 name=systemd, e.g. /sys/fs/cgroup/systemd; empty when none
  std::string v1_memory;   // v1 memory controller, e.g. /sys/fs/cgroup/memory; empty when none
  std::string v2;          // cgroup2: /sys/fs/cgroup/unified (hybrid) or /sys/fs/cgroup
  bool has_v1() const { return !v1_pids.empty() || !v1_systemd.empty(); }
  // A zombie's v1 lines read "/" while its 0:: line keeps the path (docs/ARCHITECTURE.md "Kernel
  // facts").
  bool hybrid() const { return has_v1() && !v2.empty(); }
};

inline CgroupHierarchies DetectCgroupHierarchies() {
  CgroupHierarchies found;
  const auto mounts = ReadWholeFile("/proc/self/mounts");
  if (!mounts) return found;
  std::istringstream in(*mounts);
  std::string line;
  for (int i = 0; i < 100000 && std::getline(in, line); ++i) {
    std::istringstream fields(line);
    std::string device, mount_point, type, options;
    if (!(fields >> device >> mount_point >> type >> options)) continue;
    if (type == "cgroup2" && found.v2.empty()) found.v2 = mount_point;
    if (type != "cgroup") continue;
    std::istringstream opts(options);
    std::string option;
    for (int j = 0; j < 64 && std::getline(opts, option, ','); ++j) {
      if (option == "pids" && found.v1_pids.empty()) found.v1_pids = mount_point;
      if (option == "name=systemd" && found.v1_systemd.empty()) found.v1_systemd = mount_point;
      if (option == "memory" && found.v1_memory.empty()) found.v1_memory = mount_point;
    }
  }
  return found;
}

// Empty when a child cgroup can be made (and removed) under `root`; else why not.
inline std::string ProbeWritable(const std::string& root) {
  const std::string probe = root + "/cproc-it-probe-" + RandomHex(16);
  if (::mkdir(probe.c_str(), 0755) != 0) return ErrnoText("mkdir " + probe);
  if (::rmdir(probe.c_str()) != 0) return ErrnoText("rmdir " + probe);
  return {};
}

// A cgroup directory made for one test, with whichever parents were missing; removed on
// destruction (after the processes in it are gone: declare it before them).
class ScopedCgroup {
 public:
  // `relative` is the path as /proc/PID/cgroup prints it, e.g. "/docker/<id>". The leaf must
  // not exist yet: a test never shares a cgroup with anything else.
  static Expected<std::unique_ptr<ScopedCgroup>> Create(const std::string& root,
                                                        const std::string& relative) {
    std::unique_ptr<ScopedCgroup> cgroup(new ScopedCgroup(root, relative));
    std::size_t begin = 1;
    for (int i = 0; i < 64 && begin <= relative.size(); ++i) {
      const std::size_t slash = relative.find('/', begin);
      const std::string dir =
          root + relative.substr(0, slash == std::string::npos ? relative.size() : slash);
      const bool leaf = slash == std::string::npos;
      if (::mkdir(dir.c_str(), 0755) == 0) {
        cgroup->created_.push_back(dir);
      } else if (errno != EEXIST || leaf) {
        return Error{ErrnoText("mkdir " + dir)};
      }
      if (leaf) return cgroup;
      begin = slash + 1;
    }
    return Error{"bad cgroup path " + relative};
  }

  ~ScopedCgroup() {
    for (auto it = created_.rbegin(); it != created_.rend(); ++it) {
      const bool leaf = it == created_.rbegin();
      // The leaf is ours alone: a killed task can take a moment to leave it. A parent such as
      // /docker may meanwhile hold someone else's cgroups: then it stays.
      const bool removed = PollFor(std::chrono::milliseconds(leaf ? 3000 : 0),
                                   [&] { return ::rmdir(it->c_str()) == 0 || errno == ENOENT; });
      if (!removed && leaf) {
        std::fprintf(stderr, "kernel_fixture: cannot remove cgroup %s: %s\n", it->c_str(),
                     std::strerror(errno));
      }
    }
  }
  ScopedCgroup(const ScopedCgroup&) = delete;
  ScopedCgroup& operator=(const ScopedCgroup&) = delete;

  // Moves the whole thread group of `pid` here. Empty on success, else why not.
  std::string AddProcess(pid_t pid) const {
    const std::string procs = path_ + "/cgroup.procs";
    Fd fd(::open(procs.c_str(), O_WRONLY | O_CLOEXEC));
    if (!fd.valid()) return ErrnoText("open " + procs);
    const std::string text = std::to_string(pid) + "\n";
    if (::write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
      return ErrnoText("write " + std::to_string(pid) + " to " + procs);
    }
    return {};
  }

  const std::string& path() const { return path_; }          // absolute, under the mount
  const std::string& relative() const { return relative_; }  // as /proc/PID/cgroup shows it

 private:
  ScopedCgroup(const std::string& root, const std::string& relative)
      : path_(root + relative), relative_(relative) {}

  std::string path_;
  std::string relative_;
  std::vector<std::string> created_;  // directories made here, parents first
};

// ---------------------------------------------------------------------------------------------
// A fake container: an init process in fresh namespaces and the given cgroups.

// What `docker run` unshares by default (user and cgroup namespaces aside).
inline constexpr int kContainerNamespaces =
    CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWNS;

inline constexpr char kInitComm[] = "cproc-it-init";
inline constexpr char kSleeperComm[] = "cproc-it-sleep";
inline constexpr char kZombieComm[] = "cproc-it-zombie";
inline constexpr char kMiddleComm[] = "cproc-it-middle";
inline constexpr char kOrphanComm[] = "cproc-it-orphan";
inline constexpr char kReuseComm[] = "cproc-it-reuse";

struct FakeContainerSpec {
  int namespaces = kContainerNamespaces;  // 0: the host's namespaces (like --pid=host)
  bool zombie = true;          // init forks a child that exits at once and never reaps it
  bool sleeper = true;         // init forks a child that sleeps until killed
  bool catch_sigterm = false;  // init installs a SIGTERM handler (SigCgt), as a good init does
  // init forks a "middle" process that forks a sleeping grandchild: killing the middle one
  // (KillMiddle) re-parents the grandchild to init, as orphans are in a container. Needs a
  // PID namespace (else the orphan goes to the nearest subreaper, this test binary).
  bool orphan = false;
  // Joined by init before it forks, so its children start there too (as runc does).
  std::vector<const ScopedCgroup*> cgroups;
  // Namespaces (CLONE_NEW* flags) of process `join_pid` that init starts in, as with
  // `docker run --net=container:X` or `--pid=container:X`: a launcher process joins them with
  // setns(2) and clones init from there (init is then the launcher's child, not this
  // process's). `namespaces` must not name the same kinds. 0: none, init is cloned here.
  pid_t join_pid = 0;
  int join_namespaces = 0;
  // Unshared by that launcher just before the clone: for CLONE_NEWTIME, which clone(2) cannot
  // take (its bit lies in the exit-signal byte) and which applies to the caller's children only.
  int unshare_namespaces = 0;
};

namespace internal {

struct InitArgs {
  int go_read = -1;      // init waits here until it has been moved into its cgroups
  int go_write = -1;     // the parent's end
  int ready_read = -1;   // the parent's end
  int ready_write = -1;  // init reports {zombie, sleeper} pids (in its PID namespace) here
  bool zombie = false;
  bool sleeper = false;
  bool catch_sigterm = false;
  bool orphan = false;
};

// The pids init reports, in its PID namespace.
struct InitReport {
  int32_t zombie = 0;
  int32_t sleeper = 0;
  int32_t middle = 0;
  int32_t orphan = 0;
};

inline void IgnoreSignal(int) {}

// The clone inherits the test binary's signal handlers (doctest catches SIGTERM, SIGSEGV, ...)
// and mask; a container's init starts from exec, with default dispositions and nothing blocked.
inline void ResetSignals(bool catch_sigterm) {
  struct sigaction action {};
  action.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) ::sigaction(sig, &action, nullptr);  // EINVAL: ignored
  if (catch_sigterm) {
    action.sa_handler = IgnoreSignal;
    ::sigaction(SIGTERM, &action, nullptr);
  }
  sigset_t none;
  ::sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
}

// Keeps the calling process asleep (state S) until a signal kills it. pause() only returns
// for a caught signal and nothing is caught, so the bound is never reached in practice.
[[noreturn]] inline void SleepUntilKilled() {
  for (int i = 0; i < 1000000; ++i) ::pause();
  ::_exit(0);
}

// Runs in the cloned child, which is PID 1 of its PID namespace when one was requested. Only
// async-signal-safe calls, and never returns (that would run the test binary's atexit code).
inline int InitMain(void* raw) {
  const InitArgs& args = *static_cast<const InitArgs*>(raw);
  // If the test binary dies, so does the container: no processes are left behind.
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  ::prctl(PR_SET_NAME, kInitComm);
  ResetSignals(args.catch_sigterm);
  ::close(args.go_write);
  ::close(args.ready_read);
  char go = 0;
  if (::read(args.go_read, &go, 1) != 1) ::_exit(1);  // the parent gave up
  ::close(args.go_read);
  InitReport report;
  if (args.zombie) {
    const pid_t zombie = ::fork();
    if (zombie == 0) {
      ::prctl(PR_SET_NAME, kZombieComm);
      ::_exit(0);
    }
    if (zombie < 0) ::_exit(2);
    // WNOWAIT: learn that it has exited without reaping it, so it stays a zombie.
    siginfo_t info{};
    if (::waitid(P_PID, static_cast<id_t>(zombie), &info, WEXITED | WNOWAIT) != 0) ::_exit(3);
    report.zombie = zombie;
  }
  if (args.sleeper) {
    const pid_t sleeper = ::fork();
    if (sleeper == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      ::prctl(PR_SET_NAME, kSleeperComm);
      ::close(args.ready_write);
      SleepUntilKilled();
    }
    if (sleeper < 0) ::_exit(4);
    report.sleeper = sleeper;
  }
  if (args.orphan) {
    int link[2] = {-1, -1};  // the middle process tells init its child's pid
    if (::pipe(link) != 0) ::_exit(6);
    const pid_t middle = ::fork();
    if (middle == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      ::prctl(PR_SET_NAME, kMiddleComm);
      ::close(args.ready_write);
      ::close(link[0]);
      const pid_t orphan = ::fork();
      if (orphan == 0) {
        // No PDEATHSIG: it must outlive the middle process. It dies with the PID namespace.
        ::prctl(PR_SET_NAME, kOrphanComm);
        ::close(link[1]);
        SleepUntilKilled();
      }
      const int32_t value = orphan;
      if (orphan < 0 ||
          ::write(link[1], &value, sizeof(value)) != static_cast<ssize_t>(sizeof(value))) {
        ::_exit(7);
      }
      ::close(link[1]);
      SleepUntilKilled();
    }
    if (middle < 0) ::_exit(8);
    ::close(link[1]);
    if (::read(link[0], &report.orphan, sizeof(report.orphan)) !=
        static_cast<ssize_t>(sizeof(report.orphan))) {
      ::_exit(9);
    }
    ::close(link[0]);
    report.middle = middle;
  }
  if (::write(args.ready_write, &report, sizeof(report)) != static_cast<ssize_t>(sizeof(report))) {
    ::_exit(5);
  }
  ::close(args.ready_write);
  SleepUntilKilled();
}

// Reaps `pid` if it is (or becomes) our child; gives up after `limit`. ECHILD means someone
// else reaped it (the init of its PID namespace), which is fine.
inline bool ReapChild(pid_t pid, std::chrono::milliseconds limit) {
  return PollFor(limit, [pid] {
    int status = 0;
    const pid_t result = ::waitpid(pid, &status, WNOHANG);
    return result == pid || (result < 0 && errno == ECHILD);
  });
}

// The namespace kinds a helper process can join, in the order it joins them: the user
// namespace first, so that the others (which it may own) are joined with its capabilities.
struct NsFlag {
  int flag;
  const char* name;  // under /proc/PID/ns/
};
inline constexpr NsFlag kJoinOrder[] = {
    {CLONE_NEWUSER, "user"}, {CLONE_NEWCGROUP, "cgroup"}, {CLONE_NEWIPC, "ipc"},
    {CLONE_NEWUTS, "uts"},   {CLONE_NEWNET, "net"},       {CLONE_NEWPID, "pid"},
    {CLONE_NEWNS, "mnt"},    {CLONE_NEWTIME, "time"},
};

// /proc/PID/ns/<kind> of every kind in `flags`, in kJoinOrder; built before a fork, so that the
// forked child only makes system calls.
inline std::vector<std::pair<int, std::string>> NsPathsToJoin(pid_t pid, int flags) {
  std::vector<std::pair<int, std::string>> paths;
  for (const NsFlag& kind : kJoinOrder) {
    if ((flags & kind.flag) != 0) paths.emplace_back(kind.flag, ProcPath(pid, "ns/") + kind.name);
  }
  return paths;
}

// In a forked child: opens every path first (joining the mount namespace would change what the
// later paths mean), then setns(2) into each. Null on success, else the step that failed (errno
// says why). A joined PID or time namespace is the one the caller's children will start in.
inline const char* JoinNamespaces(const std::vector<std::pair<int, std::string>>& paths) {
  int fds[std::size(kJoinOrder)];
  const std::size_t count = std::min(paths.size(), std::size(kJoinOrder));
  for (std::size_t i = 0; i < count; ++i) {
    fds[i] = ::open(paths[i].second.c_str(), O_RDONLY | O_CLOEXEC);
    if (fds[i] < 0) return "open /proc/PID/ns/<kind>";
  }
  for (std::size_t i = 0; i < count; ++i) {
    if (::setns(fds[i], paths[i].first) != 0) return "setns";
    ::close(fds[i]);
  }
  return nullptr;
}

// What the launcher of a FakeContainer reports: init's pid, or why there is none.
struct LaunchReport {
  int32_t init = 0;            // in the launcher's PID namespace (this process's)
  int32_t error = 0;           // errno of the failed step
  const char* step = nullptr;  // a string literal: the launcher is a copy, the address is valid
};

// Processes that call setns(2) or unshare(2) are started with clone(2), not fork(): a
// sanitizer's fork hooks may start a thread in the child (ThreadSanitizer does), and the kernel
// refuses the mount and user namespaces to a multithreaded caller (EINVAL). Without CLONE_VM
// the child runs on its own copy of `stack`.
inline pid_t CloneProcess(int (*main)(void*), void* args, std::vector<char>& stack, int flags) {
  return ::clone(main, stack.data() + stack.size(), flags | SIGCHLD, args);
}

// Called in the test binary before it starts such a process: the child gets a copy of the stdio
// buffers, and a sanitizer's _exit may flush them (ThreadSanitizer's does), printing the
// pending test output once more per child.
inline void FlushBeforeCopy() { std::fflush(nullptr); }

inline constexpr std::size_t kCloneStackBytes = 256 * 1024;

// The end of a process that cloned `child` (a launcher, a probe's helper): waits until the child
// dies, so that the child's parent-death signal is not sent early, then exits. Only system calls.
[[noreturn]] inline void ExitAfter(pid_t child) {
  for (int i = 0; i < 1000; ++i) {  // retried only when a signal interrupts the wait
    int status = 0;
    if (::waitpid(child, &status, 0) >= 0 || errno != EINTR) break;
  }
  ::_exit(0);
}

// One report (a struct) from a pipe, waiting at most 5 s; false on timeout, EOF or a short read.
template <typename Report>
bool ReadReport(int fd, Report& report) {
  struct pollfd readable {
    fd, POLLIN, 0
  };
  return ::poll(&readable, 1, 5000) == 1 &&
         ::read(fd, &report, sizeof(report)) == static_cast<ssize_t>(sizeof(report));
}

// Reaps `pid` (0: none), a child of this process, waiting at most 10 s; says so when it cannot.
inline void ReapOrWarn(pid_t pid) {
  if (pid != 0 && !ReapChild(pid, std::chrono::milliseconds(10000))) {
    std::fprintf(stderr, "kernel_fixture: pid %d not reaped within 10 s\n", pid);
  }
}

struct LauncherArgs {
  const std::vector<std::pair<int, std::string>>* join = nullptr;
  int unshare_flags = 0;
  int clone_flags = 0;
  InitArgs* init = nullptr;
  std::vector<char>* init_stack = nullptr;
  int report_read = -1;
  int report_write = -1;
};

// The launcher (FakeContainerSpec::join_pid): a copy of this process that joins namespaces,
// clones init and waits until init dies, so that init's parent-death signal is not sent early.
// Only system calls, and never returns.
inline int LauncherMain(void* raw) {
  const LauncherArgs& launcher = *static_cast<const LauncherArgs*>(raw);
  const InitArgs& args = *launcher.init;
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // the test binary dies: so do the launcher and init
  ResetSignals(false);
  ::close(launcher.report_read);
  LaunchReport report;
  report.step = JoinNamespaces(*launcher.join);
  if (report.step == nullptr && launcher.unshare_flags != 0 &&
      ::unshare(launcher.unshare_flags) != 0) {
    report.step = "unshare";
  }
  pid_t init = -1;
  if (report.step == nullptr) {
    init = CloneProcess(InitMain, launcher.init, *launcher.init_stack, launcher.clone_flags);
    if (init < 0) report.step = "clone";
  }
  report.error = report.step != nullptr ? errno : 0;
  report.init = init > 0 ? init : 0;
  const bool sent = ::write(launcher.report_write, &report, sizeof(report)) ==
                    static_cast<ssize_t>(sizeof(report));
  // Only init and the test binary keep the pipes: EOF and "init exited" work as without us.
  for (int fd :
       {args.go_read, args.go_write, args.ready_read, args.ready_write, launcher.report_write}) {
    ::close(fd);
  }
  if (!sent || init <= 0) ::_exit(1);
  ExitAfter(init);
}

}  // namespace internal

class FakeContainer {
 public:
  // Clones init into `spec.namespaces`, moves it into `spec.cgroups`, lets it fork its
  // children and waits (at most 5 s) until the kernel shows them in their final states: init
  // and sleeper sleeping (S), the zombie a zombie (Z).
  static Expected<std::unique_ptr<FakeContainer>> Start(const FakeContainerSpec& spec) {
    int go[2] = {-1, -1};
    int ready[2] = {-1, -1};
    if (::pipe2(go, O_CLOEXEC) != 0) return Error{ErrnoText("pipe2")};
    Fd go_read(go[0]);
    Fd go_write(go[1]);
    if (::pipe2(ready, O_CLOEXEC) != 0) return Error{ErrnoText("pipe2")};
    Fd ready_read(ready[0]);
    Fd ready_write(ready[1]);

    internal::InitArgs args{go[0],       go[1],        ready[0],           ready[1],
                            spec.zombie, spec.sleeper, spec.catch_sigterm, spec.orphan};
    std::vector<char> stack(internal::kCloneStackBytes);
    if (spec.join_namespaces != 0 || spec.unshare_namespaces != 0) {
      return StartThroughLauncher(spec, args, stack, std::move(go_read), std::move(go_write),
                                  std::move(ready_read), std::move(ready_write));
    }
    const pid_t init = internal::CloneProcess(internal::InitMain, &args, stack, spec.namespaces);
    if (init < 0) return Error{ErrnoText("clone")};
    std::unique_ptr<FakeContainer> container(new FakeContainer());
    container->init_ = init;
    return Settle(spec, std::move(container), std::move(go_read), std::move(go_write),
                  std::move(ready_read), std::move(ready_write));
  }

 private:
  // The rest of Start(), once init exists: into its cgroups, go, and wait for its children.
  static Expected<std::unique_ptr<FakeContainer>> Settle(const FakeContainerSpec& spec,
                                                         std::unique_ptr<FakeContainer> container,
                                                         Fd go_read, Fd go_write, Fd ready_read,
                                                         Fd ready_write) {
    const pid_t init = container->init_;
    go_read.Reset();
    ready_write.Reset();

    for (const ScopedCgroup* cgroup : spec.cgroups) {
      if (auto error = cgroup->AddProcess(init); !error.empty()) return Error{error};
    }
    if (::write(go_write.get(), "g", 1) != 1) return Error{ErrnoText("write to init")};
    go_write.Reset();

    internal::InitReport report;
    struct pollfd wait_ready {
      ready_read.get(), POLLIN, 0
    };
    if (::poll(&wait_ready, 1, 5000) != 1) return Error{"init did not report within 5 s"};
    if (::read(ready_read.get(), &report, sizeof(report)) != static_cast<ssize_t>(sizeof(report))) {
      return Error{"init exited before reporting its children"};
    }

    // The reported pids are those of init's PID namespace: find the host pids by NSpid.
    for (pid_t child : ChildrenOf(init)) {
      const auto nspids = ReadNsPids(child);
      if (nspids.empty()) continue;
      if (spec.zombie && nspids.back() == report.zombie) container->zombie_ = child;
      if (spec.sleeper && nspids.back() == report.sleeper) container->sleeper_ = child;
      if (spec.orphan && nspids.back() == report.middle) container->middle_ = child;
    }
    if (container->middle_ != 0) {
      for (pid_t child : ChildrenOf(container->middle_)) {
        const auto nspids = ReadNsPids(child);
        if (!nspids.empty() && nspids.back() == report.orphan) container->orphan_ = child;
      }
    }
    if ((spec.zombie && container->zombie_ == 0) || (spec.sleeper && container->sleeper_ == 0) ||
        (spec.orphan && (container->middle_ == 0 || container->orphan_ == 0))) {
      return Error{"children of init " + std::to_string(init) + " not found in /proc"};
    }

    const auto state_is = [](pid_t pid, char state, const char* comm) {
      const auto stat = ReadKernelStat(pid);
      return stat && stat->state == state && stat->comm == comm;
    };
    const bool settled = PollFor(std::chrono::milliseconds(5000), [&] {
      return state_is(init, 'S', kInitComm) &&
             (!spec.zombie || state_is(container->zombie_, 'Z', kZombieComm)) &&
             (!spec.sleeper || state_is(container->sleeper_, 'S', kSleeperComm)) &&
             (!spec.orphan || (state_is(container->middle_, 'S', kMiddleComm) &&
                               state_is(container->orphan_, 'S', kOrphanComm)));
    });
    if (!settled) return Error{"processes of init " + std::to_string(init) + " did not settle"};
    return container;
  }

  // Start() with spec.join_namespaces or spec.unshare_namespaces: init is cloned by a launcher.
  static Expected<std::unique_ptr<FakeContainer>> StartThroughLauncher(
      const FakeContainerSpec& spec, internal::InitArgs& args, std::vector<char>& stack, Fd go_read,
      Fd go_write, Fd ready_read, Fd ready_write) {
    if (spec.join_namespaces != 0 && spec.join_pid <= 0) return Error{"join_namespaces: no pid"};
    const auto join = internal::NsPathsToJoin(spec.join_pid, spec.join_namespaces);
    int report[2] = {-1, -1};
    if (::pipe2(report, O_CLOEXEC) != 0) return Error{ErrnoText("pipe2")};
    Fd report_read(report[0]);
    Fd report_write(report[1]);
    internal::LauncherArgs launcher_args{
        &join, spec.unshare_namespaces, spec.namespaces, &args, &stack, report[0], report[1]};
    std::vector<char> launcher_stack(internal::kCloneStackBytes);
    internal::FlushBeforeCopy();
    const pid_t launcher =
        internal::CloneProcess(internal::LauncherMain, &launcher_args, launcher_stack, 0);
    if (launcher < 0) return Error{ErrnoText("clone")};
    std::unique_ptr<FakeContainer> container(new FakeContainer());
    container->launcher_ = launcher;  // from here on, Stop() kills and reaps what exists
    report_write.Reset();
    internal::LaunchReport launched;
    if (!internal::ReadReport(report_read.get(), launched)) {
      return Error{"the launcher did not report within 5 s"};
    }
    if (launched.init <= 0) {
      errno = launched.error;
      return Error{
          ErrnoText(std::string("launcher: ") + (launched.step != nullptr ? launched.step : "?"))};
    }
    container->init_ = launched.init;
    return Settle(spec, std::move(container), std::move(go_read), std::move(go_write),
                  std::move(ready_read), std::move(ready_write));
  }

 public:
  ~FakeContainer() { Stop(); }
  FakeContainer(const FakeContainer&) = delete;
  FakeContainer& operator=(const FakeContainer&) = delete;

  // Kills and reaps everything Start() made. Idempotent.
  void Stop() {
    if (init_ == 0 && launcher_ == 0) return;
    // init never reaps, so the sleeper's pid cannot have been reused yet.
    for (pid_t pid : {sleeper_, orphan_, middle_}) {
      if (pid != 0) ::kill(pid, SIGKILL);
    }
    if (init_ != 0) {
      ::kill(init_, SIGKILL);
    } else {
      ::kill(launcher_, SIGKILL);  // it never cloned init (Start failed)
    }
    // With a PID namespace, init's death kills and reaps everything inside it before init
    // itself can be reaped. Without one, its orphans are re-parented to this process (a child
    // subreaper, see main.cpp) and reaped here by pid. A launcher exits once it has reaped
    // init, so it goes first: by then init's orphans are this process's children.
    for (pid_t pid : {launcher_, init_, zombie_, sleeper_, middle_, orphan_}) {
      internal::ReapOrWarn(pid);
    }
    launcher_ = init_ = zombie_ = sleeper_ = middle_ = orphan_ = 0;
  }

  // Kills the middle process (spec.orphan) and waits (at most 5 s) until it is a zombie of
  // init and init has adopted the orphan. Empty on success, else why not.
  std::string KillMiddle() {
    if (middle_ == 0) return "no middle process";
    // Safe by pid: init never reaps, so the middle's pid stays its own.
    if (::kill(middle_, SIGKILL) != 0) return ErrnoText("kill middle");
    const bool adopted = PollFor(std::chrono::milliseconds(5000), [&] {
      const auto middle = ReadKernelStat(middle_);
      const auto orphan = ReadKernelStat(orphan_);
      return middle && middle->state == 'Z' && orphan && orphan->ppid == init_;
    });
    return adopted ? "" : "orphan not adopted by init within 5 s";
  }

  pid_t init() const { return init_; }
  pid_t zombie() const { return zombie_; }      // 0 when not requested
  pid_t sleeper() const { return sleeper_; }    // 0 when not requested
  pid_t middle() const { return middle_; }      // 0 when not requested
  pid_t orphan() const { return orphan_; }      // 0 when not requested
  pid_t launcher() const { return launcher_; }  // 0 unless spec.join_namespaces/unshare_namespaces

  std::vector<pid_t> pids() const {
    std::vector<pid_t> pids;
    for (pid_t pid : {init_, sleeper_, zombie_, middle_, orphan_}) {
      if (pid != 0) pids.push_back(pid);
    }
    return pids;
  }

 private:
  FakeContainer() = default;

  pid_t init_ = 0;
  pid_t zombie_ = 0;
  pid_t sleeper_ = 0;
  pid_t middle_ = 0;
  pid_t orphan_ = 0;
  pid_t launcher_ = 0;  // init's parent when a launcher cloned it (it is not in pids())
};

// A sleeping child of this process in the host's namespaces and cgroups, forked at a chosen
// pid through /proc/sys/kernel/ns_last_pid (the next pid is that value + 1), so a test can make
// the kernel reuse the pid of a process the scanner has seen.
class HostChildAtPid {
 public:
  static Expected<std::unique_ptr<HostChildAtPid>> Start(pid_t wanted) {
    constexpr char kLastPid[] = "/proc/sys/kernel/ns_last_pid";
    // Other processes on the host may fork in between: a few attempts.
    for (int attempt = 0; attempt < 20; ++attempt) {
      {
        Fd last(::open(kLastPid, O_WRONLY | O_CLOEXEC));
        if (!last.valid()) return Error{ErrnoText(std::string("open ") + kLastPid)};
        const std::string text = std::to_string(wanted - 1);
        if (::write(last.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
          return Error{ErrnoText(std::string("write ") + kLastPid)};
        }
      }
      const pid_t pid = ::fork();
      if (pid == 0) {
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        ::prctl(PR_SET_NAME, kReuseComm);
        internal::ResetSignals(false);
        internal::SleepUntilKilled();
      }
      if (pid < 0) return Error{ErrnoText("fork")};
      std::unique_ptr<HostChildAtPid> child(new HostChildAtPid(pid));
      if (pid != wanted) continue;  // someone else got it: this one is killed and reaped
      const bool settled = PollFor(std::chrono::milliseconds(5000), [pid] {
        const auto stat = ReadKernelStat(pid);
        return stat && stat->state == 'S' && stat->comm == kReuseComm;
      });
      if (!settled) return Error{"child " + std::to_string(pid) + " did not settle"};
      return child;
    }
    return Error{"pid " + std::to_string(wanted) + " was taken by other processes 20 times"};
  }

  ~HostChildAtPid() {
    ::kill(pid_, SIGKILL);
    internal::ReapChild(pid_, std::chrono::milliseconds(10000));
  }
  HostChildAtPid(const HostChildAtPid&) = delete;
  HostChildAtPid& operator=(const HostChildAtPid&) = delete;

  pid_t pid() const { return pid_; }

 private:
  explicit HostChildAtPid(pid_t pid) : pid_(pid) {}
  pid_t pid_;
};

// ---------------------------------------------------------------------------------------------
// Process churn.

// Forks and reaps short-lived children on its own thread, in batches, so that while the scanner
// runs pids appear, turn into zombies, vanish between listing and reading, and get reused.
class Churn {
 public:
  Churn(uint32_t max_children, std::chrono::milliseconds max_duration)
      : thread_([this, max_children, max_duration] { Run(max_children, max_duration); }) {}
  ~Churn() { Stop(); }
  Churn(const Churn&) = delete;
  Churn& operator=(const Churn&) = delete;

  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  bool finished() const { return finished_; }
  uint32_t forked() const { return forked_; }
  uint32_t fork_failures() const { return fork_failures_; }

 private:
  void Run(uint32_t max_children, std::chrono::milliseconds max_duration) {
    constexpr std::size_t kBatch = 16;
    const auto deadline = std::chrono::steady_clock::now() + max_duration;
    std::vector<pid_t> batch;
    batch.reserve(kBatch);
    for (uint32_t round = 0; round < max_children && !stop_; round += kBatch) {
      if (std::chrono::steady_clock::now() >= deadline) break;
      for (std::size_t i = 0; i < kBatch; ++i) {
        // Another thread (the scanner) may hold locks: the child only calls _exit.
        const pid_t child = ::fork();
        if (child == 0) ::_exit(0);
        if (child < 0) {
          ++fork_failures_;
          continue;
        }
        batch.push_back(child);
        ++forked_;
      }
      // Blocking: each child exits at once. Retried only when a signal interrupts the wait.
      for (pid_t child : batch) {
        int status = 0;
        for (int attempt = 0; attempt < 100; ++attempt) {
          if (::waitpid(child, &status, 0) >= 0 || errno != EINTR) break;
        }
      }
      batch.clear();
    }
    finished_ = true;
  }

  std::atomic<bool> stop_{false};
  std::atomic<bool> finished_{false};
  std::atomic<uint32_t> forked_{0};
  std::atomic<uint32_t> fork_failures_{0};
  std::thread thread_;  // last: starts after the counters exist
};

// ---------------------------------------------------------------------------------------------
// A process that changes namespaces without exec.

inline constexpr char kProbeComm[] = "cproc-it-probe";
inline constexpr char kProbeChildComm[] = "cproc-it-pchild";

namespace internal {

struct ProbeCommand {
  char op = 0;       // 'u' unshare(flag), 's' setns(open(path), flag), 'f' fork a sleeping child
  int32_t flag = 0;  // one CLONE_NEW* flag
  char path[64] = {};
};

struct ProbeReply {
  int32_t error = 0;  // errno; 0 on success
  int32_t value = 0;  // 'f': the child's pid in the probe's PID namespace
};

struct ProbeArgs {
  int commands_read = -1;
  int commands_write = -1;
  int replies_read = -1;
  int replies_write = -1;
};

// Obeys commands until its command pipe closes. Only system calls, and never returns.
inline int ProbeMain(void* raw) {
  const ProbeArgs& pipes = *static_cast<const ProbeArgs*>(raw);
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // its parent (the helper) dies: so does the probe
  ::prctl(PR_SET_NAME, kProbeComm);
  ::close(pipes.commands_write);
  ::close(pipes.replies_read);
  const int commands = pipes.commands_read;
  const int replies = pipes.replies_write;
  for (int i = 0; i < 100000; ++i) {
    ProbeCommand command;
    if (::read(commands, &command, sizeof(command)) != static_cast<ssize_t>(sizeof(command))) break;
    ProbeReply reply;
    if (command.op == 'u') {
      if (::unshare(command.flag) != 0) reply.error = errno;
    } else if (command.op == 's') {
      const int fd = ::open(command.path, O_RDONLY | O_CLOEXEC);
      if (fd < 0 || ::setns(fd, command.flag) != 0) reply.error = errno;
      if (fd >= 0) ::close(fd);
    } else if (command.op == 'f') {
      const pid_t child = ::fork();
      if (child == 0) {
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        ::prctl(PR_SET_NAME, kProbeChildComm);
        ::close(commands);
        ::close(replies);
        SleepUntilKilled();
      }
      reply.error = child < 0 ? errno : 0;
      reply.value = child;
    } else {
      reply.error = EINVAL;
    }
    if (::write(replies, &reply, sizeof(reply)) != static_cast<ssize_t>(sizeof(reply))) break;
  }
  ::_exit(0);
}

struct ProbeHelperArgs {
  const std::vector<std::pair<int, std::string>>* join = nullptr;
  ProbeArgs* probe = nullptr;
  std::vector<char>* probe_stack = nullptr;
};

// The probe's parent: joins, clones the probe, reports its pid and waits until it dies.
inline int ProbeHelperMain(void* raw) {
  const ProbeHelperArgs& helper = *static_cast<const ProbeHelperArgs*>(raw);
  const ProbeArgs& pipes = *helper.probe;
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // the test binary dies: so do the helper and the probe
  ResetSignals(false);
  ProbeReply report;
  pid_t probe = -1;
  if (JoinNamespaces(*helper.join) == nullptr) {
    probe = CloneProcess(ProbeMain, helper.probe, *helper.probe_stack, 0);
  }
  report.error = probe > 0 ? 0 : errno;
  report.value = probe > 0 ? probe : 0;
  const bool sent =
      ::write(pipes.replies_write, &report, sizeof(report)) == static_cast<ssize_t>(sizeof(report));
  for (int fd :
       {pipes.commands_read, pipes.commands_write, pipes.replies_read, pipes.replies_write}) {
    ::close(fd);
  }
  if (!sent || probe <= 0) ::_exit(1);
  ExitAfter(probe);
}

}  // namespace internal

// What nsenter does, one step at a time: a helper process (in this process's cgroups) joins the
// namespaces of `join_pid` with setns(2) and clones the probe, which is then in all of them, its
// PID namespace included (setns gives that one to children only). The probe then unshares,
// joins namespaces and forks on command, without exec: only a periodic re-read by the scanner
// can see what changed. Killed and reaped by pid on destruction, with its children.
class NsProbe {
 public:
  static Expected<std::unique_ptr<NsProbe>> Start(pid_t join_pid, int join_namespaces) {
    const auto join = internal::NsPathsToJoin(join_pid, join_namespaces);
    int commands[2] = {-1, -1};
    int replies[2] = {-1, -1};
    if (::pipe2(commands, O_CLOEXEC) != 0) return Error{ErrnoText("pipe2")};
    Fd commands_read(commands[0]);
    Fd commands_write(commands[1]);
    if (::pipe2(replies, O_CLOEXEC) != 0) return Error{ErrnoText("pipe2")};
    Fd replies_read(replies[0]);
    Fd replies_write(replies[1]);
    internal::ProbeArgs pipes{commands[0], commands[1], replies[0], replies[1]};
    std::vector<char> probe_stack(internal::kCloneStackBytes);
    internal::ProbeHelperArgs helper_args{&join, &pipes, &probe_stack};
    std::vector<char> helper_stack(internal::kCloneStackBytes);
    internal::FlushBeforeCopy();
    const pid_t helper =
        internal::CloneProcess(internal::ProbeHelperMain, &helper_args, helper_stack, 0);
    if (helper < 0) return Error{ErrnoText("clone")};
    std::unique_ptr<NsProbe> probe(new NsProbe());
    probe->helper_ = helper;
    commands_read.Reset();
    replies_write.Reset();
    probe->commands_ = std::move(commands_write);
    probe->replies_ = std::move(replies_read);
    // The helper's report: the probe's pid, or why there is none.
    auto started = probe->Receive();
    if (!started) return Error{started.error()};
    if (started->value <= 0) {
      errno = started->error;
      return Error{ErrnoText("probe helper: setns into the namespaces of " +
                             std::to_string(join_pid) + " or clone")};
    }
    probe->probe_ = started->value;
    const bool settled = PollFor(std::chrono::milliseconds(5000), [&] {
      const auto stat = ReadKernelStat(probe->probe_);
      return stat && stat->comm == kProbeComm && stat->state == 'S';
    });
    if (!settled) return Error{"probe " + std::to_string(probe->probe_) + " did not settle"};
    return probe;
  }

  ~NsProbe() {
    for (pid_t child : children_) ::kill(child, SIGKILL);  // the probe never reaps them
    // Never kill(0, ...): that would be this process group.
    const pid_t first = probe_ != 0 ? probe_ : helper_;
    if (first > 0) ::kill(first, SIGKILL);
    // The helper exits once it has reaped the probe; by then the probe's orphans are this
    // process's children (it is a child subreaper) or belong to the init of their namespace.
    for (pid_t pid : {helper_, probe_}) internal::ReapOrWarn(pid);
    for (pid_t child : children_) internal::ReapChild(child, std::chrono::milliseconds(10000));
  }
  NsProbe(const NsProbe&) = delete;
  NsProbe& operator=(const NsProbe&) = delete;

  // unshare(2) of one CLONE_NEW* kind in the probe. Empty on success, else why not.
  std::string Unshare(int flag) {
    internal::ProbeCommand command;
    command.op = 'u';
    command.flag = flag;
    return Outcome(Send(command), "unshare");
  }

  // setns(2) into the namespaces of `target` of the kinds in `flags`, in the probe (paths as
  // this process sees them: the probe's /proc must be the same procfs, as it is when no PID
  // namespace remounted it). Empty on success, else why not.
  std::string Join(pid_t target, int flags) {
    for (const auto& [flag, path] : internal::NsPathsToJoin(target, flags)) {
      internal::ProbeCommand command;
      command.op = 's';
      command.flag = flag;
      if (path.size() >= sizeof(command.path)) return "path too long: " + path;
      std::memcpy(command.path, path.c_str(), path.size() + 1);
      if (auto error = Outcome(Send(command), "setns " + path); !error.empty()) return error;
    }
    return {};
  }

  // A child of the probe that sleeps until killed, in the probe's namespaces (a PID namespace
  // the probe joined or unshared is the child's). Its pid as this process sees it.
  Expected<pid_t> ForkSleeper() {
    internal::ProbeCommand command;
    command.op = 'f';
    auto reply = Send(command);
    if (!reply) return Error{reply.error()};
    if (reply->error != 0) {
      errno = reply->error;
      return Error{ErrnoText("fork in the probe")};
    }
    // The probe sees the child in its own PID namespace: the entry of NSpid at its level.
    const std::size_t level = ReadNsPids(probe_).size();
    pid_t found = 0;
    for (pid_t child : ChildrenOf(probe_)) {
      const auto nspids = ReadNsPids(child);
      if (level > 0 && nspids.size() >= level && nspids[level - 1] == reply->value) found = child;
    }
    if (found == 0) return Error{"the probe's child is not in /proc"};
    children_.push_back(found);
    const bool settled = PollFor(std::chrono::milliseconds(5000), [&] {
      const auto stat = ReadKernelStat(found);
      return stat && stat->comm == kProbeChildComm && stat->state == 'S';
    });
    if (!settled) return Error{"the probe's child " + std::to_string(found) + " did not settle"};
    return found;
  }

  pid_t pid() const { return probe_; }      // in the joined namespaces
  pid_t helper() const { return helper_; }  // its parent, in this process's PID namespace

 private:
  NsProbe() = default;

  Expected<internal::ProbeReply> Send(const internal::ProbeCommand& command) {
    if (::write(commands_.get(), &command, sizeof(command)) !=
        static_cast<ssize_t>(sizeof(command))) {
      return Error{ErrnoText("write to the probe")};
    }
    return Receive();
  }

  Expected<internal::ProbeReply> Receive() {
    internal::ProbeReply reply;
    if (!internal::ReadReport(replies_.get(), reply)) {
      return Error{"no reply from the probe within 5 s"};
    }
    return reply;
  }

  static std::string Outcome(const Expected<internal::ProbeReply>& reply, const std::string& what) {
    if (!reply) return reply.error();
    if (reply->error == 0) return {};
    errno = reply->error;
    return ErrnoText(what + " in the probe");
  }

  pid_t helper_ = 0;
  pid_t probe_ = 0;
  std::vector<pid_t> children_;
  Fd commands_;
  Fd replies_;
};

}  // namespace cproc::testing::kernel
