// Every metric the exporter exposes, declared once: name, type, help and label names (the list in
// README.md "Metrics"). The builders (family_groups.h, self_metrics.h) look a spec up by its
// Metric and only add samples, so a name or help text cannot differ between two places.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include <prometheus/metric_type.h>

namespace cproc {

enum class Metric : uint8_t {
  // Per container: processes (container_process_families.cpp).
  kContainerInfo,
  kContainerProcesses,
  kContainerThreads,
  kContainerPidsCurrent,
  kContainerPidsLimit,
  kContainerPidsLimitHits,
  kContainerOomKills,
  // Per container: its init and reaping (init_families.cpp).
  kContainerPid1Info,
  kContainerPid1HostPid,
  kContainerPid1StartTime,
  kContainerPid1HandlesSigterm,
  kContainerPid1HandlesStopSignal,
  kContainerPid1IsNamespaceInit,
  kContainerZombies,
  kContainerOldestZombie,
  kContainerOldestPid1Zombie,
  kContainerOrphansAdopted,
  // Per container: namespaces (namespace_families.cpp).
  kContainerHostNamespace,
  kContainerNamespacePeers,
  kContainerNamespaceForeignPeers,
  kContainerMismatchedProcesses,
  kContainerDeclaredHostNamespace,
  kContainerNamespaceDeclarationMismatches,
  kContainerNamespaceSharingAllowed,
  // Per container: what the process events saw between scans (lifecycle_families.cpp).
  kContainerProcessesStarted,
  kContainerExecs,
  kContainerProcessesExited,
  kContainerShortLivedProcesses,
  kContainerPid1Exits,
  kContainerPid1KilledFromOutside,
  // The host and the scan (metric_families.cpp).
  kHostProcesses,
  kScanDuration,
  kScanTimestamp,
  kScanProcesses,
  kScanCacheHits,
  kScanCacheEntries,
  kScanKeptDescriptors,
  kScanKeptDescriptorsLimit,
  kScanNamespacesUnreadableProcesses,
  kScanUnattributedRuntimeContainers,
  kScanCgroupPidsAvailable,
  kScanUnknownLayoutProcesses,
  kScanErrors,
  kScanRuntimeFileErrors,
  kScanContainers,
  // The process events source (lifecycle_families.cpp).
  kEventsSourceActive,
  kEventsReceived,
  kEventsLost,
  // The exporter itself (self_metrics.cpp).
  kBuildInfo,
  kScanSuccess,
  kScanCpuSeconds,
  kScans,
  kConfigLastReloadSuccessful,
  kConfigLastReloadSuccessTimestamp,
  kProcessCpuSeconds,
  kProcessOpenFds,
  kProcessMaxFds,
  kProcessVirtualMemory,
  kProcessResidentMemory,
  kProcessStartTime,
  kProcessThreads,
};

inline constexpr std::size_t kMetricCount = static_cast<std::size_t>(Metric::kProcessThreads) + 1;

struct MetricSpec {
  std::string_view name;
  prometheus::MetricType type = prometheus::MetricType::Untyped;
  std::string_view help;
  std::vector<std::string_view> labels;  // label names, in the order every sample carries them
  // Empty: the family is written on every scrape (with no samples when nothing is there to
  // count). Otherwise when it is left out altogether.
  std::string_view absent_when;
};

// The identifying labels of every per-container series (container_labels.h), in this order.
inline constexpr std::string_view kContainerLabelNames[] = {"container_id", "container", "pod",
                                                            "namespace"};

const MetricSpec& SpecOf(Metric metric);
std::span<const MetricSpec> AllMetricSpecs();  // indexed by Metric

}  // namespace cproc
