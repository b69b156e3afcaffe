// How a process ended, reduced to a bounded set of label values: exited 0, exited non-zero,
// killed by one of the common signals (by name) or by another, or OOM-killed. The OOM class is
// never produced from an exit event alone: a SIGKILL exit is moved there when the container's
// memory controller counted an OOM kill in the same interval (lifecycle_totals.h).
#pragma once

#include <array>
#include <csignal>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "collectors/events/proc_event.h"

namespace cproc {

// The signals with a series of their own; every other one is "other". The standard signals a
// process dies of by default action or that stop signals and kill(1) use.
inline constexpr std::array<int, 16> kNamedExitSignals = {1, 2,  3,  4,  5,  6,  7,  8,
                                                          9, 10, 11, 12, 13, 14, 15, 31};

// Indices: 0 exit_zero, 1 exit_nonzero, 2.. one per kNamedExitSignals, then signal "other",
// then oom_kill.
inline constexpr std::size_t kExitZero = 0;
inline constexpr std::size_t kExitNonZero = 1;
inline constexpr std::size_t kFirstSignalClass = 2;
inline constexpr std::size_t kOtherSignalClass = kFirstSignalClass + kNamedExitSignals.size();
inline constexpr std::size_t kOomKillClass = kOtherSignalClass + 1;
inline constexpr std::size_t kExitClassCount = kOomKillClass + 1;

using ExitClassCounts = std::array<uint64_t, kExitClassCount>;

// The class of an exit; a status no exit produces (ExitOutcome::How::kOther) counts as a
// non-zero exit, which is what a parent's wait(2) would make of it.
std::size_t ExitClassOf(const ExitOutcome& outcome);
std::size_t SignalClassOf(int signal);

struct ExitClassLabels {
  std::string_view outcome;  // exit_zero, exit_nonzero, signal, oom_kill
  std::string_view signal;   // "SIGTERM", "other"; "" unless outcome is "signal"
};
ExitClassLabels LabelsOfExitClass(std::size_t exit_class);

// Signals the kernel raises at the faulting process itself (a bad access, an illegal
// instruction, a seccomp kill): a PID 1 dead of one of these crashed; of any other, it was
// sent the signal, and a namespace's PID 1 takes fatal signals only from outside its namespace.
bool IsSynchronousFaultSignal(int signal);

}  // namespace cproc
