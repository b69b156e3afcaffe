// Rootless containers through their pidfile: the file's text, and when it is believed.
#include "collectors/runtimes/runtime_pidfiles.h"

#include <doctest/doctest.h>

using namespace cproc;

TEST_CASE("pidfile: a decimal PID, optionally newline-terminated; anything else is refused") {
  CHECK(*ParsePidfile("4242") == 4242);
  CHECK(*ParsePidfile("4242\n") == 4242);
  CHECK(*ParsePidfile("2147483647") == 2147483647);
  for (const char* bad :
       {"", "\n", "0", "-1", "12a", " 12", "12\n\n", "2147483648", "99999999999", "0x10", "1 2"}) {
    CAPTURE(bad);
    CHECK_FALSE(ParsePidfile(bad).ok());
  }
}

TEST_CASE("pidfile: believed only for conmon's child in a user namespace of the file's owner") {
  const PidfileContainer file{.id = std::string(64, 'a'),
                              .pid = 600,
                              .conmon_pid = 590,
                              .owner_uid = 1001,
                              .written_seconds = 1000};
  PidfileFacts facts{.process_found = true,
                     .ppid = 590,
                     .has_cgroup_match = false,
                     .in_initial_user_ns = false,
                     .user_ns_owner = 1001,
                     .start_seconds = 999.5};
  CHECK(JudgePidfile(file, facts) == PidfileVerdict::kAttribute);

  SUBCASE("a stopped container's file: its PID gone or not conmon's child") {
    facts.process_found = false;
    CHECK(JudgePidfile(file, facts) == PidfileVerdict::kNotRunning);
    facts.process_found = true;
    facts.ppid = 1;
    CHECK(JudgePidfile(file, facts) == PidfileVerdict::kNotRunning);
    PidfileContainer no_conmon = file;
    no_conmon.conmon_pid = 0;
    facts.ppid = 590;
    CHECK(JudgePidfile(no_conmon, facts) == PidfileVerdict::kNotRunning);
  }
  SUBCASE("a cgroup names the container already") {
    facts.has_cgroup_match = true;
    CHECK(JudgePidfile(file, facts) == PidfileVerdict::kHasCgroup);
  }
  SUBCASE("another user's process, or a process of the host's user namespace") {
    facts.user_ns_owner = 1002;
    CHECK(JudgePidfile(file, facts) == PidfileVerdict::kRejected);
    facts.in_initial_user_ns = true;
    CHECK(JudgePidfile(file, facts) == PidfileVerdict::kRejected);
  }
  SUBCASE("a user namespace that cannot be read (no CAP_SYS_PTRACE)") {
    facts.user_ns_owner.reset();
    CHECK(JudgePidfile(file, facts) == PidfileVerdict::kUnverified);
  }
  SUBCASE("a process started after the file was written: the PID was reused") {
    facts.start_seconds = 1010;
    CHECK(JudgePidfile(file, facts) == PidfileVerdict::kRejected);
    facts.start_seconds = 1001.5;  // within the clock's slack
    CHECK(JudgePidfile(file, facts) == PidfileVerdict::kAttribute);
  }
}
