#include "exporter/report/container_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include <nlohmann/json.hpp>

#include "collectors/base/signals.h"
#include "collectors/base/utf8.h"
#include "exporter/metrics/label_values.h"

namespace cproc {
namespace {

uint32_t Count(const StateCounts& counts, ProcessState state) {
  return counts[static_cast<std::size_t>(state)];
}

uint32_t Total(const StateCounts& counts) {
  uint32_t total = 0;
  for (uint32_t n : counts) total += n;
  return total;
}

// Printable on a terminal: invalid UTF-8 becomes U+FFFD as in labels, and control characters
// (a comm may hold a newline), C0 and C1 (U+0080 to U+009F: U+009B is a CSI to some terminals)
// become '?', one column each, so the table stays aligned. At most 64 bytes.
std::string Printable(const std::string& text) {
  constexpr std::size_t kMaxBytes = 64;
  constexpr std::string_view kReplacement = "\xEF\xBF\xBD";
  std::string out;
  out.reserve(std::min(text.size(), kMaxBytes));
  for (std::size_t i = 0; i < text.size();) {
    const Utf8Sequence d = DecodeUtf8At(text, i);
    const uint32_t c = d.code_point;
    std::string_view piece =
        d.length == 0 ? kReplacement : std::string_view(text).substr(i, d.length);
    if (d.length != 0 && (c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f))) piece = "?";
    if (out.size() + piece.size() > kMaxBytes) break;
    out.append(piece);
    i += d.length == 0 ? 1 : d.length;
  }
  return out;
}

// A kind that could not be determined (unreadable links) adds "?": "-" would read as "none".
std::string HostNamespaces(const Container& c) {
  std::string out;
  bool unknown = false;
  for (NsKind kind : {NsKind::kPid, NsKind::kNet, NsKind::kIpc, NsKind::kUts, NsKind::kMnt}) {
    const int8_t host = c.sharing.host[static_cast<std::size_t>(kind)];
    unknown = unknown || host < 0;
    if (host == 1) out += (out.empty() ? "" : ",") + std::string(NsKindName(kind));
  }
  if (unknown) return out.empty() ? "?" : out + ",?";
  return out.empty() ? "-" : out;
}

std::string SharedWithOthers(const Container& c) {
  std::string out;
  bool unknown = false;
  for (std::size_t kind = 0; kind < kNsKindCount; ++kind) {
    unknown = unknown || !c.sharing.peers_known[kind];
    if (c.sharing.peers_known[kind] && c.sharing.peers[kind] > 0) {
      out +=
          fmt::format("{}{}:{}", out.empty() ? "" : ",", kNsKindNames[kind], c.sharing.peers[kind]);
    }
  }
  if (unknown) return out.empty() ? "?" : out + ",?";
  return out.empty() ? "-" : out;
}

std::string Pids(const Container& c) {
  if (!c.pids.current) return "-";
  return c.pids.limit ? fmt::format("{}/{}", *c.pids.current, *c.pids.limit)
                      : fmt::format("{}/max", *c.pids.current);
}

}  // namespace

std::string RenderContainerTable(const Snapshot& snapshot,
                                 const std::vector<std::size_t>& selected) {
  std::string out = fmt::format(
      "{:<24} {:<10} {:<12} {:>5} {:>3} {:>3} {:>3} {:>3} {:>3} {:>7}  {:>7} {:<16} {:<12} {:<4} "
      "{:<14} {:<12} {}\n",
      "CONTAINER", "RUNTIME", "ID", "PROCS", "R", "S", "D", "T", "Z", "THREADS", "PID1", "COMM",
      "INIT", "TERM", "HOST-NS", "SHARED", "PIDS");
  for (std::size_t index = 0; index < snapshot.containers.size(); ++index) {
    if (!selected.empty() && std::find(selected.begin(), selected.end(), index) == selected.end()) {
      continue;
    }
    const Container& c = snapshot.containers[index];
    const std::string name = c.pod_name.empty()
                                 ? Printable(c.name)
                                 : Printable(c.pod_namespace + "/" + c.pod_name + "/" + c.name);
    std::string pid1 = "-", comm = "-", init = "-", term = "-";
    if (c.init.pid != 0) {
      pid1 = std::to_string(c.init.pid) + (c.init.is_namespace_init ? "" : "*");
      comm = Printable(c.init.comm);
      init = c.init.init;
      term = c.init.handles_sigterm ? "yes" : "NO";
    }
    out += fmt::format(
        "{:<24} {:<10} {:<12} {:>5} {:>3} {:>3} {:>3} {:>3} {:>3} {:>7}  {:>7} {:<16} {:<12} {:<4} "
        "{:<14} {:<12} {}\n",
        name, c.runtime, c.id.substr(0, 12), Total(c.processes),
        Count(c.processes, ProcessState::kRunning), Count(c.processes, ProcessState::kSleeping),
        Count(c.processes, ProcessState::kDiskSleep), Count(c.processes, ProcessState::kStopped),
        Count(c.processes, ProcessState::kZombie), c.threads, pid1, comm, init, term,
        HostNamespaces(c), SharedWithOthers(c), Pids(c));
  }
  out += fmt::format(
      "\n{} containers; {} processes outside containers ({} zombies). "
      "PID1 marked * is the main process of a container without its own PID "
      "namespace.\n",
      snapshot.containers.size(), Total(snapshot.host_processes),
      Count(snapshot.host_processes, ProcessState::kZombie));
  return out;
}

std::string RenderContainerTrees(const Snapshot& snapshot, const std::vector<std::size_t>& selected,
                                 const InnerPidLookup& inner_pid) {
  std::vector<std::size_t> containers = selected;
  if (containers.empty()) {
    for (std::size_t i = 0; i < snapshot.containers.size(); ++i) containers.push_back(i);
  }
  std::string out;
  for (std::size_t index : containers) {
    const Container& c = snapshot.containers[index];
    out += fmt::format("{} ({})\n", Printable(c.name), c.container_id());
    // Children by parent, within the container; roots are those whose parent is outside it.
    std::map<int32_t, std::vector<const Process*>> children;
    std::vector<const Process*> roots;
    for (const Process& p : snapshot.processes) {
      if (p.container != static_cast<int32_t>(index)) continue;
      const Process* parent = FindProcess(snapshot.processes, p.ppid);
      const bool parent_inside = parent != nullptr && parent->container == p.container;
      (parent_inside ? children[p.ppid] : roots).push_back(&p);
    }
    // The init first, then `docker exec` sessions, in the order they started.
    std::stable_sort(roots.begin(), roots.end(), [](const Process* a, const Process* b) {
      return a->start_ticks < b->start_ticks;
    });
    // Depth-first with an explicit stack: a deep tree must not exhaust ours.
    std::vector<std::pair<const Process*, std::string>> stack;
    for (auto it = roots.rbegin(); it != roots.rend(); ++it) stack.emplace_back(*it, "  ");
    std::size_t printed = 0;
    while (!stack.empty() && printed < 100000) {
      auto [p, indent] = stack.back();
      stack.pop_back();
      ++printed;
      const int32_t inner = inner_pid ? inner_pid(p->pid) : 0;
      out += fmt::format("{}{} [{}] {} {}{}{}\n", indent, p->pid,
                         inner > 0 ? std::to_string(inner) : "?", p->state_code, Printable(p->comm),
                         p->state == ProcessState::kZombie ? " <defunct>" : "",
                         p->pid == c.init.pid ? "  (init)" : "");
      auto kids = children.find(p->pid);
      if (kids == children.end()) continue;
      for (auto it = kids->second.rbegin(); it != kids->second.rend(); ++it) {
        stack.emplace_back(*it, indent + "  ");
      }
    }
    out += "\n";
  }
  out += "Each line: host PID [PID inside the container] state comm.\n";
  return out;
}

std::string RenderContainersJson(const Snapshot& snapshot,
                                 const std::vector<std::size_t>& selected) {
  using nlohmann::json;
  auto states = [](const StateCounts& counts) {
    json object = json::object();
    for (std::size_t s = 0; s < kProcessStateCount; ++s) {
      object[std::string(kProcessStateNames[s])] = counts[s];
    }
    return object;
  };
  json containers = json::array();
  for (std::size_t index = 0; index < snapshot.containers.size(); ++index) {
    if (!selected.empty() && std::find(selected.begin(), selected.end(), index) == selected.end()) {
      continue;
    }
    const Container& c = snapshot.containers[index];
    json host = json::object(), peers = json::object();
    for (std::size_t kind = 0; kind < kNsKindCount; ++kind) {
      const std::string name(kNsKindNames[kind]);
      if (c.sharing.host[kind] >= 0) host[name] = c.sharing.host[kind] == 1;
      if (c.sharing.peers_known[kind]) peers[name] = c.sharing.peers[kind];
    }
    json item = {
        {"container_id", SanitizeLabelValue(c.container_id())},
        {"name", SanitizeLabelValue(c.name)},
        {"runtime", SanitizeLabelValue(c.runtime)},
        {"image", SanitizeLabelValue(c.image)},
        {"pod", SanitizeLabelValue(c.pod_name)},
        {"namespace", SanitizeLabelValue(c.pod_namespace)},
        {"pod_uid", SanitizeLabelValue(c.pod_uid)},
        {"cgroup", SanitizeLabelValue(c.cgroup, 4096)},
        {"processes", states(c.processes)},
        {"threads", c.threads},
        {"zombies",
         {{"pid1", c.zombies.parent_pid1},
          {"other", c.zombies.parent_other},
          {"outside", c.zombies.parent_outside},
          {"oldest_seconds", c.zombies.oldest_seconds}}},
        {"host_namespaces", host},
        {"namespace_peers", peers},
    };
    if (c.init.pid != 0) {
      item["pid1"] = {{"host_pid", c.init.pid},
                      {"comm", SanitizeLabelValue(c.init.comm)},
                      {"init", c.init.init},
                      {"is_namespace_init", c.init.is_namespace_init},
                      {"handles_sigterm", c.init.handles_sigterm},
                      {"stop_signal", SignalName(c.init.stop_signal)},
                      {"handles_stop_signal", c.init.handles_stop_signal},
                      {"start_time_seconds", c.init.start_time_seconds}};
    }
    json pids = json::object();
    if (c.pids.current) pids["current"] = *c.pids.current;
    if (c.pids.limit) pids["limit"] = *c.pids.limit;
    if (c.pids.limit_hits) pids["limit_hits"] = *c.pids.limit_hits;
    item["pids"] = pids;
    containers.push_back(std::move(item));
  }
  json document = {{"containers", containers},
                   {"host_processes", states(snapshot.host_processes)},
                   {"scan",
                    {{"timestamp_seconds", snapshot.stats.timestamp_seconds},
                     {"duration_seconds", snapshot.stats.duration_seconds},
                     {"processes", snapshot.stats.processes}}}};
  return document.dump(2) + "\n";
}

namespace {

struct QueryMatches {
  std::vector<std::size_t> exact, prefix;  // prefix includes the exact ones
};

QueryMatches MatchQuery(const Snapshot& snapshot, const std::string& query) {
  QueryMatches found;
  if (query.empty()) return found;
  for (std::size_t i = 0; i < snapshot.containers.size(); ++i) {
    const Container& c = snapshot.containers[i];
    const bool exact = c.name == query || c.id == query || c.container_id() == query;
    if (exact) found.exact.push_back(i);
    if (exact || c.name.starts_with(query) || c.id.starts_with(query)) found.prefix.push_back(i);
  }
  return found;
}

}  // namespace

std::vector<std::size_t> FindContainers(const Snapshot& snapshot, const std::string& query) {
  QueryMatches found = MatchQuery(snapshot, query);
  return found.exact.empty() ? found.prefix : found.exact;
}

std::vector<std::size_t> ContainersQueryCouldMean(const Snapshot& snapshot,
                                                  const std::string& query) {
  return MatchQuery(snapshot, query).prefix;
}

}  // namespace cproc
