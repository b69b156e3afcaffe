// One netlink message of the process events connector (nlmsghdr + cn_msg + proc_event).
#include <vector>

#include "collectors/events/proc_event.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const std::byte> bytes(reinterpret_cast<const std::byte*>(data), size);
  auto parsed = cproc::ParseProcEventMessage(bytes);
  if (!parsed) {
    FUZZ_CHECK(!parsed.error().empty());
    return 0;
  }
  const cproc::ProcEvent& event = *parsed;
  FUZZ_CHECK(event.thread == (event.pid != event.tgid));
  FUZZ_CHECK(event.comm.back() == '\0');
  FUZZ_CHECK(event.is_ack == (event.what == 0));
  if (event.kind == cproc::ProcEventKind::kExit) {
    FUZZ_CHECK(event.exit_outcome == cproc::DecodeExitCode(event.exit_code));
  }
  using How = cproc::ExitOutcome::How;
  const cproc::ExitOutcome& outcome = event.exit_outcome;
  if (outcome.how == How::kExited) FUZZ_CHECK(outcome.status >= 0 && outcome.status <= 255);
  if (outcome.how == How::kSignaled) FUZZ_CHECK(outcome.signal >= 1 && outcome.signal < 0x7f);
  // Bytes past the message's own length are never read: appending some changes nothing.
  std::vector<std::byte> longer(bytes.begin(), bytes.end());
  longer.resize(longer.size() + 8, std::byte{0xa5});
  auto again = cproc::ParseProcEventMessage(longer);
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(*again == event);
  return 0;
}
