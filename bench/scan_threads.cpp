// Scan wall time and CPU by --scan.threads, measured in one process: one Scanner per thread
// count, scanning the host's /proc in turn (A B A B ...), so every count sees the same host and
// the same noise from other tenants. Each scanner keeps its own cache and descriptors, as the
// exporter would. Reports the median and the spread of each, and the ratios to the first.
//
//   cproc_scan_threads [--threads 1,2] [--rounds 10] [--interval-ms 1000] [--kept N]
//
// The first two rounds of each scanner (they open every descriptor) are not counted.
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <spdlog/spdlog.h>

#include "collectors/procfs/self_namespaces.h"
#include "collectors/scan/scanner.h"

namespace {

double Seconds(clockid_t clock) {
  timespec ts{};
  ::clock_gettime(clock, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values.empty() ? 0 : values[values.size() / 2];
}

struct Measured {
  std::size_t threads = 1;
  std::unique_ptr<cproc::Scanner> scanner;
  std::vector<double> wall;
  std::vector<double> cpu;
  uint64_t processes = 0;
};

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::size_t> counts = {1, 2};
  int rounds = 10;
  int interval_ms = 1000;
  std::size_t kept = 4096;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const std::string value = argv[i + 1];
    if (flag == "--threads") {
      counts.clear();
      std::stringstream list(value);
      for (std::string item; std::getline(list, item, ',');) counts.push_back(std::stoul(item));
    } else if (flag == "--rounds") {
      rounds = std::stoi(value);
    } else if (flag == "--interval-ms") {
      interval_ms = std::stoi(value);
    } else if (flag == "--kept") {
      kept = std::stoul(value);
    } else {
      std::fprintf(stderr, "cproc_scan_threads: unknown flag %s\n", flag.c_str());
      return 2;
    }
  }
  spdlog::set_level(spdlog::level::warn);
  std::vector<Measured> scanners;
  for (const std::size_t threads : counts) {
    cproc::ScannerOptions options;
    options.threads = threads;
    options.kept_descriptors = kept;
    options.self_ns = cproc::ReadSelfNamespaces();
    scanners.push_back(Measured{threads, std::make_unique<cproc::Scanner>(options), {}, {}, 0});
  }
  // The scanners take turns; the pause between two scans of one scanner is about the interval.
  const auto pause = std::chrono::milliseconds(interval_ms / static_cast<int>(scanners.size()));
  for (int round = 0; round < rounds + 2; ++round) {
    for (Measured& m : scanners) {
      const double wall0 = Seconds(CLOCK_MONOTONIC);
      const double cpu0 = Seconds(CLOCK_PROCESS_CPUTIME_ID);
      auto snapshot = m.scanner->Scan();
      const double cpu = Seconds(CLOCK_PROCESS_CPUTIME_ID) - cpu0;
      const double wall = Seconds(CLOCK_MONOTONIC) - wall0;
      if (!snapshot) {
        std::fprintf(stderr, "cproc_scan_threads: %s\n", snapshot.error().c_str());
        return 1;
      }
      m.processes = (*snapshot)->processes.size();
      if (round >= 2) {
        m.wall.push_back(wall);
        m.cpu.push_back(cpu);
      }
      std::this_thread::sleep_for(pause);
    }
  }
  const double wall_base = Median(scanners.front().wall);
  const double cpu_base = Median(scanners.front().cpu);
  for (const Measured& m : scanners) {
    std::printf(
        "threads=%zu processes=%llu scans=%zu wall_ms=%.1f wall_min_ms=%.1f wall_max_ms=%.1f "
        "cpu_ms=%.1f wall_ratio=%.3f cpu_ratio=%.3f\n",
        m.threads, static_cast<unsigned long long>(m.processes), m.wall.size(),
        Median(m.wall) * 1e3, *std::min_element(m.wall.begin(), m.wall.end()) * 1e3,
        *std::max_element(m.wall.begin(), m.wall.end()) * 1e3, Median(m.cpu) * 1e3,
        Median(m.wall) / wall_base, Median(m.cpu) / cpu_base);
  }
  return 0;
}
