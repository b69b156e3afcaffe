#include "collectors/analysis/init_process.h"

#include <algorithm>
#include <csignal>

#include "collectors/analysis/init_recognition.h"
#include "collectors/procfs/proc_status.h"

namespace cproc {
std::vector<std::vector<std::size_t>> InitCandidates(const Snapshot& snapshot) {
  std::vector<std::vector<std::size_t>> candidates(snapshot.containers.size());
  for (std::size_t i = 0; i < snapshot.processes.size(); ++i) {
    const Process& p = snapshot.processes[i];
    if (p.container == kNoContainer || p.state == ProcessState::kZombie) continue;
    const Process* parent = FindProcess(snapshot.processes, p.ppid);
    if (parent != nullptr && parent->container == p.container) continue;
    candidates[static_cast<std::size_t>(p.container)].push_back(i);
  }
  for (auto& list : candidates) {
    std::stable_sort(list.begin(), list.end(), [&](std::size_t a, std::size_t b) {
      return snapshot.processes[a].start_ticks < snapshot.processes[b].start_ticks;
    });
  }
  return candidates;
}

InitProcess ChooseInit(const Snapshot& snapshot, const std::vector<std::size_t>& candidates,
                       const std::vector<CandidateFacts>& facts, double boot_time_seconds,
                       double ticks_per_second, int declared_stop_signal) {
  InitProcess init;
  init.stop_signal = declared_stop_signal != 0 ? declared_stop_signal : SIGTERM;
  if (candidates.empty()) return init;
  std::size_t chosen = 0;  // the earliest started, unless one is PID 1 of its namespace
  for (std::size_t k = 0; k < candidates.size(); ++k) {
    const auto& nspid = facts[k].nspid;
    if (facts[k].status_read && nspid.size() > 1 && nspid.back() == 1) {
      chosen = k;
      init.is_namespace_init = true;
      break;
    }
  }
  const Process& p = snapshot.processes[candidates[chosen]];
  const CandidateFacts& f = facts[chosen];
  init.pid = p.pid;
  init.comm = p.comm;
  init.init = std::string(RecogniseInit(f.exe_basename, p.comm));
  // A recognised init forwards the signal even though masks may not show it (tini waits in
  // sigtimedwait with an empty SigCgt, docs/ARCHITECTURE.md "Kernel facts"); otherwise the process
  // must catch it, or block it to take it synchronously (signalfd, sigwait: SigBlk). An ignored one
  // is lost. SIGKILL and SIGSTOP never show in the masks: nobody handles them.
  const auto handles = [&](int signal) {
    const bool ignored = SignalInMask(f.sig_ign, signal);
    const bool taken = SignalInMask(f.sig_cgt, signal) || SignalInMask(f.sig_blk, signal);
    const bool catchable = signal != SIGKILL && signal != SIGSTOP;
    return catchable && ((taken && !ignored) || ForwardsSignal(init.init, signal));
  };
  init.handles_sigterm = handles(SIGTERM);
  init.handles_stop_signal = handles(init.stop_signal);
  init.start_time_seconds =
      boot_time_seconds + static_cast<double>(p.start_ticks) / ticks_per_second;
  return init;
}

}  // namespace cproc
