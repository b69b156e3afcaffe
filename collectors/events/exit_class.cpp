#include "collectors/events/exit_class.h"

#include <string>

#include "collectors/base/signals.h"

namespace cproc {
namespace {

// The label values, named as the stop signal's label names them; built once.
const std::array<std::string, kNamedExitSignals.size()>& SignalNames() {
  static const auto names = [] {
    std::array<std::string, kNamedExitSignals.size()> out;
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = SignalName(kNamedExitSignals[i]);
    return out;
  }();
  return names;
}

}  // namespace

std::size_t SignalClassOf(int signal) {
  for (std::size_t i = 0; i < kNamedExitSignals.size(); ++i) {
    if (kNamedExitSignals[i] == signal) return kFirstSignalClass + i;
  }
  return kOtherSignalClass;
}

std::size_t ExitClassOf(const ExitOutcome& outcome) {
  switch (outcome.how) {
    case ExitOutcome::How::kExited:
      return outcome.status == 0 ? kExitZero : kExitNonZero;
    case ExitOutcome::How::kSignaled:
      return SignalClassOf(outcome.signal);
    case ExitOutcome::How::kOther:
      break;
  }
  return kExitNonZero;
}

ExitClassLabels LabelsOfExitClass(std::size_t exit_class) {
  if (exit_class == kExitZero) return {"exit_zero", ""};
  if (exit_class == kExitNonZero) return {"exit_nonzero", ""};
  if (exit_class == kOomKillClass) return {"oom_kill", ""};
  if (exit_class >= kFirstSignalClass && exit_class < kOtherSignalClass) {
    return {"signal", SignalNames()[exit_class - kFirstSignalClass]};
  }
  return {"signal", "other"};
}

bool IsSynchronousFaultSignal(int signal) {
  return signal == SIGSEGV || signal == SIGBUS || signal == SIGILL || signal == SIGFPE ||
         signal == SIGTRAP || signal == SIGSYS;
}

}  // namespace cproc
