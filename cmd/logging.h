// Logging setup: logfmt or JSON lines on stderr, as node_exporter does (--log.level, --log.format).
#pragma once

#include <string>

namespace cproc {

// `level` and `format` were validated by the config. Safe to call again (SIGHUP reload).
void SetUpLogging(const std::string& level, const std::string& format);

}  // namespace cproc
