#include "collectors/procfs/proc_status.h"

#include <doctest/doctest.h>

#include <csignal>

using cproc::ParseProcStatus;
using cproc::SignalInMask;

TEST_CASE("status: NSpid, PPid, Threads and signal masks") {
  // Shape of a busybox `sh` with `trap ... TERM` as PID 1 of a container (docs/ARCHITECTURE.md
  // "Kernel facts").
  const char* text =
      "Name:\tsh\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t3050\nNgid:\t0\nPid:\t3050\n"
      "PPid:\t3029\nTracerPid:\t0\nNStgid:\t3050\t1\nNSpid:\t3050\t1\nNSpgid:\t3050\t1\n"
      "Threads:\t1\nSigQ:\t0/96364\nSigPnd:\t0000000000000000\nShdPnd:\t0000000000000000\n"
      "SigBlk:\t0000000000000000\nSigIgn:\t0000000000300000\nSigCgt:\t0000000000004002\n";
  auto status = ParseProcStatus(text);
  REQUIRE_MESSAGE(status.ok(), (status.ok() ? "" : status.error()));
  CHECK(status->ppid == 3029);
  CHECK(status->threads == 1);
  CHECK(status->nspid == std::vector<int32_t>{3050, 1});
  CHECK(SignalInMask(status->sig_cgt, SIGTERM));
  CHECK(SignalInMask(status->sig_cgt, SIGINT));
  CHECK_FALSE(SignalInMask(status->sig_cgt, SIGKILL));
  CHECK(SignalInMask(status->sig_ign, SIGTTIN));
  CHECK(SignalInMask(status->sig_ign, SIGTTOU));
  CHECK_FALSE(SignalInMask(0, 0));
  CHECK_FALSE(SignalInMask(~0ULL, 65));
}

TEST_CASE("status: host process has one NSpid entry; errors name the line") {
  auto host = ParseProcStatus("Name:\tbash\nPPid:\t1\nNSpid:\t42\n");
  REQUIRE(host.ok());
  CHECK(host->nspid == std::vector<int32_t>{42});

  auto bad_mask = ParseProcStatus("PPid:\t1\nSigCgt:\tzz\n");
  REQUIRE_FALSE(bad_mask.ok());
  CHECK(bad_mask.error() == "line 2 (SigCgt): expected a hexadecimal mask");

  auto bad_nspid = ParseProcStatus("PPid:\t1\nNSpid:\t1\tx\n");
  REQUIRE_FALSE(bad_nspid.ok());
  CHECK(bad_nspid.error().find("NSpid") != std::string::npos);

  CHECK_FALSE(ParseProcStatus("Name:\tx\n").ok());
}
