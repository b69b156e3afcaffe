// Signal names as container runtimes write them (a stop signal: Docker's "SIGUSR1", Podman's
// "10", Dockerfile STOPSIGNAL "SIGRTMIN+3") and as the metrics show them.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace cproc {

// Real-time signals as Docker numbers them (moby/sys/signal: RTMIN = 34, glibc's SIGRTMIN;
// the kernel's 32 and 33 belong to the C library's threads), so "SIGRTMIN+3" is systemd's 37.
inline constexpr int kSignalRtMin = 34;
inline constexpr int kSignalMax = 64;  // _NSIG - 1 on Linux

// "SIGUSR1", "usr1", "10", "SIGRTMIN+3", "RTMAX-2": case-insensitive, the SIG prefix optional,
// as Docker's ParseSignal takes them. nullopt for anything else, 0, or a number above 64.
std::optional<int> ParseSignal(std::string_view text);

// "SIGTERM", "SIGRTMIN+3"; "SIG<n>" for a number without a name (32, 33, out of range).
std::string SignalName(int signal);

}  // namespace cproc
