// The socket side of the process events connector: subscribes to the kernel's fork/exec/exit
// reports (NETLINK_CONNECTOR, group CN_IDX_PROC), reads them into ProcEvents (proc_event.h)
// and counts what was lost. Not wired into the scan yet.
//
// Threads: Open on any thread; Run on the reader thread (it blocks until Stop); Stop and stats
// from any thread; the destructor once Run has returned (or was never called).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>

#include "collectors/base/expected.h"
#include "collectors/base/proc_files.h"
#include "collectors/events/proc_event.h"
#include "collectors/events/sequence_tracker.h"

struct sockaddr_nl;

namespace cproc {

struct ProcConnectorOptions {
  // SO_RCVBUF of the socket (SO_RCVBUFFORCE when allowed, past net.core.rmem_max); 0 keeps the
  // kernel's default. A burst larger than the buffer is lost and counted. The default (208 KiB
  // on Debian 12, about 200 messages) overflowed here while two compilers ran; 1 MiB (the kernel
  // accounts twice that) holds about 2000.
  int receive_buffer_bytes = 1 << 20;
  // How long Open waits for the kernel to acknowledge the subscription. A kernel that ignores
  // the request (another namespace, no CONFIG_PROC_EVENTS) never answers.
  std::chrono::milliseconds ack_timeout{1000};
};

struct ProcConnectorStats {
  uint64_t events = 0;     // messages parsed and handed to the handler (acks included)
  uint64_t malformed = 0;  // messages the parser refused, or not sent by the kernel
  uint64_t overruns = 0;   // recv failed with ENOBUFS: the socket's queue overflowed
  uint64_t missed = 0;     // messages missing from the per-CPU sequences (SequenceTracker)
};

class ProcConnector {
 public:
  using Handler = std::function<void(const ProcEvent&)>;

  // Opens the socket, subscribes and waits for the kernel's acknowledgement. The error says why
  // it cannot run: not in the initial namespaces, no connector in the kernel, no CAP_NET_ADMIN,
  // no answer. Events the kernel sent before its acknowledgement are not handed on: they
  // happened before Open returned.
  static Expected<std::unique_ptr<ProcConnector>> Open(const ProcConnectorOptions& options);

  ~ProcConnector();  // unsubscribes (PROC_CN_MCAST_IGNORE) and closes
  ProcConnector(const ProcConnector&) = delete;
  ProcConnector& operator=(const ProcConnector&) = delete;

  // Hands every event to `handler`, on the calling thread, until Stop. Returns true once
  // stopped; an error when the socket fails (ENOBUFS is no failure: it is counted). Events come
  // in bursts: after draining the socket it waits some milliseconds (proc_connector.cpp).
  Expected<bool> Run(const Handler& handler);

  // Makes Run return within one poll wake-up (an eventfd), whatever the event rate.
  void Stop();

  ProcConnectorStats stats() const;

 private:
  ProcConnector(Fd socket, Fd stop);
  struct Batch;
  // One datagram; false when there was none (EAGAIN). Errors other than ENOBUFS are returned.
  Expected<bool> ReceiveOne(ProcEvent& event, bool& parsed);
  // Up to a batch of datagrams, each parsed event handed on; how many were read (0: none
  // waiting; a full batch: more may be).
  Expected<unsigned> ReceiveBatch(Batch& batch, const Handler& handler);
  // The checks of one datagram from `from`, counted when it fails them.
  bool Parse(const sockaddr_nl& from, std::span<const std::byte> datagram, ProcEvent& event);
  void Count(const ProcEvent& event);

  Fd socket_;
  Fd stop_;
  SequenceTracker sequences_;  // reader thread only
  std::atomic<uint64_t> events_{0};
  std::atomic<uint64_t> malformed_{0};
  std::atomic<uint64_t> overruns_{0};
  std::atomic<uint64_t> missed_{0};
};

}  // namespace cproc
