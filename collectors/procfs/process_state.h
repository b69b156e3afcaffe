// Process states as exported in the `state` label. Every state is always emitted (0 when none),
// so dashboards and alerts never deal with absent series.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace cproc {

enum class ProcessState : uint8_t {
  kRunning,
  kSleeping,
  kDiskSleep,
  kStopped,
  kZombie,
  kIdle,
  kOther
};
inline constexpr std::size_t kProcessStateCount = 7;

inline constexpr std::array<std::string_view, kProcessStateCount> kProcessStateNames = {
    "running", "sleeping", "disk_sleep", "stopped", "zombie", "idle", "other"};

constexpr std::string_view ProcessStateName(ProcessState state) {
  return kProcessStateNames[static_cast<std::size_t>(state)];
}

// The state letter of /proc/PID/stat field 3 (fs/proc/array.c task_state_array).
constexpr ProcessState ProcessStateFromCode(char code) {
  switch (code) {
    case 'R':
      return ProcessState::kRunning;
    case 'S':
      return ProcessState::kSleeping;
    case 'D':
      return ProcessState::kDiskSleep;
    case 'T':
    case 't':
      return ProcessState::kStopped;  // stopped by a signal or by a tracer
    case 'Z':
      return ProcessState::kZombie;
    case 'I':
      return ProcessState::kIdle;
    default:
      return ProcessState::kOther;  // X (dead), and letters of older kernels
  }
}

using StateCounts = std::array<uint32_t, kProcessStateCount>;

}  // namespace cproc
