// AppendTextFormat against prometheus-cpp's TextSerializer on arbitrary label values, values
// and help texts: the exporter's fast writer must produce the reference bytes. Input: records
// separated by '\x01'; the first is the help text, each further one a series whose first 8
// bytes are its value (a double, NaN and infinities included) and the rest its label value.
#include <prometheus/text_serializer.h>

#include <cstring>
#include <string>
#include <vector>

#include "exporter/metrics/text_format.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view rest = cproc_fuzz::AsText(data, size);
  std::vector<std::string_view> records;
  while (records.size() < 64) {
    const auto separator = rest.find('\x01');
    records.push_back(rest.substr(0, separator));
    if (separator == std::string_view::npos) break;
    rest.remove_prefix(separator + 1);
  }
  prometheus::MetricFamily family;
  family.name = "cproc_fuzz";
  // prometheus-cpp writes HELP unescaped; ours escapes '\\' and '\n' as the format requires, so
  // the comparison is on help texts without them.
  for (const char c : records.front()) {
    if (c != '\\' && c != '\n') family.help += c;
  }
  family.type =
      records.size() % 2 == 0 ? prometheus::MetricType::Counter : prometheus::MetricType::Gauge;
  for (std::size_t i = 1; i < records.size(); ++i) {
    std::string_view record = records[i];
    double value = 0;
    if (record.size() >= sizeof(value)) {
      std::memcpy(&value, record.data(), sizeof(value));
      record.remove_prefix(sizeof(value));
    }
    prometheus::ClientMetric& metric = family.metric.emplace_back();
    metric.label = {{"container_id", std::string(record)}, {"state", "sleeping"}};
    metric.counter.value = metric.gauge.value = value;
  }
  std::string ours;
  cproc::AppendTextFormat({family}, ours);
  FUZZ_CHECK(ours == prometheus::TextSerializer().Serialize({family}));
  return 0;
}
