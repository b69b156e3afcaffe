// The process events connector on a thread of its own, feeding the ledger (process_ledger.h)
// that each scan hands over to: what the scan sees is the truth about who is alive and where,
// and what happened in between comes from here. Every gauge still comes from the scan; a lost
// event only makes a lifecycle counter lower, and the loss is counted.
//
// Threads: Start on any thread; Handover on the scan thread; Stop and the destructor on any.
// The ledger is under one mutex, held per event by the reader and for one Rebase by the scan.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "collectors/base/expected.h"
#include "collectors/base/proc_files.h"
#include "collectors/events/proc_connector.h"
#include "collectors/events/process_ledger.h"
#include "collectors/snapshot.h"

namespace cproc {

struct EventSourceOptions {
  ProcConnectorOptions connector;
  std::string procfs = "/proc";  // where an exec'ing process's cgroup is read
};

struct EventHandover {
  LifecycleDeltas deltas;  // since the previous hand-over, by container_id
  // Counted from the previous hand-over on with nothing lost, so that counts equal the truth
  // (the orphans then replace the scan's own count).
  bool covered = false;
  EventSourceStats stats;
};

class EventSource {
 public:
  // Subscribes (ProcConnector::Open: up to its acknowledgement timeout) and starts the reader
  // thread. The error says why events cannot be had here.
  static Expected<std::unique_ptr<EventSource>> Start(const EventSourceOptions& options);

  ~EventSource();  // Stop
  EventSource(const EventSource&) = delete;
  EventSource& operator=(const EventSource&) = delete;

  EventHandover Handover(const Snapshot& snapshot);

  // Ends the reader thread within one poll wake-up; idempotent.
  void Stop();

 private:
  EventSource(std::unique_ptr<ProcConnector> connector, Fd proc_fd);
  void Read();
  void OnEvent(const ProcEvent& event);
  void ReadCgroupAfterExec(int32_t tgid);

  std::unique_ptr<ProcConnector> connector_;
  Fd proc_fd_;
  std::mutex mutex_;
  ProcessLedger ledger_;  // under mutex_
  std::atomic<bool> failed_{false};
  std::string text_;  // reader thread only: the cgroup and status files read after an exec
  uint64_t lost_at_handover_ = 0;  // scan thread only
  std::once_flag stopped_;
  std::thread thread_;
};

}  // namespace cproc
