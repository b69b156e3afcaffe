#include "exporter/scan_loop.h"

#include <prometheus/text_serializer.h>
#include <spdlog/spdlog.h>

#include "exporter/metric_families.h"
#include "exporter/self_metrics.h"

namespace cproc {

ScanLoop::ScanLoop(std::unique_ptr<Scanner> scanner, std::chrono::milliseconds interval,
                   FamilyOptions family_options)
    : scanner_(std::move(scanner)),
      interval_(interval),
      family_options_(std::move(family_options)) {}

ScanLoop::~ScanLoop() { Stop(); }

void ScanLoop::Start() {
  thread_ = std::thread([this] { Run(); });
}

void ScanLoop::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ScanLoop::RunOnce() {
  auto scanned = scanner_->Scan();
  if (!scanned) {
    // Keep serving the last good scan; the stale cproc_scan_timestamp_seconds shows it.
    spdlog::error("scan failed: {}", scanned.error());
    return;
  }
  std::shared_ptr<const Snapshot> snapshot = std::move(scanned).value();
  std::vector<prometheus::MetricFamily> families = SnapshotFamilies(*snapshot, family_options_);
  for (auto& family : SelfFamilies()) families.push_back(std::move(family));
  auto exposition = MakeExposition(prometheus::TextSerializer().Serialize(families));
  spdlog::debug("scan: {} processes, {} containers in {:.3f}s", snapshot->stats.processes,
                snapshot->containers.size(), snapshot->stats.duration_seconds);
  std::lock_guard lock(mutex_);
  snapshot_ = std::move(snapshot);
  exposition_ = std::move(exposition);
}

void ScanLoop::Run() {
  auto next = std::chrono::steady_clock::now();
  for (;;) {
    try {
      RunOnce();
    } catch (const std::exception& e) {
      spdlog::error("scan failed: {}", e.what());
    }
    next += interval_;
    const auto now = std::chrono::steady_clock::now();
    if (next < now) {
      spdlog::warn("scan took longer than --scan.interval ({}ms); scanning back to back",
                   interval_.count());
      next = now;
    }
    std::unique_lock lock(mutex_);
    if (wake_.wait_until(lock, next, [this] { return stopping_; })) return;
  }
}

std::shared_ptr<const Exposition> ScanLoop::LatestExposition() const {
  std::lock_guard lock(mutex_);
  return exposition_;
}

std::shared_ptr<const Snapshot> ScanLoop::LatestSnapshot() const {
  std::lock_guard lock(mutex_);
  return snapshot_;
}

}  // namespace cproc
