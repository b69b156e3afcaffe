// The YAML config file (--config.file): the settings nested by the part of their name before the
// first dot, web: {listen_address: ...}, as README.md "Config file" shows.
#pragma once

#include <string>

#include "cmd/settings/config.h"
#include "collectors/base/expected.h"

namespace cproc {

// Reads a YAML config file into `config`. Errors name the file, line and what was expected, with
// the keys as the file spells them.
Expected<bool> LoadConfigFile(const std::string& path, Config& config);

}  // namespace cproc
