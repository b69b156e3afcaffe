// Handing the heap that scans freed back to the kernel. glibc keeps freed memory for reuse:
// after a spell at 100,000 processes and back at 10,000, the exporter's RSS stayed at 68 MiB
// instead of 20 (bench/run's lifecycle phase). malloc_trim walks the heap, so it is done only
// after a scan that found the host shrunk to under half of its largest since the last trim.
#pragma once

#include <malloc.h>

#include <cstdint>

namespace cproc {

class HeapTrimPolicy {
 public:
  // Called after every scan with its process count; true: trim now.
  bool ShouldTrim(uint64_t processes) {
    if (processes > high_water_) high_water_ = processes;
    if (processes * 2 >= high_water_) return false;
    high_water_ = processes;
    return true;
  }

 private:
  uint64_t high_water_ = 0;  // the most processes a scan found since the last trim
};

}  // namespace cproc
