#include "collectors/events/exit_class.h"

#include <doctest/doctest.h>

#include <csignal>
#include <set>
#include <string>

using namespace cproc;

TEST_CASE("exit classes: wait statuses map to bounded labels") {
  CHECK(ExitClassOf(DecodeExitCode(0)) == kExitZero);
  CHECK(ExitClassOf(DecodeExitCode(1 << 8)) == kExitNonZero);
  CHECK(ExitClassOf(DecodeExitCode(255 << 8)) == kExitNonZero);
  CHECK(ExitClassOf(DecodeExitCode(SIGKILL)) == SignalClassOf(SIGKILL));
  CHECK(ExitClassOf(DecodeExitCode(SIGSEGV | 0x80)) == SignalClassOf(SIGSEGV));  // core dumped
  CHECK(ExitClassOf(DecodeExitCode(static_cast<uint32_t>(SIGRTMIN + 1))) == kOtherSignalClass);
  CHECK(ExitClassOf(DecodeExitCode(SIGXCPU)) == kOtherSignalClass);
  CHECK(ExitClassOf(DecodeExitCode(0x137f)) == kExitNonZero);  // "stopped": no exit's status

  CHECK(LabelsOfExitClass(kExitZero).outcome == "exit_zero");
  CHECK(LabelsOfExitClass(kExitZero).signal.empty());
  CHECK(LabelsOfExitClass(kOomKillClass).outcome == "oom_kill");
  CHECK(LabelsOfExitClass(SignalClassOf(SIGTERM)).signal == "SIGTERM");
  CHECK(LabelsOfExitClass(SignalClassOf(SIGSYS)).signal == "SIGSYS");
  CHECK(LabelsOfExitClass(kOtherSignalClass).signal == "other");

  // Every class has its own label pair: no two series of one container collide.
  std::set<std::string> pairs;
  for (std::size_t k = 0; k < kExitClassCount; ++k) {
    const ExitClassLabels labels = LabelsOfExitClass(k);
    CHECK(pairs.insert(std::string(labels.outcome) + "/" + std::string(labels.signal)).second);
  }
}

TEST_CASE("exit classes: the faults a process raises at itself") {
  for (int fault : {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP, SIGSYS}) {
    CHECK(IsSynchronousFaultSignal(fault));
  }
  for (int sent : {SIGKILL, SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGABRT, SIGQUIT}) {
    CHECK_FALSE(IsSynchronousFaultSignal(sent));
  }
}
