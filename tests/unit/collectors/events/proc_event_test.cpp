#include "collectors/events/proc_event.h"

#include <doctest/doctest.h>
#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/netlink.h>

#include <csignal>
#include <cstring>
#include <string>
#include <vector>

using namespace cproc;

namespace {

// A message as cn_proc.c builds it: nlmsghdr, cn_msg, then the proc_event.
std::vector<std::byte> Message(const proc_event& event, uint32_t sequence = 7,
                               uint16_t data_len = sizeof(proc_event)) {
  std::vector<std::byte> bytes(NLMSG_LENGTH(sizeof(cn_msg) + data_len));
  nlmsghdr header{};
  header.nlmsg_len = static_cast<uint32_t>(bytes.size());
  header.nlmsg_type = NLMSG_DONE;
  header.nlmsg_seq = sequence;
  cn_msg message{};
  message.id.idx = CN_IDX_PROC;
  message.id.val = CN_VAL_PROC;
  message.seq = sequence;
  message.len = data_len;
  std::memcpy(bytes.data(), &header, sizeof(header));
  std::memcpy(bytes.data() + NLMSG_HDRLEN, &message, sizeof(message));
  std::memcpy(bytes.data() + NLMSG_HDRLEN + sizeof(cn_msg), &event,
              std::min<std::size_t>(data_len, sizeof(event)));
  return bytes;
}

proc_event Header(uint32_t what) {
  proc_event event{};
  event.what = static_cast<decltype(event.what)>(what);
  event.cpu = 1;
  event.timestamp_ns = 123456789012ULL;
  return event;
}

proc_event Fork(int parent, int child_pid, int child_tgid) {
  proc_event event = Header(proc_event::PROC_EVENT_FORK);
  event.event_data.fork = {parent, parent, child_pid, child_tgid};
  return event;
}

proc_event Exit(int pid, int tgid, uint32_t code, int signal = SIGCHLD) {
  proc_event event = Header(proc_event::PROC_EVENT_EXIT);
  event.event_data.exit.process_pid = pid;
  event.event_data.exit.process_tgid = tgid;
  event.event_data.exit.exit_code = code;
  event.event_data.exit.exit_signal = static_cast<uint32_t>(signal);
  event.event_data.exit.parent_pid = 1;
  event.event_data.exit.parent_tgid = 1;
  return event;
}

Expected<ProcEvent> Parse(const std::vector<std::byte>& bytes) {
  return ParseProcEventMessage(std::span(bytes));
}

}  // namespace

TEST_CASE("proc events: a process fork, with the header's sequence, cpu and time") {
  auto event = Parse(Message(Fork(100, 200, 200), 41));
  REQUIRE_MESSAGE(event.ok(), event.error());
  CHECK(event->kind == ProcEventKind::kFork);
  CHECK(event->sequence == 41);
  CHECK(event->cpu == 1);
  CHECK(event->timestamp_ns == 123456789012ULL);
  CHECK(event->pid == 200);
  CHECK(event->tgid == 200);
  CHECK(event->parent_pid == 100);
  CHECK(event->parent_tgid == 100);
  CHECK_FALSE(event->thread);
}

TEST_CASE("proc events: a fork that creates a thread is marked as one") {
  auto event = Parse(Message(Fork(200, 201, 200)));
  REQUIRE(event.ok());
  CHECK(event->kind == ProcEventKind::kFork);
  CHECK(event->thread);
  CHECK(event->pid == 201);
  CHECK(event->tgid == 200);
}

TEST_CASE("proc events: exec of the leader, and of a thread") {
  proc_event exec = Header(proc_event::PROC_EVENT_EXEC);
  exec.event_data.exec = {300, 300};
  auto event = Parse(Message(exec));
  REQUIRE(event.ok());
  CHECK(event->kind == ProcEventKind::kExec);
  CHECK(event->pid == 300);
  CHECK_FALSE(event->thread);
  exec.event_data.exec = {301, 300};
  CHECK(Parse(Message(exec))->thread);
}

TEST_CASE("proc events: exits by status, by signal, with a core, and of a thread") {
  auto exited = Parse(Message(Exit(400, 400, 3 << 8)));
  REQUIRE(exited.ok());
  CHECK(exited->kind == ProcEventKind::kExit);
  CHECK(exited->exit_outcome.how == ExitOutcome::How::kExited);
  CHECK(exited->exit_outcome.status == 3);
  CHECK(exited->exit_signal == SIGCHLD);
  CHECK(exited->parent_pid == 1);
  CHECK_FALSE(exited->thread);

  auto killed = Parse(Message(Exit(401, 401, SIGKILL)));
  REQUIRE(killed.ok());
  CHECK(killed->exit_outcome == ExitOutcome{.how = ExitOutcome::How::kSignaled, .signal = SIGKILL});
  CHECK(killed->exit_code == SIGKILL);

  auto cored = Parse(Message(Exit(402, 402, SIGABRT | 0x80)));
  REQUIRE(cored.ok());
  CHECK(cored->exit_outcome ==
        ExitOutcome{.how = ExitOutcome::How::kSignaled, .signal = SIGABRT, .core_dumped = true});

  auto thread = Parse(Message(Exit(403, 400, 0, -1)));
  REQUIRE(thread.ok());
  CHECK(thread->thread);
  CHECK(thread->exit_signal == -1);
  CHECK(thread->exit_outcome.how == ExitOutcome::How::kExited);
}

TEST_CASE("proc events: an exit without the parent fields (an older kernel) still parses") {
  const auto bytes =
      Message(Exit(500, 500, 1 << 8), 1, offsetof(proc_event, event_data.exit.parent_pid));
  auto event = Parse(bytes);
  REQUIRE_MESSAGE(event.ok(), event.error());
  CHECK(event->exit_outcome.status == 1);
  CHECK(event->parent_pid == 0);
  CHECK(event->parent_tgid == 0);
}

TEST_CASE("proc events: exit codes decode as wait statuses") {
  CHECK(DecodeExitCode(0) == ExitOutcome{.how = ExitOutcome::How::kExited, .status = 0});
  CHECK(DecodeExitCode(255 << 8) == ExitOutcome{.how = ExitOutcome::How::kExited, .status = 255});
  CHECK(DecodeExitCode(SIGTERM) ==
        ExitOutcome{.how = ExitOutcome::How::kSignaled, .signal = SIGTERM});
  CHECK(DecodeExitCode(SIGSEGV | 0x80).core_dumped);
  // Shapes no exit produces stay kOther: a stop, bits above 16, a core flag without a signal,
  // a signal with a status.
  for (uint32_t odd : {0x137fU, 0x10000U, 0x80U, 0x109U}) {
    CAPTURE(odd);
    CHECK(DecodeExitCode(odd).how == ExitOutcome::How::kOther);
  }
}

TEST_CASE("proc events: comm, at most 15 characters and always terminated") {
  proc_event comm = Header(proc_event::PROC_EVENT_COMM);
  comm.event_data.comm.process_pid = 600;
  comm.event_data.comm.process_tgid = 600;
  std::memcpy(comm.event_data.comm.comm, "worker", 7);
  auto event = Parse(Message(comm));
  REQUIRE(event.ok());
  CHECK(event->kind == ProcEventKind::kComm);
  CHECK(std::string(event->comm.data()) == "worker");
  std::memset(comm.event_data.comm.comm, 'x', sizeof(comm.event_data.comm.comm));
  comm.event_data.comm.process_pid = 601;
  event = Parse(Message(comm));
  REQUIRE(event.ok());
  CHECK(std::string(event->comm.data()) == std::string(15, 'x'));
  CHECK(event->thread);
}

TEST_CASE("proc events: the listen acknowledgement and the other kinds") {
  proc_event ack = Header(proc_event::PROC_EVENT_NONE);
  ack.event_data.ack.err = 0;
  auto bytes = Message(ack);
  cn_msg message{};
  std::memcpy(&message, bytes.data() + NLMSG_HDRLEN, sizeof(message));
  message.ack = 43;
  std::memcpy(bytes.data() + NLMSG_HDRLEN, &message, sizeof(message));
  auto event = Parse(bytes);
  REQUIRE(event.ok());
  CHECK(event->kind == ProcEventKind::kOther);
  CHECK(event->is_ack);
  CHECK(event->ack == 43);
  CHECK(event->ack_error == 0);

  proc_event uid = Header(proc_event::PROC_EVENT_UID);
  uid.event_data.id.process_pid = 700;
  uid.event_data.id.process_tgid = 700;
  event = Parse(Message(uid));
  REQUIRE(event.ok());
  CHECK(event->kind == ProcEventKind::kOther);
  CHECK(event->what == proc_event::PROC_EVENT_UID);
  CHECK(event->pid == 700);
  CHECK_FALSE(event->is_ack);
}

TEST_CASE("proc events: bytes after the netlink length are not read") {
  auto bytes = Message(Fork(1, 2, 2));
  bytes.resize(bytes.size() + 100, std::byte{0xff});
  CHECK(Parse(bytes).ok());
}

TEST_CASE("proc events: every truncation of a message is an error, never a crash") {
  const auto whole = Message(Exit(800, 800, 0));
  for (std::size_t size = 0; size < whole.size(); ++size) {
    CAPTURE(size);
    auto event = ParseProcEventMessage(std::span(whole).first(size));
    CHECK_FALSE(event.ok());
    if (!event.ok()) CHECK_FALSE(event.error().empty());
  }
}

TEST_CASE("proc events: malformed headers say what is wrong") {
  auto with = [](auto edit) {
    auto bytes = Message(Fork(1, 2, 2));
    edit(bytes);
    return Parse(bytes);
  };
  auto set32 = [](std::vector<std::byte>& bytes, std::size_t at, uint32_t value) {
    std::memcpy(bytes.data() + at, &value, sizeof(value));
  };
  auto set16 = [](std::vector<std::byte>& bytes, std::size_t at, uint16_t value) {
    std::memcpy(bytes.data() + at, &value, sizeof(value));
  };
  constexpr std::size_t kCn = NLMSG_HDRLEN;

  auto short_len = with([&](auto& b) { set32(b, 0, 8); });
  REQUIRE_FALSE(short_len.ok());
  CHECK(short_len.error().find("netlink length 8") != std::string::npos);

  auto long_len = with([&](auto& b) { set32(b, 0, 1000); });
  REQUIRE_FALSE(long_len.ok());
  CHECK(long_len.error().find("outside the 76 bytes") != std::string::npos);

  auto error = with([&](auto& b) {
    set16(b, offsetof(nlmsghdr, nlmsg_type), NLMSG_ERROR);
    set32(b, NLMSG_HDRLEN, static_cast<uint32_t>(-EPERM));
  });
  REQUIRE_FALSE(error.ok());
  CHECK(error.error() == "netlink error " + std::to_string(EPERM));

  auto overrun = with([&](auto& b) { set16(b, offsetof(nlmsghdr, nlmsg_type), NLMSG_OVERRUN); });
  CHECK_FALSE(overrun.ok());

  auto other = with([&](auto& b) { set32(b, kCn + offsetof(cn_msg, id.idx), CN_IDX_CIFS); });
  REQUIRE_FALSE(other.ok());
  CHECK(other.error().find("not the process events connector") != std::string::npos);

  auto overrunning = with([&](auto& b) { set16(b, kCn + offsetof(cn_msg, len), 41); });
  REQUIRE_FALSE(overrunning.ok());
  CHECK(overrunning.error().find("cn_msg length 41") != std::string::npos);

  auto no_header = with([&](auto& b) { set16(b, kCn + offsetof(cn_msg, len), 12); });
  REQUIRE_FALSE(no_header.ok());
  CHECK(no_header.error().find("no whole header") != std::string::npos);

  // A fork needs its four pids: 16 + 16 bytes.
  auto short_fork = with([&](auto& b) { set16(b, kCn + offsetof(cn_msg, len), 28); });
  REQUIRE_FALSE(short_fork.ok());
  CHECK(short_fork.error().find("needs 32") != std::string::npos);
}
