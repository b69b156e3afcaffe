#include "collectors/events/proc_connector.h"

#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/netlink.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <string>

#include "collectors/events/connector_namespaces.h"
#include "collectors/procfs/self_namespaces.h"

namespace cproc {
namespace {

// One cn_proc message is 76 bytes; room for anything the connector may add.
constexpr std::size_t kReceiveBuffer = 4096;
// Run reads up to this many messages per recvmmsg call, and between two calls looks at the stop
// descriptor, so a flood still lets it see Stop.
constexpr unsigned kBatch = 64;
// While events come fast, Run waits this long after draining the socket before it polls again:
// they pile up in the socket's buffer meanwhile and are read kBatch per system call, instead of
// a wake-up and three system calls each (0.6 to 1.2 us per event from 5,000 forks/s instead of 4
// to 11: bench/results/2026-12-07-events.md). Short next to what the default buffer holds (about
// 2,500 messages: 60 ms at 20,000 forks/s).
constexpr int kCoalesceMs = 10;
// "Fast": more messages a second than this over the last kRateWindow, or a drain that needed a
// full batch. Slower, Run polls again at once: an exec must be read while its process lives, so
// that its cgroup can still be read (`docker exec c true` lives about a millisecond), and there
// are few wake-ups to save.
constexpr uint64_t kCoalesceAbovePerSecond = 2000;
constexpr std::chrono::milliseconds kRateWindow{100};

std::string Errno(int error) { return std::string(std::strerror(error)); }

// PROC_CN_MCAST_LISTEN or _IGNORE in its oldest form (a bare op, all events), which every
// kernel with the connector accepts; `ack` comes back + 1 in the kernel's acknowledgement.
bool SendOp(int fd, proc_cn_mcast_op op, uint32_t ack) {
  std::array<std::byte, NLMSG_LENGTH(sizeof(cn_msg) + sizeof(uint32_t))> buffer{};
  nlmsghdr header{};
  header.nlmsg_len = buffer.size();
  header.nlmsg_type = NLMSG_DONE;
  header.nlmsg_pid = 0;  // the kernel fills in our port id
  cn_msg message{};
  message.id.idx = CN_IDX_PROC;
  message.id.val = CN_VAL_PROC;
  message.ack = ack;
  message.len = sizeof(uint32_t);
  const auto value = static_cast<uint32_t>(op);
  std::memcpy(buffer.data(), &header, sizeof(header));
  std::memcpy(buffer.data() + NLMSG_HDRLEN, &message, sizeof(message));
  std::memcpy(buffer.data() + NLMSG_HDRLEN + sizeof(cn_msg), &value, sizeof(value));
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  return ::sendto(fd, buffer.data(), buffer.size(), 0, reinterpret_cast<sockaddr*>(&kernel),
                  sizeof(kernel)) == static_cast<ssize_t>(buffer.size());
}

// For the message when the kernel does not answer: what its build configuration says, where
// the distribution installed it (/boot/config-<release>); empty when unknown.
std::string ProcEventsConfig() {
  utsname name{};
  if (::uname(&name) != 0) return "";
  std::ifstream config(std::string("/boot/config-") + name.release);
  std::string line;
  while (std::getline(config, line)) {
    if (line == "CONFIG_PROC_EVENTS=y") return "CONFIG_PROC_EVENTS=y";
    if (line == "# CONFIG_PROC_EVENTS is not set") return "CONFIG_PROC_EVENTS is not set";
  }
  return "";
}

// A nonce per subscription, to tell our acknowledgement from other listeners' (the kernel
// sends every acknowledgement to every listener).
uint32_t NextAck() {
  static std::atomic<uint32_t> counter{0};
  return (static_cast<uint32_t>(::getpid()) << 12) + (counter.fetch_add(1) & 0xfff);
}

}  // namespace

ProcConnector::ProcConnector(Fd socket, Fd stop)
    : socket_(std::move(socket)), stop_(std::move(stop)) {}

ProcConnector::~ProcConnector() {
  // The kernel counts listeners and keeps building messages while it thinks one is left.
  if (socket_.valid()) SendOp(socket_.get(), PROC_CN_MCAST_IGNORE, NextAck());
}

Expected<std::unique_ptr<ProcConnector>> ProcConnector::Open(const ProcConnectorOptions& options) {
  if (auto problem = ConnectorNamespaceProblem(ReadSelfNamespaces(), RunningKernelVersion())) {
    return Error{"process events connector unusable: " + *problem};
  }
  Fd socket(::socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_CONNECTOR));
  if (!socket.valid()) {
    const int error = errno;
    return Error{"netlink connector socket: " + Errno(error) +
                 (error == EPROTONOSUPPORT ? " (kernel built without CONFIG_CONNECTOR)" : "")};
  }
  if (options.receive_buffer_bytes > 0) {
    const int bytes = options.receive_buffer_bytes;
    if (::setsockopt(socket.get(), SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof(bytes)) != 0 &&
        ::setsockopt(socket.get(), SOL_SOCKET, SO_RCVBUF, &bytes, sizeof(bytes)) != 0) {
      return Error{"SO_RCVBUF " + std::to_string(bytes) + ": " + Errno(errno)};
    }
  }
  sockaddr_nl local{};
  local.nl_family = AF_NETLINK;
  local.nl_groups = CN_IDX_PROC;
  if (::bind(socket.get(), reinterpret_cast<sockaddr*>(&local), sizeof(local)) != 0) {
    const int error = errno;
    return Error{"binding to the process events group: " + Errno(error) +
                 (error == EPERM ? " (needs CAP_NET_ADMIN in the initial user namespace)" : "")};
  }
  Fd stop(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!stop.valid()) return Error{"eventfd: " + Errno(errno)};

  const uint32_t ack = NextAck();
  if (!SendOp(socket.get(), PROC_CN_MCAST_LISTEN, ack)) {
    const int error = errno;
    return Error{"sending PROC_CN_MCAST_LISTEN: " + Errno(error) +
                 (error == ECONNREFUSED ? " (no connector in this network namespace: it lives "
                                          "only in the initial one)"
                                        : "")};
  }
  std::unique_ptr<ProcConnector> connector(new ProcConnector(std::move(socket), std::move(stop)));

  // The kernel handles the request within sendto and answers at once; events from other CPUs
  // may come first, and go to the sequence tracker only.
  const auto deadline = std::chrono::steady_clock::now() + options.ack_timeout;
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd fd{connector->socket_.get(), POLLIN, 0};
    const int ready = ::poll(&fd, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno != EINTR) return Error{"poll: " + Errno(errno)};
    if (ready <= 0) continue;
    ProcEvent event;
    bool parsed = false;
    auto received = connector->ReceiveOne(event, parsed);
    if (!received) return Error{received.error()};
    if (!parsed || !event.is_ack || event.ack != ack + 1) continue;
    if (event.ack_error != 0) {
      return Error{"the kernel refused PROC_CN_MCAST_LISTEN: " +
                   Errno(static_cast<int>(event.ack_error))};
    }
    return connector;
  }
  const std::string config = ProcEventsConfig();
  return Error{"no answer from the process events connector within " +
               std::to_string(options.ack_timeout.count()) +
               " ms to PROC_CN_MCAST_LISTEN (a kernel without CONFIG_PROC_EVENTS, or a listener "
               "outside the initial user and PID namespaces, is never answered" +
               (config.empty() ? "" : "; this kernel: " + config) + ")"};
}

Expected<bool> ProcConnector::ReceiveOne(ProcEvent& event, bool& parsed) {
  alignas(nlmsghdr) std::array<std::byte, kReceiveBuffer> buffer;
  parsed = false;
  sockaddr_nl from{};
  socklen_t from_len = sizeof(from);
  const ssize_t got = ::recvfrom(socket_.get(), buffer.data(), buffer.size(), MSG_TRUNC,
                                 reinterpret_cast<sockaddr*>(&from), &from_len);
  if (got < 0) {
    const int error = errno;
    if (error == EAGAIN || error == EINTR) return false;
    if (error == ENOBUFS) {
      // The queue overflowed: messages were dropped. The sequence gaps count how many; the
      // overrun itself is counted in case every message of a CPU was lost.
      overruns_.fetch_add(1, std::memory_order_relaxed);
      return true;
    }
    return Error{"recv from the process events connector: " + Errno(error)};
  }
  if (!Parse(from, std::span(buffer.data(), static_cast<std::size_t>(got)), event)) return true;
  parsed = true;
  return true;
}

// Only the kernel (port 0) speaks for the connector; a longer datagram than the buffer was cut
// (MSG_TRUNC gives its real length) and is not parsed.
bool ProcConnector::Parse(const sockaddr_nl& from, std::span<const std::byte> datagram,
                          ProcEvent& event) {
  if (from.nl_pid != 0 || datagram.size() > kReceiveBuffer) {
    malformed_.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  auto result = ParseProcEventMessage(datagram);
  if (!result) {
    malformed_.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  event = *result;
  Count(event);
  return true;
}

void ProcConnector::Count(const ProcEvent& event) {
  const uint32_t missed = sequences_.Observe(event.cpu, event.sequence);
  if (missed != 0) missed_.fetch_add(missed, std::memory_order_relaxed);
}

// The buffers of one recvmmsg call, allocated once per Run.
struct ProcConnector::Batch {
  alignas(nlmsghdr) std::array<std::array<std::byte, kReceiveBuffer>, kBatch> buffers;
  std::array<iovec, kBatch> iovecs;
  std::array<sockaddr_nl, kBatch> senders;
  std::array<mmsghdr, kBatch> headers;
};

Expected<unsigned> ProcConnector::ReceiveBatch(Batch& batch, const Handler& handler) {
  for (unsigned i = 0; i < kBatch; ++i) {
    batch.iovecs[i] = iovec{batch.buffers[i].data(), kReceiveBuffer};
    batch.headers[i] = mmsghdr{};
    batch.headers[i].msg_hdr.msg_name = &batch.senders[i];
    batch.headers[i].msg_hdr.msg_namelen = sizeof(sockaddr_nl);
    batch.headers[i].msg_hdr.msg_iov = &batch.iovecs[i];
    batch.headers[i].msg_hdr.msg_iovlen = 1;
  }
  // MSG_TRUNC: msg_len is the datagram's real length, so a cut one is told apart.
  const int got = ::recvmmsg(socket_.get(), batch.headers.data(), kBatch, MSG_TRUNC, nullptr);
  if (got < 0) {
    const int error = errno;
    if (error == EAGAIN || error == EINTR) return 0U;
    if (error == ENOBUFS) {
      overruns_.fetch_add(1, std::memory_order_relaxed);  // as in ReceiveOne
      return kBatch;                                      // more is waiting
    }
    return Error{"recv from the process events connector: " + Errno(error)};
  }
  for (std::size_t i = 0; i < static_cast<std::size_t>(got); ++i) {
    const auto length = static_cast<std::size_t>(batch.headers[i].msg_len);
    ProcEvent event;
    if (!Parse(batch.senders[i], std::span(batch.buffers[i].data(), length), event)) continue;
    events_.fetch_add(1, std::memory_order_relaxed);
    handler(event);
  }
  return static_cast<unsigned>(got);
}

Expected<bool> ProcConnector::Run(const Handler& handler) {
  auto batch = std::make_unique<Batch>();
  std::array<pollfd, 2> fds{pollfd{socket_.get(), POLLIN, 0}, pollfd{stop_.get(), POLLIN, 0}};
  pollfd stop{stop_.get(), POLLIN, 0};
  auto window_start = std::chrono::steady_clock::now();
  uint64_t window_messages = 0;
  bool fast = false;
  while (true) {
    if (::poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      return Error{"poll: " + Errno(errno)};
    }
    if (fds[1].revents != 0) return true;
    bool burst = false;
    while (true) {
      auto received = ReceiveBatch(*batch, handler);
      if (!received) return Error{received.error()};
      window_messages += *received;
      if (*received < kBatch) break;  // drained
      burst = true;
      if (::poll(&stop, 1, 0) > 0) return true;
    }
    const auto now = std::chrono::steady_clock::now();
    if (const auto elapsed = now - window_start; elapsed >= kRateWindow) {
      const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count();
      fast = window_messages * 1000 > kCoalesceAbovePerSecond * static_cast<uint64_t>(ms);
      window_start = now;
      window_messages = 0;
    }
    if ((burst || fast) && ::poll(&stop, 1, kCoalesceMs) > 0) return true;
  }
}

void ProcConnector::Stop() {
  const uint64_t one = 1;
  [[maybe_unused]] const ssize_t written = ::write(stop_.get(), &one, sizeof(one));
}

ProcConnectorStats ProcConnector::stats() const {
  return ProcConnectorStats{
      .events = events_.load(std::memory_order_relaxed),
      .malformed = malformed_.load(std::memory_order_relaxed),
      .overruns = overruns_.load(std::memory_order_relaxed),
      .missed = missed_.load(std::memory_order_relaxed),
  };
}

}  // namespace cproc
