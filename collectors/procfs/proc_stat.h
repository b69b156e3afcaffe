// /proc/PID/stat: the one file read for every process on every scan.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "collectors/base/expected.h"

namespace cproc {

struct ProcStat {
  int32_t pid = 0;
  std::string comm;  // raw bytes between the first '(' and the last ')'; may hold anything
  char state = '?';
  int32_t ppid = 0;
  uint64_t utime_ticks = 0;
  uint64_t stime_ticks = 0;
  uint32_t num_threads = 0;
  uint64_t start_ticks = 0;  // clock ticks after boot: with the pid, the identity of a process
  uint64_t vsize_bytes = 0;
  uint64_t rss_pages = 0;
  // Where exec(2) placed the program: text and stack addresses, randomised per exec (ASLR) and
  // fixed until the next one, so a change means "this process exec'd". 0 when the reader may
  // not ptrace-read the process (the kernel hides them), for zombies and kernel threads, and
  // when the line ends before them.
  uint64_t start_code = 0;
  uint64_t end_code = 0;
  uint64_t start_stack = 0;
};

// Parses the whole file. The comm field is found between the first '(' and the *last* ')', so
// names holding spaces, parentheses, ") R 1" or newlines cannot shift the fields after it.
Expected<ProcStat> ParseProcStat(std::string_view text);

// Into an existing object so a scan can reuse the comm string's storage (no heap churn).
bool ParseProcStatInto(std::string_view text, ProcStat& out, std::string* error);

// Changes when the process execs: its comm and where the new program was mapped. runc,
// nsenter and `docker exec` exec right after joining a container's cgroup or namespaces, so a
// new signature is the cheap, per-scan sign that those must be read again.
uint64_t ExecSignature(const ProcStat& stat);

}  // namespace cproc
