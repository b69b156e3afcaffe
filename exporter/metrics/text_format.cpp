#include "exporter/metrics/text_format.h"

#include <prometheus/text_serializer.h>

#include <array>
#include <charconv>
#include <cmath>
#include <string_view>

namespace cproc {
namespace {

// Label values escape backslash, double quote and newline; HELP text backslash and newline.
void AppendEscaped(std::string_view text, bool quote, std::string& out) {
  std::size_t plain = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c != '\\' && c != '\n' && !(quote && c == '"')) continue;
    out.append(text.substr(plain, i - plain));
    out += '\\';
    out += c == '\n' ? 'n' : c;
    plain = i + 1;
  }
  out.append(text.substr(plain));
}

// As prometheus-cpp writes values: 16 significant digits, "%g" style, Nan and +/-Inf.
void AppendValue(double value, std::string& out) {
  if (std::isnan(value)) {
    out += "Nan";
  } else if (std::isinf(value)) {
    out += value < 0 ? "-Inf" : "+Inf";
  } else {
    std::array<char, 32> buffer{};
    const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value,
                                      std::chars_format::general, 16);
    out.append(buffer.data(), result.ptr);
  }
}

std::string_view TypeName(prometheus::MetricType type) {
  switch (type) {
    case prometheus::MetricType::Counter:
      return "counter";
    case prometheus::MetricType::Gauge:
      return "gauge";
    default:
      return "untyped";
  }
}

double ValueOf(const prometheus::MetricFamily& family, const prometheus::ClientMetric& metric) {
  switch (family.type) {
    case prometheus::MetricType::Counter:
      return metric.counter.value;
    case prometheus::MetricType::Gauge:
      return metric.gauge.value;
    default:
      return metric.untyped.value;
  }
}

void AppendFamily(const prometheus::MetricFamily& family, std::string& out) {
  if (!family.help.empty()) {
    out += "# HELP ";
    out += family.name;
    out += ' ';
    AppendEscaped(family.help, false, out);
    out += '\n';
  }
  out += "# TYPE ";
  out += family.name;
  out += ' ';
  out += TypeName(family.type);
  out += '\n';
  for (const prometheus::ClientMetric& metric : family.metric) {
    out += family.name;
    if (!metric.label.empty()) {
      char separator = '{';
      for (const auto& label : metric.label) {
        out += separator;
        out += label.name;
        out += "=\"";
        AppendEscaped(label.value, true, out);
        out += '"';
        separator = ',';
      }
      out += '}';
    }
    out += ' ';
    AppendValue(ValueOf(family, metric), out);
    if (metric.timestamp_ms != 0) {
      out += ' ';
      out += std::to_string(metric.timestamp_ms);
    }
    out += '\n';
  }
}

}  // namespace

void AppendTextFormat(const prometheus::MetricFamily& family, std::string& out) {
  if (family.type == prometheus::MetricType::Summary ||
      family.type == prometheus::MetricType::Histogram) {
    out += prometheus::TextSerializer().Serialize({family});
    return;
  }
  AppendFamily(family, out);
}

void AppendTextFormat(const std::vector<prometheus::MetricFamily>& families, std::string& out) {
  for (const prometheus::MetricFamily& family : families) AppendTextFormat(family, out);
}

}  // namespace cproc
