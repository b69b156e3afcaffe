#include "collectors/procfs/proc_cgroup.h"

#include "collectors/base/parse_util.h"

namespace cproc {
namespace {

// cgroup v2 marks removed cgroups (kernel/cgroup/cgroup.c proc_cgroup_show).
constexpr std::string_view kDeletedSuffix = " (deleted)";

}  // namespace

bool CgroupLine::HasController(std::string_view name) const {
  std::string_view rest = controllers;
  while (!rest.empty()) {
    if (NextToken(rest, ',') == name) return true;
  }
  return false;
}

Expected<std::vector<CgroupLine>> ParseProcCgroup(std::string_view text) {
  std::vector<CgroupLine> lines;
  int line_number = 0;
  while (!text.empty()) {
    ++line_number;
    std::string_view line = NextToken(text, '\n');
    if (line.empty()) continue;
    auto bad = [&](std::string_view expected) {
      return Error{"line " + std::to_string(line_number) + ": expected " + std::string(expected) +
                   ", got '" + std::string(line.substr(0, 80)) + "'"};
    };
    // The path is everything after the second colon: it may contain colons itself.
    const auto first = line.find(':');
    const auto second = first == std::string_view::npos ? first : line.find(':', first + 1);
    if (second == std::string_view::npos) return bad("'hierarchy:controllers:path'");
    auto hierarchy = ParseNumber<uint32_t>(line.substr(0, first));
    if (!hierarchy) return bad("a numeric hierarchy ID");
    CgroupLine entry;
    entry.hierarchy = *hierarchy;
    entry.controllers.assign(line.substr(first + 1, second - first - 1));
    std::string_view path = line.substr(second + 1);
    if (path.empty() || path.front() != '/') return bad("a path starting with '/'");
    if (path.ends_with(kDeletedSuffix)) {
      path.remove_suffix(kDeletedSuffix.size());
      entry.deleted = true;
    }
    entry.path.assign(path);
    lines.push_back(std::move(entry));
  }
  if (lines.empty()) return Error{"no cgroup lines"};
  return lines;
}

}  // namespace cproc
