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

#include "collectors/expected.h"
#include "collectors/proc_files.h"

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
  std::string v2;          // cgroup2: /sys/fs/cgroup/unified (hybrid) or /sys/fs/cgroup
  bool has_v1() const { return !v1_pids.empty() || !v1_systemd.empty(); }
  // A zombie's v1 lines read "/" while its 0:: line keeps the path (DESIGN.md §2).
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
    // Without CLONE_VM the child runs on its own copy of this buffer.
    constexpr std::size_t kStackBytes = 256 * 1024;
    std::vector<char> stack(kStackBytes);
    const pid_t init =
        ::clone(internal::InitMain, stack.data() + stack.size(), spec.namespaces | SIGCHLD, &args);
    if (init < 0) return Error{ErrnoText("clone")};
    std::unique_ptr<FakeContainer> container(new FakeContainer());
    container->init_ = init;
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

  ~FakeContainer() { Stop(); }
  FakeContainer(const FakeContainer&) = delete;
  FakeContainer& operator=(const FakeContainer&) = delete;

  // Kills and reaps everything Start() made. Idempotent.
  void Stop() {
    if (init_ == 0) return;
    // init never reaps, so the sleeper's pid cannot have been reused yet.
    for (pid_t pid : {sleeper_, orphan_, middle_}) {
      if (pid != 0) ::kill(pid, SIGKILL);
    }
    ::kill(init_, SIGKILL);
    // With a PID namespace, init's death kills and reaps everything inside it before init
    // itself can be reaped. Without one, its orphans are re-parented to this process (a child
    // subreaper, see main.cpp) and reaped here by pid.
    const pid_t pids[] = {init_, zombie_, sleeper_, middle_, orphan_};
    for (pid_t pid : pids) {
      if (pid != 0 && !internal::ReapChild(pid, std::chrono::milliseconds(10000))) {
        std::fprintf(stderr, "kernel_fixture: pid %d not reaped within 10 s\n", pid);
      }
    }
    init_ = zombie_ = sleeper_ = middle_ = orphan_ = 0;
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
  pid_t zombie() const { return zombie_; }    // 0 when not requested
  pid_t sleeper() const { return sleeper_; }  // 0 when not requested
  pid_t middle() const { return middle_; }    // 0 when not requested
  pid_t orphan() const { return orphan_; }    // 0 when not requested

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

}  // namespace cproc::testing::kernel
