#include "collectors/scan/pidfile_attribution.h"

#include <unistd.h>

#include <algorithm>

#include <spdlog/spdlog.h>

#include "collectors/base/proc_files.h"

namespace cproc {

PidfileAttribution::PidfileAttribution(std::string rootfs, std::vector<std::string> storage_roots)
    : pidfiles_(std::move(rootfs), std::move(storage_roots)) {}

uint64_t PidfileAttribution::Attribute(int proc_fd, double boot_time, const NsSet& host_ns,
                                       std::vector<Process>& processes,
                                       const std::vector<NsSet>& ns_sets,
                                       std::vector<const ContainerMatch*>& matches) {
  const std::vector<PidfileContainer>& files = pidfiles_.Refresh();
  const auto gone = [&](const auto& item) {
    return std::none_of(files.begin(), files.end(),
                        [&](const PidfileContainer& f) { return f.id == item.first; });
  };
  std::erase_if(matches_, gone);
  std::erase_if(verdicts_, gone);
  if (files.empty()) return 0;
  std::unordered_map<int32_t, std::size_t> index_of_pid;
  for (const PidfileContainer& f : files) index_of_pid.emplace(f.pid, SIZE_MAX);
  for (std::size_t i = 0; i < processes.size(); ++i) {
    auto it = index_of_pid.find(processes[i].pid);
    if (it != index_of_pid.end()) it->second = i;
  }
  uint64_t unattributed = 0;
  for (const PidfileContainer& f : files) {
    const std::size_t i = index_of_pid[f.pid];
    PidfileFacts facts;
    if (i != SIZE_MAX) {
      Process& p = processes[i];
      facts.process_found = true;
      facts.ppid = p.ppid;
      facts.has_cgroup_match = matches[i] != nullptr;
      const NsId& user_ns = NsOf(NsSetOf(ns_sets, p), NsKind::kUser);
      facts.in_initial_user_ns = user_ns.SameAs(NsOf(host_ns, NsKind::kUser));
      uint32_t owner = 0;
      if (!facts.has_cgroup_match && !facts.in_initial_user_ns &&
          ReadUserNamespaceOwner(proc_fd, p.pid, owner) == ReadResult::kOk) {
        facts.user_ns_owner = owner;
      }
      facts.start_seconds = boot_time + static_cast<double>(p.start_ticks) / ticks_per_second_;
    }
    const PidfileVerdict verdict = JudgePidfile(f, facts);
    Log(f, verdict);
    if (verdict == PidfileVerdict::kUnverified || verdict == PidfileVerdict::kRejected) {
      ++unattributed;
    }
    if (verdict != PidfileVerdict::kAttribute) continue;
    auto& match = matches_[f.id];
    if (match == nullptr) {
      match = std::make_shared<const ContainerMatch>(ContainerMatch{.runtime = "podman",
                                                                    .layout = "podman-pidfile",
                                                                    .id = f.id,
                                                                    .cgroup = {},
                                                                    .pod_uid = {}});
    }
    matches[i] = match.get();
    processes[i].attribution = Attribution::kRuntimeFiles;
  }
  return unattributed;
}

void PidfileAttribution::Log(const PidfileContainer& f, PidfileVerdict verdict) {
  auto [it, first] = verdicts_.try_emplace(f.id, verdict);
  if (!first && it->second == verdict) return;
  it->second = verdict;
  if (verdict == PidfileVerdict::kUnverified) {
    spdlog::warn(
        "rootless container {} (pid {}): its user namespace is unreadable, so its pidfile "
        "cannot be verified; not attributed (needs CAP_SYS_PTRACE)",
        f.id.substr(0, 12), f.pid);
  } else if (verdict == PidfileVerdict::kRejected) {
    spdlog::warn(
        "rootless container {}: its pidfile (owner uid {}) names pid {}, which is not a "
        "process of that user's containers; not attributed",
        f.id.substr(0, 12), f.owner_uid, f.pid);
  } else if (verdict == PidfileVerdict::kAttribute) {
    spdlog::debug("rootless container {}: pid {} from its pidfile", f.id.substr(0, 12), f.pid);
  }
}

}  // namespace cproc
