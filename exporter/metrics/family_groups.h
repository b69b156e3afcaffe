// Each group of metric families, one file each; metric_families.cpp runs them in order.
#pragma once

#include <string>
#include <vector>

#include <prometheus/metric_family.h>

#include "collectors/snapshot.h"

namespace cproc {

using Families = std::vector<prometheus::MetricFamily>;

void AddContainerProcessFamilies(const Snapshot& snapshot, Families& out);  // info, states, pids
void AddInitFamilies(const Snapshot& snapshot, Families& out);              // PID 1 and reaping
void AddNamespaceFamilies(const Snapshot& snapshot, const std::vector<std::string>& allow,
                          Families& out);  // host namespaces, peers, mismatches
void AddLifecycleFamilies(const Snapshot& snapshot, Families& out);  // process events per container
void AddEventSourceFamilies(const EventSourceStats& stats, Families& out);  // the source's health

}  // namespace cproc
