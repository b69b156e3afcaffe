#include "exporter/scan_loop.h"

#include <malloc.h>
#include <time.h>

#include <spdlog/spdlog.h>

#include "collectors/procfs/self_process.h"
#include "exporter/metrics/metric_families.h"
#include "exporter/metrics/text_format.h"
#include "exporter/report/container_report.h"

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

bool ScanLoop::StopWithin(std::chrono::milliseconds timeout) {
  {
    std::unique_lock lock(mutex_);
    stopping_ = true;
    wake_.notify_all();
    if (thread_.joinable() &&
        !finished_changed_.wait_for(lock, timeout, [this] { return finished_; })) {
      return false;
    }
  }
  if (thread_.joinable()) thread_.join();
  return true;
}

void ScanLoop::Reconfigure(std::chrono::milliseconds interval, FamilyOptions family_options) {
  {
    std::lock_guard lock(mutex_);
    interval_ = interval;
    family_options_ = std::move(family_options);
  }
  wake_.notify_all();
}

void ScanLoop::SetReloadStatus(bool successful, double success_seconds) {
  std::lock_guard lock(mutex_);
  self_status_.last_reload_successful = successful;
  if (successful) self_status_.last_reload_success_seconds = success_seconds;
}

namespace {

double ThreadCpuSeconds() {
  timespec ts{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

}  // namespace

void ScanLoop::RunOnce() {
  const std::lock_guard scan(scan_mutex_);  // before the CPU clock: waiting costs no CPU
  const double cpu_before = ThreadCpuSeconds();
  const uint64_t processes = RenderScan();
  if (heap_trim_.ShouldTrim(processes)) ::malloc_trim(0);
  const double cpu = ThreadCpuSeconds() - cpu_before;
  std::lock_guard lock(mutex_);
  self_status_.scan_cpu_seconds_total += cpu;
  ++self_status_.scans_total;
}

uint64_t ScanLoop::RenderScan() {
  auto scanned = scanner_->Scan();
  FamilyOptions family_options;
  SelfStatus self_status;
  std::shared_ptr<const Snapshot> snapshot;
  {
    std::lock_guard lock(mutex_);
    family_options = family_options_;
    self_status_.last_scan_successful = scanned.ok();
    self_status = self_status_;
    snapshot = snapshot_;  // the last good one, if this scan failed
  }
  if (scanned) {
    if (!last_error_.empty()) spdlog::info("scans work again");
    last_error_.clear();
    snapshot = std::move(scanned).value();
  } else if (scanned.error() != last_error_) {
    // Once per distinct failure: a missing /proc must not flood the log every interval.
    spdlog::error("scan failed: {}; serving the last good scan with cproc_scan_success 0",
                  scanned.error());
    last_error_ = scanned.error();
  }
  // The boot time the scanner read once, from the snapshot served (the last good one on failure).
  if (snapshot) self_status.boot_time_seconds = snapshot->boot_time_seconds;
  const auto self_families = SelfFamilies(self_status, ReadSelfProcess());
  // The page is compressed family by family as it is rendered: only the gzip and one family's
  // model and text are held, never the whole text (inflated only for a request without gzip).
  // The self metrics come last, in the same body.
  const RenderText render = [&](const TextWriter& write) {
    if (snapshot) WriteSnapshotText(*snapshot, family_options, write);
    std::string self_text;
    AppendTextFormat(self_families, self_text);
    write(self_text);
  };
  std::function<std::string()> json;
  if (snapshot) json = [snapshot] { return RenderContainersJson(*snapshot); };
  // The last scan's gzip size and an eighth more: one allocation for the gzip, as a rule.
  auto exposition =
      RenderExposition(render, last_gzip_size_ + last_gzip_size_ / 8, std::move(json));
  last_gzip_size_ = exposition->gzip().size();
  if (snapshot) {
    spdlog::debug("scan: {} processes, {} containers in {:.3f}s", snapshot->stats.processes,
                  snapshot->containers.size(), snapshot->stats.duration_seconds);
  }
  const uint64_t processes = snapshot ? snapshot->stats.processes : 0;
  std::lock_guard lock(mutex_);
  snapshot_ = std::move(snapshot);
  exposition_ = std::move(exposition);
  return processes;
}

void ScanLoop::Run() {
  struct MarkFinished {
    ScanLoop& loop;
    ~MarkFinished() {
      std::lock_guard lock(loop.mutex_);
      loop.finished_ = true;
      loop.finished_changed_.notify_all();
    }
  } mark_finished{*this};
  auto next = std::chrono::steady_clock::now();
  for (;;) {
    try {
      RunOnce();
    } catch (const std::exception& e) {
      spdlog::error("scan failed: {}", e.what());
    }
    std::unique_lock lock(mutex_);
    const std::chrono::milliseconds interval = interval_;
    next += interval;
    const auto now = std::chrono::steady_clock::now();
    if (next < now) {
      spdlog::warn("scan took longer than --scan.interval ({}ms); scanning back to back",
                   interval.count());
      next = now;
    }
    // A reload with a shorter interval wakes us early (the predicate sees the new value).
    if (wake_.wait_until(lock, next, [&] { return stopping_ || interval_ != interval; })) {
      if (stopping_) return;
      next = std::chrono::steady_clock::now();
    }
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
