// The heap and CPU of rendering /metrics, synthetic and in-process (no processes are made): a
// Snapshot of N processes in M containers is rendered R times as the scan loop renders it, the
// previous exposition alive during the next render as in ScanLoop, by the old path (the whole text
// in one string, then its gzip, both kept) and by the new one (compressed family by family, the
// gzip kept). Then the cost of the first request without gzip (the text inflated from the gzip).
//
//   cproc_render_memory [old|new|both] [--processes N] [--containers M] [--renders R]
//
// Heap: every operator new/delete of the program is counted (zlib's own malloc'd state, ~300 KiB
// while compressing, is not); "peak" is the most live at once during the renders, less what was
// live before them (the snapshot). VmHWM is the process's peak RSS (run one path per process
// to compare it). bench/README.md says how to build and run it.
#include <malloc.h>
#include <time.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <new>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/procfs/self_process.h"
#include "collectors/snapshot.h"
#include "exporter/http/gzip.h"
#include "exporter/metrics/exposition.h"
#include "exporter/metrics/metric_families.h"
#include "exporter/metrics/self_metrics.h"
#include "exporter/metrics/text_format.h"

namespace {

std::atomic<std::int64_t> g_live{0};
std::atomic<std::int64_t> g_peak{0};

void* Allocate(std::size_t size) {
  void* p = std::malloc(size == 0 ? 1 : size);
  if (p == nullptr) throw std::bad_alloc();
  const auto live = g_live += static_cast<std::int64_t>(malloc_usable_size(p));
  std::int64_t peak = g_peak.load(std::memory_order_relaxed);
  while (live > peak && !g_peak.compare_exchange_weak(peak, live)) {
  }
  return p;
}

void Release(void* p) noexcept {
  if (p == nullptr) return;
  g_live -= static_cast<std::int64_t>(malloc_usable_size(p));
  std::free(p);
}

}  // namespace

void* operator new(std::size_t size) { return Allocate(size); }
void* operator new[](std::size_t size) { return Allocate(size); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept try {
  return Allocate(size);
} catch (...) {
  return nullptr;
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept try {
  return Allocate(size);
} catch (...) {
  return nullptr;
}
void operator delete(void* p) noexcept { Release(p); }
void operator delete[](void* p) noexcept { Release(p); }
void operator delete(void* p, std::size_t) noexcept { Release(p); }
void operator delete[](void* p, std::size_t) noexcept { Release(p); }

namespace {

using namespace cproc;

constexpr double kMiB = 1024.0 * 1024.0;

double CpuSeconds() {
  timespec ts{};
  ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

long VmHwmKiB() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
  }
  return -1;
}

std::string Hex(std::mt19937_64& rng, std::size_t digits) {
  static constexpr std::string_view kDigits = "0123456789abcdef";
  std::string out;
  while (out.size() < digits) out += kDigits[rng() % 16];
  return out;
}

NsId Ns(uint32_t ino) { return NsId{.dev = 4, .ino = ino}; }

// Containers as a Kubernetes node runs them: containerd and docker, pods in namespaces, images
// from registries, the event source on (lifecycle counts), a pids limit, namespaces of their own.
Snapshot SyntheticSnapshot(int processes, int containers) {
  std::mt19937_64 rng(42);
  static constexpr std::string_view kImages[] = {
      "registry.k8s.io/kube-proxy:v1.29.3", "docker.io/library/nginx:1.25.4",
      "quay.io/prometheus/node-exporter:v1.7.0", "ghcr.io/example/payments-api:2024.11.3",
      "docker.io/library/postgres:16.2"};
  static constexpr std::string_view kNamespaces[] = {"default", "kube-system", "monitoring",
                                                     "payments", "search-indexing"};
  Snapshot s;
  s.boot_time_seconds = 1796500000;
  for (std::size_t k = 0; k < kNsKindCount; ++k) s.host_ns[k] = Ns(4026531835 + uint32_t(k));
  const int per_container = processes / containers;
  int32_t pid = 1000;
  for (int c = 0; c < containers; ++c) {
    Container ct;
    ct.runtime = c % 4 == 0 ? "docker" : "containerd";
    ct.id = Hex(rng, 64);
    ct.pod_uid = Hex(rng, 8) + "-" + Hex(rng, 4) + "-" + Hex(rng, 4) + "-" + Hex(rng, 4) + "-" +
                 Hex(rng, 12);
    ct.cgroup = "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + ct.pod_uid +
                ".slice/cri-containerd-" + ct.id + ".scope";
    ct.layout = "kubernetes-systemd";
    ct.image = std::string(kImages[c % 5]);
    ct.name = "app-" + std::to_string(c) + "-" + Hex(rng, 5);
    ct.pod_name = "deployment-" + std::to_string(c / 2) + "-" + Hex(rng, 10) + "-" + Hex(rng, 5);
    ct.pod_namespace = std::string(kNamespaces[c % 5]);
    ct.named_from_files = true;
    ct.declared_host.fill(0);
    ct.processes[static_cast<std::size_t>(ProcessState::kSleeping)] = uint32_t(per_container - 2);
    ct.processes[static_cast<std::size_t>(ProcessState::kRunning)] = 1;
    ct.processes[static_cast<std::size_t>(ProcessState::kZombie)] = 1;
    ct.threads = uint64_t(per_container) * 3;
    ct.init = InitProcess{.pid = pid,
                          .comm = "tini",
                          .init = "tini",
                          .is_namespace_init = true,
                          .handles_sigterm = true,
                          .handles_stop_signal = true,
                          .start_time_seconds = 1796600000.0 + c};
    ct.pids = PidsUsage{.current = uint64_t(per_container), .limit = 4096, .limit_hits = 0};
    ct.memory = MemoryEvents{.oom_kills = uint64_t(c % 3)};
    ct.zombies =
        ZombieSummary{.parent_pid1 = 1, .oldest_seconds = 12.5, .oldest_pid1_seconds = 12.5};
    ct.orphans_adopted_total = uint64_t(c % 7);
    ct.lifecycle = ProcessLifecycle{.started = 500, .execs = 480, .short_lived = 300};
    ct.lifecycle->exited[kExitZero] = 400;
    ct.lifecycle->exited[kExitNonZero] = 20;
    ct.sharing.host.fill(0);
    ct.sharing.peers_known.fill(true);
    ct.sharing.mismatches_known = true;
    const uint32_t ns_base = 4026540000u + uint32_t(c) * 8;
    NsSet ns{};  // the container's processes share one set, as a scan interns it
    for (std::size_t k = 0; k < kNsKindCount; ++k) ns[k] = Ns(ns_base + uint32_t(k));
    const auto ns_set = uint32_t(s.ns_sets.size());
    s.ns_sets.push_back(ns);
    for (int p = 0; p < per_container; ++p, ++pid) {
      Process proc;
      proc.pid = pid;
      proc.ppid = p == 0 ? 1 : ct.init.pid;
      proc.start_ticks = 100000 + uint64_t(pid);
      proc.state_code = p == 1 ? 'R' : 'S';
      proc.state = p == 1 ? ProcessState::kRunning : ProcessState::kSleeping;
      proc.threads = 3;
      proc.comm = p == 0 ? "tini" : "worker-" + std::to_string(p % 16);
      proc.ns_set = ns_set;
      proc.container = c;
      proc.attribution = Attribution::kCgroup;
      s.processes.push_back(std::move(proc));
    }
    s.containers.push_back(std::move(ct));
  }
  std::sort(s.containers.begin(), s.containers.end(), [](const Container& a, const Container& b) {
    return a.container_id() < b.container_id();
  });
  for (std::size_t i = 0; i < s.containers.size(); ++i) {  // processes point at sorted indices
    for (int p = 0; p < per_container; ++p) {
      s.processes[std::size_t(s.containers[i].init.pid - 1000 + p)].container = int32_t(i);
    }
  }
  s.stats.processes = s.processes.size();
  s.stats.timestamp_seconds = 1796600500;
  s.stats.duration_seconds = 1.7;
  s.stats.cgroup_pids_available = true;
  s.stats.events.started = s.stats.events.active = true;
  return s;
}

// What both paths need of one scan: the snapshot and the self metrics (the same for both, so their
// texts can be compared).
struct Scan {
  std::shared_ptr<const Snapshot> snapshot;
  std::vector<prometheus::MetricFamily> self_families;
};

// The path before: the whole text (reserved at the last size and an eighth), then its gzip, and
// the exposition keeps both.
struct OldExposition {
  std::string text;
  std::string gzip;
};

std::shared_ptr<const OldExposition> RenderOld(const Scan& scan, std::size_t& last_text_size) {
  std::string text;
  text.reserve(last_text_size + last_text_size / 8);
  AppendSnapshotText(*scan.snapshot, FamilyOptions{}, text);
  AppendTextFormat(scan.self_families, text);
  last_text_size = text.size();
  std::string gzip = GzipCompress(text);
  return std::make_shared<const OldExposition>(OldExposition{std::move(text), std::move(gzip)});
}

// The path now, as ScanLoop::RenderScan.
std::shared_ptr<const Exposition> RenderNew(const Scan& scan, std::size_t& last_gzip_size) {
  const RenderText render = [&](const TextWriter& write) {
    WriteSnapshotText(*scan.snapshot, FamilyOptions{}, write);
    std::string self_text;
    AppendTextFormat(scan.self_families, self_text);
    write(self_text);
  };
  auto exposition = RenderExposition(render, last_gzip_size + last_gzip_size / 8);
  last_gzip_size = exposition->gzip().size();
  return exposition;
}

// Renders `renders` times, the previous exposition alive until the next is made (as ScanLoop
// swaps them), prints the peak heap, what stays held and the CPU per render; the last exposition.
template <typename Render>
auto Measure(const char* name, int renders, Render render) {
  const std::int64_t before = g_live.load();
  g_peak = before;
  decltype(render()) served;  // the exposition a scrape reads while the next one renders
  std::printf("%s: CPU per render", name);
  for (int i = 0; i < renders; ++i) {
    const double cpu = CpuSeconds();
    auto next = render();
    std::printf(" %.0f", (CpuSeconds() - cpu) * 1e3);
    served = std::move(next);  // the swap: the previous one is freed here
  }
  std::printf(" ms, peak heap %.1f MiB, held after the render %.1f MiB\n",
              double(g_peak.load() - before) / kMiB, double(g_live.load() - before) / kMiB);
  return served;
}

void PrintSizes(std::size_t text, std::size_t gzip) {
  std::printf("  text %.2f MiB, gzip %.2f MiB\n", double(text) / kMiB, double(gzip) / kMiB);
}

}  // namespace

int main(int argc, char** argv) {
  std::string mode = "both";
  int processes = 100000;
  int containers = 1000;
  int renders = 3;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    const auto value = [&] { return i + 1 < argc ? std::atoi(argv[++i]) : 0; };
    if (arg == "old" || arg == "new" || arg == "both") {
      mode = std::string(arg);
    } else if (arg == "--processes") {
      processes = value();
    } else if (arg == "--containers") {
      containers = value();
    } else if (arg == "--renders") {
      renders = value();
    } else {
      std::fprintf(stderr,
                   "usage: %s [old|new|both] [--processes N] [--containers M] [--renders R]\n",
                   argv[0]);
      return 2;
    }
  }
  if (processes <= 0 || containers <= 0 || renders <= 0 || processes < containers * 2) {
    std::fprintf(stderr, "need processes >= 2 * containers > 0 and renders > 0\n");
    return 2;
  }
  Scan scan;
  scan.snapshot = std::make_shared<const Snapshot>(SyntheticSnapshot(processes, containers));
  scan.self_families = SelfFamilies(SelfStatus{}, ReadSelfProcess());
  std::printf("snapshot: %d processes in %d containers, %.1f MiB of heap; %d renders\n", processes,
              containers, double(g_live.load()) / kMiB, renders);

  {
    // What the rendering holds apart from any text kept: one family's model and text at a time.
    const std::int64_t before = g_live.load();
    g_peak = before;
    std::printf("families (text MiB):");
    WriteSnapshotText(*scan.snapshot, FamilyOptions{}, [](std::string_view part) {
      std::printf(" %.2f", double(part.size()) / kMiB);
    });
    std::printf("; peak heap of the rendering alone %.1f MiB\n",
                double(g_peak.load() - before) / kMiB);
  }
  std::string old_text;  // the last text of the old path, to compare the new one with
  if (mode != "new") {
    std::size_t last_text_size = 0;
    const auto last = Measure("old (text, then its gzip; both kept)", renders,
                              [&] { return RenderOld(scan, last_text_size); });
    PrintSizes(last->text.size(), last->gzip.size());
    if (mode == "both") old_text = last->text;
  }
  if (mode != "old") {
    std::size_t last_gzip_size = 0;
    const auto last = Measure("new (gzip while rendering; gzip kept)", renders,
                              [&] { return RenderNew(scan, last_gzip_size); });
    PrintSizes(last->text_size(), last->gzip().size());
    // The first request without gzip inflates the text; later ones reuse it.
    const std::int64_t before = g_live.load();
    g_peak = before;
    double cpu = CpuSeconds();
    const std::string_view text = last->text();
    const double first_ms = (CpuSeconds() - cpu) * 1e3;
    cpu = CpuSeconds();
    const bool same_again = last->text().data() == text.data();
    const double again_ms = (CpuSeconds() - cpu) * 1e3;
    // The text is mapped on its own (exporter/http/mapped_bytes.h), outside the heap counted.
    std::printf(
        "identity: first request %.1f ms CPU (inflate), +%.1f MiB heap and %.1f MiB mapped held "
        "for the exposition's life; next request %.3f ms\n",
        first_ms, double(g_peak.load() - before) / kMiB, double(text.size()) / kMiB, again_ms);
    if (!same_again || text.size() != last->text_size()) {
      std::fprintf(stderr, "the inflated text was not kept, or its size is wrong\n");
      return 1;
    }
    if (mode == "both") {
      std::printf("new text == old text: %s\n", text == old_text ? "yes" : "NO");
      if (text != old_text) return 1;
    }
  }
  std::printf("VmHWM %.1f MiB\n", double(VmHwmKiB()) / 1024.0);
  return 0;
}
