// Walks procfs and produces an immutable Snapshot. One thread calls Scan() repeatedly; what is
// kept between scans lives in the parts Scan() runs in turn (docs/ARCHITECTURE.md "The scan"):
// the process cache, the cgroup resolver, the pidfile attribution and the container naming.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "collectors/base/expected.h"
#include "collectors/events/event_source.h"
#include "collectors/runtimes/container_layouts.h"
#include "collectors/runtimes/metadata_store.h"
#include "collectors/snapshot.h"

namespace cproc {

struct ScannerOptions {
  std::string procfs = "/proc";
  std::string sysfs = "/sys";
  // cgroup membership and namespaces of a known (pid, starttime) are read again when it execs
  // (runc, nsenter and docker exec do right after joining), and the cgroup and mount namespace
  // every this many scans (all namespaces every 4x as many; staggered by pid), so a process
  // that moves or calls setns without exec is re-attributed too.
  uint32_t revalidate_every = 20;
  // Descriptors kept open between scans (stat of each process, cgroup files), at most; also
  // bounded by RLIMIT_NOFILE. Each pins about 6 KiB of kernel memory and saves an open and a
  // close per scan (docs/PERFORMANCE.md "Kept descriptors").
  std::size_t kept_descriptors = 4096;
  // Threads that read the processes of one scan (contiguous parts of its listing): reading /proc is
  // most of a scan's time (docs/PERFORMANCE.md "Threads"). A listing under `parallel_from` pids
  // is read by one thread: a thread started per scan costs more than it saves there.
  std::size_t threads = 1;
  std::size_t parallel_from = 2000;
  // Whether the snapshot keeps its list of processes. The pages the daemon serves need only
  // what the analyses counted per container (`cproc_exporter ps` prints the processes); without
  // it a scan holds one list of processes, not the last snapshot's too (~13 MB at 100,000).
  bool keep_processes = true;
  std::vector<ContainerLayout> layouts = DefaultContainerLayouts();
  // Where runtimes keep their files (container names, images, pods).
  MetadataPaths metadata = {};
  // The exporter's own namespaces (from its own /proc/self), to recognise its own container.
  NsSet self_ns{};
  // Where the exporter's private cgroup namespace is rooted in the host's cgroup v2 tree
  // (FindOwnCgroupNamespaceRoot); "": the host's namespace, paths read are host paths.
  std::string own_cgroup_root = {};
  // The process events between scans (null: off or unavailable); each scan hands over to it.
  std::shared_ptr<EventSource> events = {};
};

class Scanner {
 public:
  explicit Scanner(ScannerOptions options);
  ~Scanner();
  Scanner(const Scanner&) = delete;
  Scanner& operator=(const Scanner&) = delete;

  // One full scan. An error means procfs itself could not be listed (wrong --path.procfs);
  // processes that vanish or cannot be read are counted in the snapshot's stats instead.
  Expected<std::shared_ptr<const Snapshot>> Scan();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace cproc
