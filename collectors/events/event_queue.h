// The hand-over from the connector's reader thread to the thread that uses the events (the scan
// thread, in a later step): a ring of fixed capacity allocated once, so memory stays bounded
// whatever the event rate. When it is full the new event is dropped and counted; the consumer
// learns it lost events rather than the reader blocking (a blocked reader would lose them in
// the kernel instead, uncounted by sequence).
//
// Threads: Push from the reader thread (the ProcConnector::Run handler); Drain from the consumer
// thread; dropped() from any. One mutex guards everything; each call holds it for a copy.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <vector>

#include "collectors/events/proc_event.h"

namespace cproc {

class EventQueue {
 public:
  explicit EventQueue(std::size_t capacity);  // at least 1

  // false when full: the event is dropped and counted.
  bool Push(const ProcEvent& event);

  // Appends every queued event to `out`, oldest first, and empties the queue. Returns the
  // drops counted since the previous Drain (the events missing between them).
  uint64_t Drain(std::vector<ProcEvent>& out);

  std::size_t capacity() const { return ring_.size(); }
  uint64_t dropped_total() const;

 private:
  mutable std::mutex mutex_;
  std::vector<ProcEvent> ring_;  // sized once
  std::size_t head_ = 0;         // oldest
  std::size_t size_ = 0;
  uint64_t dropped_since_drain_ = 0;
  uint64_t dropped_total_ = 0;
};

}  // namespace cproc
