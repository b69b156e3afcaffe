// The process events connector on the real kernel (collectors/events/): children forked here
// exit with known codes, by SIGKILL, or exec /bin/true, and the reader must report exactly
// those forks, that exec and each exit's outcome, filtered by the children's pids. Then a tiny
// receive buffer and a burst of forks: the loss counters must move. Where the connector cannot
// run (no CONFIG_PROC_EVENTS, another namespace), each case says it is skipped and why.
#include <doctest/doctest.h>
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "collectors/events/proc_connector.h"
#include "tests/integration/kernel_fixture.h"
#include "tests/integration/skip.h"

namespace {

using cproc::ExitOutcome;
using cproc::ProcConnector;
using cproc::ProcConnectorOptions;
using cproc::ProcEvent;
using cproc::ProcEventKind;
using cproc::testing::kernel::ForkChild;
using cproc::testing::kernel::PollFor;
using namespace std::chrono_literals;

// Run on its own thread, collecting process events (threads dropped, as the event source does);
// the thread events of this test process are kept apart. Stopped and joined on destruction.
class ReaderThread {
 public:
  explicit ReaderThread(ProcConnector& connector)
      : connector_(connector), thread_([this] {
          const pid_t self = ::getpid();
          result_ = connector_.Run([&](const ProcEvent& event) {
            std::lock_guard lock(mutex_);
            if (event.thread && event.tgid == self) own_threads_.push_back(event);
            if (!event.thread && !event.is_ack) processes_.push_back(event);
          });
        }) {}
  ~ReaderThread() { StopAndJoin(); }
  // How long Run took to return after Stop.
  std::chrono::milliseconds StopAndJoin() {
    if (!thread_.joinable()) return 0ms;
    const auto start = std::chrono::steady_clock::now();
    connector_.Stop();
    thread_.join();
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                 start);
  }
  const cproc::Expected<bool>& result() const { return result_; }
  std::vector<ProcEvent> own_threads() {
    std::lock_guard lock(mutex_);
    return own_threads_;
  }
  // The process events collected since the previous call.
  std::vector<ProcEvent> TakeProcessEvents() {
    std::lock_guard lock(mutex_);
    return std::exchange(processes_, {});
  }

 private:
  ProcConnector& connector_;
  cproc::Expected<bool> result_{false};
  std::mutex mutex_;
  std::vector<ProcEvent> own_threads_;
  std::vector<ProcEvent> processes_;
  std::thread thread_;
};

std::string Describe(const ExitOutcome& outcome) {
  switch (outcome.how) {
    case ExitOutcome::How::kExited:
      return "exited " + std::to_string(outcome.status);
    case ExitOutcome::How::kSignaled:
      return "signal " + std::to_string(outcome.signal) + (outcome.core_dumped ? " core" : "");
    case ExitOutcome::How::kOther:
      return "other";
  }
  return "?";
}

// Pins the calling thread (and what it forks or starts) to one CPU while it lives, so the
// kernel numbers our events from one per-CPU sequence.
class PinnedToOneCpu {
 public:
  PinnedToOneCpu() {
    pinned_ = ::sched_getaffinity(0, sizeof(saved_), &saved_) == 0;
    if (!pinned_) return;
    cpu_set_t one;
    CPU_ZERO(&one);
    for (std::size_t cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
      if (CPU_ISSET(cpu, &saved_)) {
        CPU_SET(cpu, &one);
        break;
      }
    }
    pinned_ = ::sched_setaffinity(0, sizeof(one), &one) == 0;
  }
  ~PinnedToOneCpu() {
    if (pinned_) ::sched_setaffinity(0, sizeof(saved_), &saved_);
  }

 private:
  cpu_set_t saved_{};
  bool pinned_ = false;
};

}  // namespace

TEST_SUITE("process events connector on the real kernel") {
  TEST_CASE("forks, an exec and exits by code and by signal, exactly as the children did") {
    auto connector = ProcConnector::Open(ProcConnectorOptions{});
    if (!connector) SKIP_CASE(connector.error());
    const auto started = std::chrono::steady_clock::now();
    ReaderThread reader(**connector);

    // Distinct exit codes, one killed, one exec of /bin/true (exit 0).
    std::map<pid_t, ExitOutcome> expected;
    for (int code : {3, 5, 7, 42}) {
      const pid_t pid = ForkChild([code] { ::_exit(code); });
      REQUIRE(pid > 0);
      expected[pid] = ExitOutcome{.how = ExitOutcome::How::kExited, .status = code};
    }
    const pid_t killed = ForkChild([] {
      for (;;) ::pause();
    });
    REQUIRE(killed > 0);
    expected[killed] = ExitOutcome{.how = ExitOutcome::How::kSignaled, .signal = SIGKILL};
    const pid_t execs = ForkChild([] {
      char* const argv[] = {const_cast<char*>("/bin/true"), nullptr};
      ::execv("/bin/true", argv);
    });
    REQUIRE(execs > 0);
    expected[execs] = ExitOutcome{.how = ExitOutcome::How::kExited, .status = 0};
    REQUIRE(::kill(killed, SIGKILL) == 0);
    // A thread of this process: its creation and its exit are reported as thread events.
    std::atomic<pid_t> thread_id{0};
    std::thread([&thread_id] { thread_id = static_cast<pid_t>(::syscall(SYS_gettid)); }).join();
    for (const auto& [pid, outcome] : expected) {
      int status = 0;
      REQUIRE(::waitpid(pid, &status, 0) == pid);
    }

    std::map<pid_t, std::vector<ProcEvent>> seen;
    auto all_exited = [&] {
      for (const ProcEvent& event : reader.TakeProcessEvents()) {
        if (expected.contains(event.tgid)) seen[event.tgid].push_back(event);
      }
      for (const auto& [pid, outcome] : expected) {
        bool exited = false;
        for (const ProcEvent& event : seen[pid]) exited |= event.kind == ProcEventKind::kExit;
        if (!exited) return false;
      }
      // The kernel reports a thread's exit after it has woken its joiner.
      for (const ProcEvent& event : reader.own_threads()) {
        if (event.pid == thread_id && event.kind == ProcEventKind::kExit) return true;
      }
      return false;
    };
    CHECK(PollFor(5000ms, all_exited));
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    const std::chrono::milliseconds stop_took = reader.StopAndJoin();
    CHECK(reader.result().ok());
    CHECK(stop_took < 500ms);

    for (const auto& [pid, outcome] : expected) {
      CAPTURE(pid);
      int forks = 0, exec_count = 0, exits = 0;
      for (const ProcEvent& event : seen[pid]) {
        if (event.kind == ProcEventKind::kFork) {
          ++forks;
          CHECK(event.pid == pid);
          CHECK(event.parent_tgid == ::getpid());
        } else if (event.kind == ProcEventKind::kExec) {
          ++exec_count;
        } else if (event.kind == ProcEventKind::kExit) {
          ++exits;
          CHECK_MESSAGE(event.exit_outcome == outcome, Describe(event.exit_outcome)
                                                           << " instead of " << Describe(outcome));
          CHECK(event.exit_signal == SIGCHLD);
          CHECK(event.parent_tgid == ::getpid());
        }
      }
      CHECK(forks == 1);
      CHECK(exec_count == (pid == execs ? 1 : 0));
      CHECK(exits == 1);
    }
    int thread_forks = 0, thread_exits = 0;
    for (const ProcEvent& event : reader.own_threads()) {
      if (event.pid != thread_id) continue;
      thread_forks += event.kind == ProcEventKind::kFork ? 1 : 0;
      if (event.kind == ProcEventKind::kExit) {
        ++thread_exits;
        CHECK(event.exit_signal == -1);  // a thread signals no parent
      }
    }
    CHECK(thread_forks == 1);
    CHECK(thread_exits == 1);

    const cproc::ProcConnectorStats stats = (*connector)->stats();
    CHECK(stats.malformed == 0);
    MESSAGE("connector: " << stats.events << " events (this test's 15 included) in " << seconds
                          << " s, " << stats.missed << " missed, " << stats.overruns
                          << " overruns; Run returned " << stop_took.count() << " ms after Stop");
  }

  TEST_CASE("a burst of forks into a tiny receive buffer: the loss counters move") {
    // Our events, the acknowledgement included, come from one CPU's sequence: a hole in it is
    // seen as soon as that CPU sends again.
    PinnedToOneCpu pinned;
    auto connector = ProcConnector::Open(ProcConnectorOptions{.receive_buffer_bytes = 4096});
    if (!connector) SKIP_CASE(connector.error());
    // Nobody reads while the burst runs: the queue holds a few messages, the kernel drops the rest.
    constexpr int kBurst = 300;
    for (int i = 0; i < kBurst; ++i) {
      const pid_t pid = ForkChild([] { ::_exit(0); });
      REQUIRE(pid > 0);
      REQUIRE(::waitpid(pid, nullptr, 0) == pid);
    }
    ReaderThread reader(**connector);
    // More events from the same CPU after the overflow, read this time, to show the hole.
    auto moved = [&] {
      const pid_t pid = ForkChild([] { ::_exit(0); });
      if (pid > 0) ::waitpid(pid, nullptr, 0);
      const cproc::ProcConnectorStats stats = (*connector)->stats();
      return stats.overruns > 0 && stats.missed > 0;
    };
    CHECK(PollFor(3000ms, moved));
    reader.StopAndJoin();
    CHECK(reader.result().ok());
    const cproc::ProcConnectorStats stats = (*connector)->stats();
    CHECK(stats.overruns >= 1);
    // Each fork sends two messages (fork, exit): most of them were lost.
    CHECK(stats.missed >= static_cast<uint64_t>(kBurst));
    MESSAGE("tiny buffer: " << stats.overruns << " overruns, " << stats.missed
                            << " messages missed of at least " << 2 * kBurst << " sent, "
                            << stats.events << " read");
  }
}
