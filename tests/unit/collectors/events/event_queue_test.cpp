#include "collectors/events/event_queue.h"

#include <doctest/doctest.h>

#include <thread>
#include <vector>

using cproc::EventQueue;
using cproc::ProcEvent;

namespace {

ProcEvent WithPid(int32_t pid) {
  ProcEvent event;
  event.pid = pid;
  event.tgid = pid;
  return event;
}

}  // namespace

TEST_CASE("event queue: full means dropped and counted, oldest first after a drain") {
  EventQueue queue(3);
  CHECK(queue.capacity() == 3);
  for (int32_t pid = 1; pid <= 5; ++pid) CHECK(queue.Push(WithPid(pid)) == (pid <= 3));
  std::vector<ProcEvent> out;
  CHECK(queue.Drain(out) == 2);
  REQUIRE(out.size() == 3);
  CHECK(out[0].pid == 1);
  CHECK(out[2].pid == 3);
  CHECK(queue.dropped_total() == 2);

  // Room again, and the ring's wrap keeps the order.
  out.clear();
  CHECK(queue.Push(WithPid(6)));
  CHECK(queue.Drain(out) == 0);
  CHECK(queue.Push(WithPid(7)));
  CHECK(queue.Push(WithPid(8)));
  CHECK(queue.Push(WithPid(9)));
  CHECK(queue.Drain(out) == 0);
  REQUIRE(out.size() == 4);
  CHECK(out[1].pid == 7);
  CHECK(out[3].pid == 9);
  CHECK(queue.dropped_total() == 2);
}

TEST_CASE("event queue: a capacity of 0 is 1") {
  EventQueue queue(0);
  CHECK(queue.Push(WithPid(1)));
  CHECK_FALSE(queue.Push(WithPid(2)));
}

TEST_CASE("event queue: one producer and one consumer lose nothing they do not count") {
  EventQueue queue(64);
  constexpr int32_t kEvents = 20000;
  std::thread producer([&] {
    for (int32_t pid = 1; pid <= kEvents; ++pid) queue.Push(WithPid(pid));
  });
  std::vector<ProcEvent> out;
  uint64_t dropped = 0;
  int32_t last = 0;
  bool ordered = true;
  while (static_cast<uint64_t>(out.size()) + dropped < kEvents) {
    const std::size_t before = out.size();
    dropped += queue.Drain(out);
    for (std::size_t i = before; i < out.size(); ++i) {
      ordered = ordered && out[i].pid > last;
      last = out[i].pid;
    }
  }
  producer.join();
  CHECK(ordered);
  CHECK(out.size() + dropped == kEvents);
  CHECK(queue.dropped_total() == dropped);
}
