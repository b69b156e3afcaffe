// Which well-known init programs a container's PID 1 is. They are recognised by the executable
// (tini and docker-init wait in sigtimedwait, so their signal masks show nothing:
// docs/ARCHITECTURE.md "Kernel facts").
#pragma once

#include <string_view>

namespace cproc {

// `exe_basename` is the last component of /proc/PID/exe (empty when unreadable) and decides
// first; `comm` only where the exe cannot tell: unreadable, busybox's init applet, and
// supervisord (a Python script). Returns the init's canonical name ("tini", ...) or "none".
std::string_view RecogniseInit(std::string_view exe_basename, std::string_view comm);

// Whether recognised init `init` (RecogniseInit's answer) passes `signal` on to its child
// whatever its masks show. Every one does for SIGTERM (the assumption behind handles_sigterm);
// tini / docker-init, dumb-init and catatonit forward what they can take, each with its own
// exceptions. For the others (systemd, s6, runit, ...) only their masks can tell. "none": false.
bool ForwardsSignal(std::string_view init, int signal);

}  // namespace cproc
