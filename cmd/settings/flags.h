// node_exporter-style command-line flags: --name=value or --name value, dotted names.
#pragma once

#include <string>
#include <vector>

#include "cmd/settings/config.h"
#include "collectors/base/expected.h"

namespace cproc {

struct CommandLine {
  Config config;
  bool help = false;
  bool version = false;
};

// Applies defaults, then --config.file (if given), then the other flags, so flags win.
// Errors are one line naming the flag or the file and what was expected.
Expected<CommandLine> ParseCommandLine(const std::vector<std::string>& args);

std::string UsageText(const std::string& program);

// "cproc_exporter, version X (revision: Y)\n", for --version of the daemon and of `ps`.
std::string VersionLine();

}  // namespace cproc
