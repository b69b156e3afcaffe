#include "cmd/logging.h"

#include <spdlog/formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <ctime>

namespace cproc {
namespace {

// Messages are quoted and escaped by us: spdlog's patterns do not escape, and a message that
// contains a quote or newline would otherwise break logfmt and JSON parsers.
void AppendEscaped(std::string_view text, spdlog::memory_buf_t& out) {
  for (char c : text) {
    switch (c) {
      case '"':
        out.append(std::string_view("\\\""));
        break;
      case '\\':
        out.append(std::string_view("\\\\"));
        break;
      case '\n':
        out.append(std::string_view("\\n"));
        break;
      case '\t':
        out.append(std::string_view("\\t"));
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          fmt::format_to(std::back_inserter(out), "\\u{:04x}", static_cast<unsigned>(c));
        } else {
          out.push_back(c);
        }
    }
  }
}

// The names --log.level takes, as node_exporter (go-kit log) writes them: "warn", not spdlog's
// "warning"; nothing logs above error.
std::string_view LevelName(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace:
    case spdlog::level::debug:
      return "debug";
    case spdlog::level::info:
      return "info";
    case spdlog::level::warn:
      return "warn";
    default:
      return "error";
  }
}

class StructuredFormatter final : public spdlog::formatter {
 public:
  explicit StructuredFormatter(bool json) : json_(json) {}

  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    const auto since_epoch = msg.time.time_since_epoch();
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(since_epoch);
    const auto millis =
        std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch - seconds).count();
    const std::time_t t = seconds.count();
    std::tm tm{};
    ::gmtime_r(&t, &tm);
    char ts[32];
    std::strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
    const std::string_view level = LevelName(msg.level);
    const std::string_view text(msg.payload.data(), msg.payload.size());
    if (json_) {
      fmt::format_to(std::back_inserter(dest), R"({{"ts":"{}.{:03d}Z","level":"{}","msg":")", ts,
                     millis, level);
      AppendEscaped(text, dest);
      dest.append(std::string_view("\"}\n"));
    } else {
      fmt::format_to(std::back_inserter(dest), "ts={}.{:03d}Z level={} msg=\"", ts, millis, level);
      AppendEscaped(text, dest);
      dest.append(std::string_view("\"\n"));
    }
  }

  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<StructuredFormatter>(json_);
  }

 private:
  bool json_;
};

}  // namespace

void SetUpLogging(const std::string& level, const std::string& format) {
  auto logger = spdlog::get("cproc");
  if (!logger) logger = spdlog::stderr_logger_mt("cproc");
  spdlog::set_default_logger(logger);
  spdlog::set_formatter(std::make_unique<StructuredFormatter>(format == "json"));
  spdlog::set_level(spdlog::level::from_str(level == "warn" ? "warning" : level));
}

}  // namespace cproc
