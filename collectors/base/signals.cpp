#include "collectors/base/signals.h"

#include <array>
#include <csignal>
#include <tuple>
#include <utility>

#include "collectors/base/parse_util.h"

namespace cproc {
namespace {

// The platform's numbers (<csignal>), so an architecture with other numbers stays right; the
// first name of a number is the one shown.
constexpr std::array<std::pair<int, std::string_view>, 34> kNames = {{
    {SIGHUP, "HUP"},
    {SIGINT, "INT"},
    {SIGQUIT, "QUIT"},
    {SIGILL, "ILL"},
    {SIGTRAP, "TRAP"},
    {SIGABRT, "ABRT"},
    {SIGBUS, "BUS"},
    {SIGFPE, "FPE"},
    {SIGKILL, "KILL"},
    {SIGUSR1, "USR1"},
    {SIGSEGV, "SEGV"},
    {SIGUSR2, "USR2"},
    {SIGPIPE, "PIPE"},
    {SIGALRM, "ALRM"},
    {SIGTERM, "TERM"},
    {SIGSTKFLT, "STKFLT"},
    {SIGCHLD, "CHLD"},
    {SIGCONT, "CONT"},
    {SIGSTOP, "STOP"},
    {SIGTSTP, "TSTP"},
    {SIGTTIN, "TTIN"},
    {SIGTTOU, "TTOU"},
    {SIGURG, "URG"},
    {SIGXCPU, "XCPU"},
    {SIGXFSZ, "XFSZ"},
    {SIGVTALRM, "VTALRM"},
    {SIGPROF, "PROF"},
    {SIGWINCH, "WINCH"},
    {SIGIO, "IO"},
    {SIGPWR, "PWR"},
    {SIGSYS, "SYS"},
    // Aliases Docker's table also accepts.
    {SIGABRT, "IOT"},
    {SIGIO, "POLL"},
    {SIGCHLD, "CLD"},
}};

bool EqualsUpper(std::string_view text, std::string_view upper) {
  if (text.size() != upper.size()) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if ((c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c) != upper[i]) return false;
  }
  return true;
}

bool StartsWithUpper(std::string_view text, std::string_view upper) {
  return text.size() >= upper.size() && EqualsUpper(text.substr(0, upper.size()), upper);
}

std::optional<int> InRange(std::optional<int> signal) {
  if (!signal || *signal < 1 || *signal > kSignalMax) return std::nullopt;
  return signal;
}

// "RTMIN", "RTMIN+n", "RTMAX", "RTMAX-n".
std::optional<int> RealTime(std::string_view name) {
  for (const auto& [prefix, base, sign] : {std::tuple{std::string_view("RTMIN"), kSignalRtMin, 1},
                                           std::tuple{std::string_view("RTMAX"), kSignalMax, -1}}) {
    if (!StartsWithUpper(name, prefix)) continue;
    std::string_view rest = name.substr(prefix.size());
    if (rest.empty()) return base;
    if (rest.front() != (sign > 0 ? '+' : '-')) return std::nullopt;
    const auto offset = ParseNumber<int>(rest.substr(1));
    if (!offset || *offset > kSignalMax - kSignalRtMin) return std::nullopt;
    const int signal = base + sign * *offset;
    return signal >= kSignalRtMin && signal <= kSignalMax ? std::optional(signal) : std::nullopt;
  }
  return std::nullopt;
}

}  // namespace

std::optional<int> ParseSignal(std::string_view text) {
  text = TrimSpace(text);
  if (auto number = ParseNumber<int>(text)) return InRange(number);
  if (StartsWithUpper(text, "SIG")) text.remove_prefix(3);
  for (const auto& [signal, name] : kNames) {
    if (EqualsUpper(text, name)) return signal;
  }
  return RealTime(text);
}

std::string SignalName(int signal) {
  for (const auto& [number, name] : kNames) {
    if (number == signal) return "SIG" + std::string(name);
  }
  if (signal == kSignalRtMin) return "SIGRTMIN";
  if (signal == kSignalMax) return "SIGRTMAX";
  if (signal > kSignalRtMin && signal < kSignalMax) {
    return "SIGRTMIN+" + std::to_string(signal - kSignalRtMin);
  }
  return "SIG" + std::to_string(signal);
}

}  // namespace cproc
