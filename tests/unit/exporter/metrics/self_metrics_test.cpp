// SelfFamilies is pure: the exporter's own process facts and the boot time are given to it.
#include "exporter/metrics/self_metrics.h"

#include <doctest/doctest.h>

#include <string>

using namespace cproc;

namespace {

const prometheus::MetricFamily* Find(const std::vector<prometheus::MetricFamily>& families,
                                     const std::string& name) {
  for (const auto& f : families) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("self metrics: the start time is the snapshot's boot time plus the start after boot") {
  const SelfProcess process{.cpu_seconds = 1.5,
                            .open_fds = 12,
                            .max_fds = 1024,
                            .virtual_memory_bytes = 1 << 24,
                            .resident_memory_bytes = 1 << 20,
                            .start_seconds_after_boot = 250.5,
                            .threads = 3};
  const auto families = SelfFamilies(SelfStatus{.boot_time_seconds = 1796600000}, process);
  const auto* start = Find(families, "process_start_time_seconds");
  REQUIRE(start != nullptr);
  CHECK(start->metric.at(0).gauge.value == 1796600250.5);
  const auto* fds = Find(families, "process_open_fds");
  REQUIRE(fds != nullptr);
  CHECK(fds->metric.at(0).gauge.value == 12);
  const auto* cpu = Find(families, "process_cpu_seconds_total");
  REQUIRE(cpu != nullptr);
  CHECK(cpu->metric.at(0).counter.value == 1.5);
  // Boot time unknown: no start time, the rest as before.
  const auto unknown = SelfFamilies(SelfStatus{}, process);
  CHECK(Find(unknown, "process_start_time_seconds") == nullptr);
  CHECK(Find(unknown, "process_threads") != nullptr);
  // No getrlimit: no process_max_fds.
  SelfProcess no_limit = process;
  no_limit.max_fds.reset();
  CHECK(Find(SelfFamilies(SelfStatus{}, no_limit), "process_max_fds") == nullptr);
}
