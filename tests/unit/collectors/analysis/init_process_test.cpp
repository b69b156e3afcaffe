#include "collectors/analysis/init_process.h"

#include <doctest/doctest.h>

#include <csignal>

#include "tests/support/make_process.h"

using namespace cproc;

namespace {

Process Make(int32_t pid, int32_t ppid, int32_t container, uint64_t start, char state = 'S',
             const char* comm = "sleep") {
  return cproc::testing::MakeProcess(pid, ppid, container, start, state, comm);
}

Snapshot WithContainers(std::vector<Process> processes, std::size_t containers) {
  Snapshot s;
  s.processes = std::move(processes);
  s.containers.resize(containers);
  return s;
}

CandidateFacts Facts(std::vector<int32_t> nspid, uint64_t sig_cgt = 0,
                     const char* exe = "busybox") {
  CandidateFacts f;
  f.status_read = true;
  f.nspid = std::move(nspid);
  f.sig_cgt = sig_cgt;
  f.exe_basename = exe;
  return f;
}

constexpr uint64_t Bit(int signal) { return 1ULL << (signal - 1); }

}  // namespace

TEST_CASE("init candidates: processes whose parent is outside the container, earliest first") {
  // shim 3029 (host) -> 3050 PID 1 -> 3060 child; docker exec: shim -> 3100 (later start).
  auto snap = WithContainers(
      {Make(1, 0, kNoContainer, 1), Make(3029, 1, kNoContainer, 900), Make(3050, 3029, 0, 1000),
       Make(3060, 3050, 0, 1001), Make(3070, 3050, 0, 1002, 'Z'), Make(3100, 3029, 0, 5000)},
      1);
  auto candidates = InitCandidates(snap);
  REQUIRE(candidates.size() == 1);
  REQUIRE(candidates[0].size() == 2);
  CHECK(snap.processes[candidates[0][0]].pid == 3050);
  CHECK(snap.processes[candidates[0][1]].pid == 3100);
}

TEST_CASE("init: PID 1 of the namespace wins over a docker exec session") {
  auto snap = WithContainers({Make(3029, 1, kNoContainer, 900), Make(3050, 3029, 0, 1000),
                              Make(3100, 3029, 0, 5000, 'S', "sh")},
                             1);
  const std::vector<std::size_t> candidates = {2, 1};  // even if the exec came first
  const std::vector<CandidateFacts> facts = {Facts({3100, 7}), Facts({3050, 1})};
  InitProcess init = ChooseInit(snap, candidates, facts, 1'700'000'000, 100);
  CHECK(init.pid == 3050);
  CHECK(init.is_namespace_init);
  CHECK(init.comm == "sleep");
  CHECK(init.init == "none");
  CHECK_FALSE(init.handles_sigterm);  // sleep as PID 1: docker stop needs SIGKILL
  CHECK(init.start_time_seconds == doctest::Approx(1'700'000'010.0));
}

TEST_CASE("init: --pid=host and shared PID namespaces report the main process, not PID 1") {
  auto snap = WithContainers(
      {Make(3029, 1, kNoContainer, 900), Make(1648, 3029, 0, 1000), Make(1700, 3029, 0, 2000)}, 1);
  // --pid=host: NSpid has one entry; shared namespace: innermost is not 1.
  for (const auto& nspid : {std::vector<int32_t>{1648}, std::vector<int32_t>{1648, 12}}) {
    const std::vector<CandidateFacts> facts = {Facts(nspid), Facts({1700, 13})};
    InitProcess init = ChooseInit(snap, {1, 2}, facts, 0, 100);
    CHECK(init.pid == 1648);
    CHECK_FALSE(init.is_namespace_init);
  }
}

TEST_CASE("init: SIGTERM handling from masks, and recognised inits forward it") {
  auto snap = WithContainers({Make(3050, 3029, 0, 1000, 'S', "sh")}, 1);
  CHECK(ChooseInit(snap, {0}, {Facts({3050, 1}, Bit(SIGTERM) | Bit(SIGINT))}, 0, 100)
            .handles_sigterm);
  CHECK_FALSE(ChooseInit(snap, {0}, {Facts({3050, 1}, Bit(SIGINT))}, 0, 100).handles_sigterm);
  CandidateFacts ignored = Facts({3050, 1}, Bit(SIGTERM));
  ignored.sig_ign = Bit(SIGTERM);
  CHECK_FALSE(ChooseInit(snap, {0}, {ignored}, 0, 100).handles_sigterm);
  // Blocked to be read with signalfd or sigwait: handled, unless it is also ignored.
  CandidateFacts blocked = Facts({3050, 1});
  blocked.sig_blk = Bit(SIGTERM) | Bit(SIGCHLD);
  CHECK(ChooseInit(snap, {0}, {blocked}, 0, 100).handles_sigterm);
  blocked.sig_ign = Bit(SIGTERM);
  CHECK_FALSE(ChooseInit(snap, {0}, {blocked}, 0, 100).handles_sigterm);
  CandidateFacts other_blocked = Facts({3050, 1});
  other_blocked.sig_blk = Bit(SIGCHLD);
  CHECK_FALSE(ChooseInit(snap, {0}, {other_blocked}, 0, 100).handles_sigterm);
  // tini waits in sigtimedwait: empty SigCgt, yet it forwards SIGTERM (docs/ARCHITECTURE.md "Kernel
  // facts").
  InitProcess tini = ChooseInit(snap, {0}, {Facts({3050, 1}, 0, "docker-init")}, 0, 100);
  CHECK(tini.init == "docker-init");
  CHECK(tini.handles_sigterm);
  CHECK(ChooseInit(snap, {}, {}, 0, 100).pid == 0);
}

TEST_CASE("init: the stop signal is the declared one, else SIGTERM, and is checked in the masks") {
  auto snap = WithContainers({Make(3050, 3029, 0, 1000, 'S', "sh")}, 1);
  // Nothing declared: SIGTERM, and both gauges agree.
  InitProcess plain = ChooseInit(snap, {0}, {Facts({3050, 1}, Bit(SIGTERM))}, 0, 100);
  CHECK(plain.stop_signal == SIGTERM);
  CHECK(plain.handles_stop_signal);
  CHECK(plain.handles_sigterm);
  // docker run --stop-signal SIGUSR1 with `trap ... USR1`: handles the stop signal, not SIGTERM.
  InitProcess usr1 = ChooseInit(snap, {0}, {Facts({3050, 1}, Bit(SIGUSR1))}, 0, 100, SIGUSR1);
  CHECK(usr1.stop_signal == SIGUSR1);
  CHECK(usr1.handles_stop_signal);
  CHECK_FALSE(usr1.handles_sigterm);
  // ... and the other way round: traps TERM, but docker stop sends USR1.
  InitProcess term = ChooseInit(snap, {0}, {Facts({3050, 1}, Bit(SIGTERM))}, 0, 100, SIGUSR1);
  CHECK_FALSE(term.handles_stop_signal);
  CHECK(term.handles_sigterm);
  // Blocked for signalfd counts; ignored does not.
  CandidateFacts blocked = Facts({3050, 1});
  blocked.sig_blk = Bit(SIGQUIT);
  CHECK(ChooseInit(snap, {0}, {blocked}, 0, 100, SIGQUIT).handles_stop_signal);
  blocked.sig_ign = Bit(SIGQUIT);
  CHECK_FALSE(ChooseInit(snap, {0}, {blocked}, 0, 100, SIGQUIT).handles_stop_signal);
  // systemd as PID 1 takes SIGRTMIN+3 (37) through signalfd.
  CandidateFacts systemd = Facts({3050, 1}, 0, "systemd");
  systemd.sig_blk = Bit(37) | Bit(SIGTERM);
  InitProcess rt = ChooseInit(snap, {0}, {systemd}, 0, 100, 37);
  CHECK(rt.init == "systemd");
  CHECK(rt.stop_signal == 37);
  CHECK(rt.handles_stop_signal);
  // No candidate: the signal is still known; nothing handles it.
  InitProcess none = ChooseInit(snap, {}, {}, 0, 100, SIGUSR2);
  CHECK(none.pid == 0);
  CHECK(none.stop_signal == SIGUSR2);
  CHECK_FALSE(none.handles_stop_signal);
}

TEST_CASE("init: SIGKILL or SIGSTOP as the stop signal is never handled") {
  auto snap = WithContainers({Make(3050, 3029, 0, 1000, 'S', "sh")}, 1);
  for (int signal : {SIGKILL, SIGSTOP}) {
    CAPTURE(signal);
    CandidateFacts all = Facts({3050, 1}, ~0ULL, "docker-init");
    all.sig_blk = ~0ULL;
    InitProcess init = ChooseInit(snap, {0}, {all}, 0, 100, signal);
    CHECK(init.stop_signal == signal);
    CHECK_FALSE(init.handles_stop_signal);
    CHECK(init.handles_sigterm);
  }
}

TEST_CASE("init: recognised inits forward the stop signal their masks do not show") {
  auto snap = WithContainers({Make(3050, 3029, 0, 1000, 'S', "sh")}, 1);
  const auto handles = [&](const char* exe, int signal) {
    return ChooseInit(snap, {0}, {Facts({3050, 1}, 0, exe)}, 0, 100, signal).handles_stop_signal;
  };
  CHECK(handles("docker-init", SIGUSR1));  // docker run --init --stop-signal SIGUSR1
  CHECK(handles("tini", SIGQUIT));
  CHECK(handles("tini", 37));
  CHECK_FALSE(handles("tini", SIGSEGV));  // left unblocked: tini itself would take it
  CHECK(handles("dumb-init", SIGWINCH));
  CHECK_FALSE(handles("dumb-init", 37));  // it waits for 1..31 only
  CHECK(handles("catatonit", SIGUSR2));
  // Every recognised init is taken to forward SIGTERM (handles_sigterm); another signal to an
  // init that is not a forwarder shows only in its masks.
  CHECK(handles("s6-svscan", SIGTERM));
  CHECK_FALSE(handles("s6-svscan", SIGUSR1));
  CHECK_FALSE(handles("busybox", SIGUSR1));
}
