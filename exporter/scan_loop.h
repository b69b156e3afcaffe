// The scan thread: every interval it scans, renders the exposition once (its gzip, compressed as
// it is rendered) and publishes it. Scrapes only read what was published, so they never wait for
// a scan.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "collectors/scan/scanner.h"
#include "exporter/heap_trim.h"
#include "exporter/metrics/exposition.h"
#include "exporter/metrics/metric_families.h"
#include "exporter/metrics/self_metrics.h"

namespace cproc {

class ScanLoop {
 public:
  ScanLoop(std::unique_ptr<Scanner> scanner, std::chrono::milliseconds interval,
           FamilyOptions family_options = {});
  ~ScanLoop();  // stops the thread
  ScanLoop(const ScanLoop&) = delete;
  ScanLoop& operator=(const ScanLoop&) = delete;

  void Start();
  void Stop();
  // Stop, waiting at most `timeout` for a scan in progress. False when the scan is stuck (a read
  // that never returns: a hung network filesystem under the runtime roots): the thread still
  // runs, so the caller must exit the process rather than destroy the loop.
  bool StopWithin(std::chrono::milliseconds timeout);

  // Takes effect from the next scan (SIGHUP reload).
  void Reconfigure(std::chrono::milliseconds interval, FamilyOptions family_options);
  void SetReloadStatus(bool successful, double success_seconds);

  // One scan and render on the caller's thread (tests, and the first scan before serving).
  // Safe while the thread runs: scans are serialised, the later one waits.
  void RunOnce();

  std::shared_ptr<const Exposition> LatestExposition() const;
  std::shared_ptr<const Snapshot> LatestSnapshot() const;

 private:
  void Run();
  uint64_t RenderScan();  // RunOnce without its CPU accounting; the processes scanned

  // Held for a whole RunOnce, by the scan thread or a caller of RunOnce: the Scanner is not
  // thread-safe. Taken before mutex_, never while holding it, so scrapes never wait for a scan.
  std::mutex scan_mutex_;
  std::unique_ptr<Scanner> scanner_;  // under scan_mutex_
  std::string last_error_;            // under scan_mutex_: log a failure once, not per scan
  std::size_t last_gzip_size_ = 0;    // under scan_mutex_: to reserve the next gzip at once
  HeapTrimPolicy heap_trim_;          // under scan_mutex_

  mutable std::mutex mutex_;  // guards everything below
  std::chrono::milliseconds interval_;
  FamilyOptions family_options_;
  SelfStatus self_status_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool finished_ = false;  // the thread left Run
  std::condition_variable finished_changed_;
  std::shared_ptr<const Exposition> exposition_;
  std::shared_ptr<const Snapshot> snapshot_;
  std::thread thread_;
};

}  // namespace cproc
