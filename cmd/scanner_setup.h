// The scanner's options for a configuration, with what only the running process can tell: its
// own namespaces and where its cgroup namespace is rooted. Shared by the exporter and `ps`.
#pragma once

#include "cmd/settings/config.h"
#include "collectors/scan/scanner.h"

namespace cproc {

ScannerOptions ScannerOptionsFor(const Config& config);

}  // namespace cproc
