// One scan that must succeed, for the tests that drive a Scanner (fixture procfs or the real one).
#pragma once

#include <doctest/doctest.h>

#include <memory>

#include "collectors/scan/scanner.h"
#include "collectors/snapshot.h"

namespace cproc::testing {

inline std::shared_ptr<const Snapshot> ScanOnce(Scanner& scanner) {
  auto scanned = scanner.Scan();
  REQUIRE_MESSAGE(scanned.ok(), (scanned.ok() ? "" : scanned.error()));
  return *scanned;
}

}  // namespace cproc::testing
