#include "collectors/events/proc_event.h"

#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/netlink.h>

#include <cstddef>
#include <cstring>
#include <string>

namespace cproc {
namespace {

// Fields are copied out at their offsets: a receive buffer gives no alignment guarantee for the
// kernel's structs, and a short message must never be read past its end.
template <typename T>
T At(std::span<const std::byte> bytes, std::size_t offset) {
  T value{};
  std::memcpy(&value, bytes.data() + offset, sizeof(T));
  return value;
}

constexpr std::size_t kCnMsgAt = NLMSG_HDRLEN;
constexpr std::size_t kEventAt = kCnMsgAt + sizeof(cn_msg);
constexpr std::size_t kDataAt = offsetof(proc_event, event_data);
static_assert(offsetof(proc_event, timestamp_ns) == 8 && kDataAt == 16);

// Bytes of proc_event each kind needs: the header and the fields read. Exit's parent fields
// came later than its code and signal, so they are read only when present.
std::size_t NeededBytes(uint32_t what) {
  switch (what) {
    case proc_event::PROC_EVENT_NONE:
      return kDataAt + sizeof(proc_event{}.event_data.ack);
    case proc_event::PROC_EVENT_FORK:
      return kDataAt + sizeof(proc_event{}.event_data.fork);
    case proc_event::PROC_EVENT_COMM:
      return kDataAt + sizeof(proc_event{}.event_data.comm);
    case proc_event::PROC_EVENT_EXIT:
      return offsetof(proc_event, event_data.exit.parent_pid);
    default:  // every other kind starts with the task's pid and tgid
      return kDataAt + 2 * sizeof(__kernel_pid_t);
  }
}

ProcEventKind KindOf(uint32_t what) {
  switch (what) {
    case proc_event::PROC_EVENT_FORK:
      return ProcEventKind::kFork;
    case proc_event::PROC_EVENT_EXEC:
      return ProcEventKind::kExec;
    case proc_event::PROC_EVENT_EXIT:
      return ProcEventKind::kExit;
    case proc_event::PROC_EVENT_COMM:
      return ProcEventKind::kComm;
    default:
      return ProcEventKind::kOther;
  }
}

}  // namespace

ExitOutcome DecodeExitCode(uint32_t exit_code) {
  // wait(2)'s layout: status in bits 8-15 when the low 7 bits are 0; else the signal in them,
  // 0x80 = core dumped; 0x7f in the low byte is a stop, which no exit reports.
  ExitOutcome outcome;
  const uint32_t low = exit_code & 0x7f;
  if (exit_code > 0xffff || low == 0x7f) return outcome;  // kOther
  if (low == 0) {
    if ((exit_code & 0x80) != 0) return outcome;
    outcome.how = ExitOutcome::How::kExited;
    outcome.status = static_cast<int>(exit_code >> 8);
    return outcome;
  }
  if ((exit_code >> 8) != 0) return outcome;
  outcome.how = ExitOutcome::How::kSignaled;
  outcome.signal = static_cast<int>(low);
  outcome.core_dumped = (exit_code & 0x80) != 0;
  return outcome;
}

Expected<ProcEvent> ParseProcEventMessage(std::span<const std::byte> message) {
  if (message.size() < NLMSG_HDRLEN) {
    return Error{"netlink message of " + std::to_string(message.size()) +
                 " bytes is shorter than its header (" + std::to_string(NLMSG_HDRLEN) + ")"};
  }
  const auto nl_len = At<uint32_t>(message, offsetof(nlmsghdr, nlmsg_len));
  const auto nl_type = At<uint16_t>(message, offsetof(nlmsghdr, nlmsg_type));
  if (nl_len < NLMSG_HDRLEN || nl_len > message.size()) {
    return Error{"netlink length " + std::to_string(nl_len) + " outside the " +
                 std::to_string(message.size()) + " bytes received"};
  }
  if (nl_type == NLMSG_ERROR) {
    if (nl_len < NLMSG_HDRLEN + sizeof(int)) return Error{"short netlink error message"};
    // Widened: the kernel sends -errno, but any int may arrive (INT_MIN cannot be negated).
    return Error{"netlink error " + std::to_string(-int64_t{At<int32_t>(message, NLMSG_HDRLEN)})};
  }
  if (nl_type == NLMSG_NOOP || nl_type == NLMSG_OVERRUN) {
    return Error{"netlink control message of type " + std::to_string(nl_type)};
  }
  const std::span<const std::byte> body = message.first(nl_len);
  if (body.size() < kEventAt) {
    return Error{"netlink message of " + std::to_string(nl_len) + " bytes has no whole cn_msg"};
  }
  const auto idx = At<uint32_t>(body, kCnMsgAt + offsetof(cn_msg, id.idx));
  const auto val = At<uint32_t>(body, kCnMsgAt + offsetof(cn_msg, id.val));
  if (idx != CN_IDX_PROC || val != CN_VAL_PROC) {
    return Error{"connector message for " + std::to_string(idx) + ":" + std::to_string(val) +
                 ", not the process events connector"};
  }
  const auto data_len = At<uint16_t>(body, kCnMsgAt + offsetof(cn_msg, len));
  if (kEventAt + data_len > body.size()) {
    return Error{"cn_msg length " + std::to_string(data_len) + " overruns the netlink message (" +
                 std::to_string(body.size() - kEventAt) + " bytes of data)"};
  }
  const std::span<const std::byte> data = body.subspan(kEventAt, data_len);
  if (data.size() < kDataAt) {
    return Error{"proc_event of " + std::to_string(data.size()) + " bytes has no whole header"};
  }

  ProcEvent event;
  event.what = At<uint32_t>(data, offsetof(proc_event, what));
  event.kind = KindOf(event.what);
  event.sequence = At<uint32_t>(body, kCnMsgAt + offsetof(cn_msg, seq));
  event.cpu = At<uint32_t>(data, offsetof(proc_event, cpu));
  event.timestamp_ns = At<uint64_t>(data, offsetof(proc_event, timestamp_ns));
  if (data.size() < NeededBytes(event.what)) {
    return Error{"proc_event " + std::to_string(event.what) + " of " + std::to_string(data.size()) +
                 " bytes, needs " + std::to_string(NeededBytes(event.what))};
  }

  switch (event.what) {
    case proc_event::PROC_EVENT_NONE:
      event.is_ack = true;
      event.ack = At<uint32_t>(body, kCnMsgAt + offsetof(cn_msg, ack));
      event.ack_error = At<uint32_t>(data, offsetof(proc_event, event_data.ack.err));
      return event;
    case proc_event::PROC_EVENT_FORK:
      event.parent_pid = At<int32_t>(data, offsetof(proc_event, event_data.fork.parent_pid));
      event.parent_tgid = At<int32_t>(data, offsetof(proc_event, event_data.fork.parent_tgid));
      event.pid = At<int32_t>(data, offsetof(proc_event, event_data.fork.child_pid));
      event.tgid = At<int32_t>(data, offsetof(proc_event, event_data.fork.child_tgid));
      break;
    case proc_event::PROC_EVENT_EXIT: {
      event.exit_code = At<uint32_t>(data, offsetof(proc_event, event_data.exit.exit_code));
      event.exit_signal = At<int32_t>(data, offsetof(proc_event, event_data.exit.exit_signal));
      event.exit_outcome = DecodeExitCode(event.exit_code);
      constexpr std::size_t kParentAt = offsetof(proc_event, event_data.exit.parent_pid);
      if (data.size() >= kParentAt + 2 * sizeof(__kernel_pid_t)) {
        event.parent_pid = At<int32_t>(data, kParentAt);
        event.parent_tgid = At<int32_t>(data, offsetof(proc_event, event_data.exit.parent_tgid));
      }
      break;
    }
    case proc_event::PROC_EVENT_COMM: {
      constexpr std::size_t kCommAt = offsetof(proc_event, event_data.comm.comm);
      static_assert(sizeof(proc_event{}.event_data.comm.comm) == sizeof(event.comm));
      std::memcpy(event.comm.data(), data.data() + kCommAt, event.comm.size() - 1);
      break;  // the last byte stays NUL whatever was sent
    }
    default:
      break;
  }
  if (event.kind != ProcEventKind::kFork) {
    // Every kind but the ack begins with the task's pid and tgid (exec, exit, comm, uid, gid,
    // sid, ptrace, coredump).
    event.pid = At<int32_t>(data, kDataAt);
    event.tgid = At<int32_t>(data, kDataAt + sizeof(__kernel_pid_t));
  }
  event.thread = event.pid != event.tgid;
  return event;
}

}  // namespace cproc
