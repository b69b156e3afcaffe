// /proc/PID/cgroup: one line per hierarchy, "hierarchy-ID:controller-list:cgroup-path".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/base/expected.h"

namespace cproc {

struct CgroupLine {
  uint32_t hierarchy = 0;   // 0 is the unified (v2) hierarchy
  std::string controllers;  // "pids", "cpu,cpuacct", "name=systemd"; empty on the v2 line
  std::string path;         // " (deleted)" suffix of removed v2 cgroups already stripped
  bool deleted = false;

  bool unified() const { return hierarchy == 0 && controllers.empty(); }
  bool HasController(std::string_view name) const;
};

// Every line is kept: on hybrid hosts the v1 lines and the 0:: line disagree, and for a zombie
// the v1 lines say "/" while 0:: still names the container (docs/ARCHITECTURE.md "Kernel facts").
Expected<std::vector<CgroupLine>> ParseProcCgroup(std::string_view text);

}  // namespace cproc
