// The kernel's process events connector (drivers/connector/cn_proc.c): one netlink message
// (nlmsghdr + cn_msg + proc_event) parsed into a ProcEvent. Pure: bytes in, an event or a
// one-line reason out; the socket lives in proc_connector.h.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "collectors/base/expected.h"

namespace cproc {

enum class ProcEventKind : uint8_t {
  kFork,
  kExec,
  kExit,
  kComm,
  kOther,  // uid, gid, sid, ptrace, coredump, and the acknowledgement of a listen request
};

// How a process ended, from the exit event's exit_code: the kernel's task->exit_code, which has
// the layout of a wait(2) status.
struct ExitOutcome {
  enum class How : uint8_t {
    kExited,    // exit(status) or return from main: `status` is 0..255
    kSignaled,  // killed by `signal`, `core_dumped` when it left a core
    kOther,     // a status no exit produces (stopped/continued bits): kept raw
  };
  How how = How::kOther;
  int status = 0;
  int signal = 0;
  bool core_dumped = false;

  friend bool operator==(const ExitOutcome&, const ExitOutcome&) = default;
};

ExitOutcome DecodeExitCode(uint32_t exit_code);

// Trivially copyable (no heap), so a bounded queue of them costs a fixed amount of memory.
struct ProcEvent {
  ProcEventKind kind = ProcEventKind::kOther;
  uint32_t what = 0;  // the kernel's PROC_EVENT_* value, as sent
  // cn_msg.seq: the sending CPU's own counter (one per CPU, shared by every listener), so
  // loss shows as a gap per `cpu` (sequence_tracker.h).
  uint32_t sequence = 0;
  uint32_t cpu = 0;
  uint64_t timestamp_ns = 0;  // CLOCK_MONOTONIC (the kernel's ktime_get_ns)

  // The task the event is about (fork: the child), as the initial PID namespace numbers it:
  // `pid` is the thread id, `tgid` the process id.
  int32_t pid = 0;
  int32_t tgid = 0;
  // fork: the parent; exit: the parent at exit (0 when the kernel no longer knew it).
  int32_t parent_pid = 0;
  int32_t parent_tgid = 0;
  // A thread rather than a process: a fork that created a thread (child pid != child tgid), or
  // the exit, exec or comm of a thread that is not its group's leader. A consumer counting
  // processes drops these.
  bool thread = false;

  // kExit only.
  uint32_t exit_code = 0;    // raw, as in `exit_outcome`
  int32_t exit_signal = 0;   // the signal the parent gets (SIGCHLD; -1 for a thread)
  ExitOutcome exit_outcome;  // decoded

  // kComm only: the new name, NUL-terminated (at most 15 characters, like /proc/PID/comm).
  std::array<char, 16> comm{};

  // The acknowledgement of a PROC_CN_MCAST_LISTEN/IGNORE (what == PROC_EVENT_NONE): cn_msg.ack
  // is the request's ack + 1, and `ack_error` the kernel's errno (0 = done). The kernel sends
  // it to every listener.
  bool is_ack = false;
  uint32_t ack = 0;
  uint32_t ack_error = 0;

  friend bool operator==(const ProcEvent&, const ProcEvent&) = default;
};

// Parses one netlink message: a datagram of the connector's socket, which cn_proc sends one
// event per datagram. Bytes past nlmsg_len are not read. An error names what is wrong: too
// short for a header, a length that overruns the buffer or is too short for its event, a
// netlink error, a message of another connector.
Expected<ProcEvent> ParseProcEventMessage(std::span<const std::byte> message);

}  // namespace cproc
