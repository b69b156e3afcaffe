#include "collectors/events/event_queue.h"

#include <algorithm>

namespace cproc {

EventQueue::EventQueue(std::size_t capacity) : ring_(std::max<std::size_t>(capacity, 1)) {}

bool EventQueue::Push(const ProcEvent& event) {
  std::lock_guard lock(mutex_);
  if (size_ == ring_.size()) {
    ++dropped_since_drain_;
    ++dropped_total_;
    return false;
  }
  ring_[(head_ + size_) % ring_.size()] = event;
  ++size_;
  return true;
}

uint64_t EventQueue::Drain(std::vector<ProcEvent>& out) {
  std::lock_guard lock(mutex_);
  out.reserve(out.size() + size_);
  for (std::size_t i = 0; i < size_; ++i) out.push_back(ring_[(head_ + i) % ring_.size()]);
  head_ = 0;
  size_ = 0;
  const uint64_t dropped = dropped_since_drain_;
  dropped_since_drain_ = 0;
  return dropped;
}

uint64_t EventQueue::dropped_total() const {
  std::lock_guard lock(mutex_);
  return dropped_total_;
}

}  // namespace cproc
