// The event source (collectors/events/event_source.h) on the real kernel, through the hand-over
// the scanner makes: this test process stands in a container of a made-up snapshot, so every
// child it forks is that container's, and what the children do is known exactly. Run under TSan
// too, it checks the reader thread and the hand-over share the ledger safely.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <thread>

#include "collectors/events/event_source.h"
#include "tests/integration/kernel_fixture.h"
#include "tests/integration/skip.h"
#include "tests/support/make_process.h"

namespace {

using cproc::EventHandover;
using cproc::EventSource;
using cproc::LifecycleDelta;
using cproc::testing::kernel::ForkChild;
using cproc::testing::kernel::PollFor;
using namespace std::chrono_literals;

cproc::Snapshot ThisProcessInAContainer() {
  cproc::Container c;
  c.runtime = "docker";
  c.id = "itest";
  c.cgroup = "/cproc-integration-not-a-cgroup";
  cproc::Snapshot s;
  s.containers = {c};
  s.processes = {cproc::testing::MakeProcess(::getppid(), 1, cproc::kNoContainer, 1),
                 cproc::testing::MakeProcess(::getpid(), ::getppid(), 0, 2)};
  if (s.processes[0].pid > s.processes[1].pid) std::swap(s.processes[0], s.processes[1]);
  return s;
}

void Add(LifecycleDelta& to, const LifecycleDelta& from) {
  to.started += from.started;
  to.execs += from.execs;
  to.short_lived += from.short_lived;
  to.orphans_adopted += from.orphans_adopted;
  for (std::size_t k = 0; k < cproc::kExitClassCount; ++k) {
    to.exited[k] += from.exited[k];
    to.init_exits[k] += from.init_exits[k];
  }
}

// Waits for every child and every orphan handed to us as subreaper.
void ReapAll() {
  while (::waitpid(-1, nullptr, 0) > 0) {
  }
}

}  // namespace

TEST_CASE("event source: children counted in their parent's container, orphans at the exit") {
  auto source = EventSource::Start(cproc::EventSourceOptions{});
  if (!source) SKIP_CASE(source.error());
  // Orphans of our children come to us, so that the test can reap them.
  REQUIRE(::prctl(PR_SET_CHILD_SUBREAPER, 1) == 0);
  const cproc::Snapshot snapshot = ThisProcessInAContainer();
  EventHandover first = (*source)->Handover(snapshot);
  CHECK(first.deltas.empty());  // nothing was counted before the first hand-over
  CHECK_FALSE(first.covered);
  CHECK(first.stats.active);

  ForkChild([] { ::_exit(0); });
  ForkChild([] { ::_exit(3); });
  const pid_t killed = ForkChild([] {
    for (;;) ::pause();
  });
  // Not SIGSEGV: the sanitizer builds that run this catch it in the child.
  ForkChild([] { ::kill(::getpid(), SIGUSR1); });
  ForkChild([] {
    char* const argv[] = {const_cast<char*>("/bin/true"), nullptr};
    ::execv("/bin/true", argv);
  });
  // A parent that leaves four children behind: four orphans, adopted by us.
  ForkChild([] {
    for (int i = 0; i < 4; ++i) {
      if (::fork() == 0) {
        ::usleep(200 * 1000);
        ::_exit(0);
      }
    }
    ::_exit(0);
  });
  REQUIRE(::kill(killed, SIGKILL) == 0);
  ReapAll();

  LifecycleDelta sum;
  bool covered = true;
  auto all_seen = [&] {
    const EventHandover handover = (*source)->Handover(snapshot);
    covered = covered && handover.covered;
    for (const auto& [id, delta] : handover.deltas) {
      CHECK(id == "docker://itest");
      Add(sum, delta);
    }
    uint64_t exits = 0;
    for (uint64_t n : sum.exited) exits += n;
    return exits >= 10;
  };
  CHECK(PollFor(5000ms, all_seen));
  std::this_thread::sleep_for(100ms);
  all_seen();  // nothing more comes
  (*source)->Stop();
  if (!covered) SKIP_CASE("events were lost on this busy host: counts are lower bounds only");

  CHECK(sum.started == 10);  // six children, four grandchildren
  CHECK(sum.execs == 1);
  CHECK(sum.exited[cproc::kExitZero] == 7);
  CHECK(sum.exited[cproc::kExitNonZero] == 1);
  CHECK(sum.exited[cproc::SignalClassOf(SIGKILL)] == 1);
  CHECK(sum.exited[cproc::SignalClassOf(SIGUSR1)] == 1);
  CHECK(sum.short_lived == 10);  // no scan listed any of them
  CHECK(sum.orphans_adopted == 4);
  CHECK(sum.init_exits == cproc::ExitClassCounts{});
  ::prctl(PR_SET_CHILD_SUBREAPER, 0);
}
