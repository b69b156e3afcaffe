// --web.config.file in the exporter-toolkit format (prometheus/exporter-toolkit
// docs/web-configuration.md): TLS, basic auth users and extra response headers. The file is read
// and checked completely at startup, so a typo, an unreadable certificate or a malformed hash stops
// the exporter with one line instead of failing every scrape later. Unlike the toolkit it is not
// re-read per request: certificates rotate with a restart.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "collectors/base/expected.h"
#include "exporter/http/tls_context.h"

namespace cproc {

struct WebConfig {
  std::optional<TlsServerConfig> tls;  // nullopt: plain HTTP
  // http_server_config.headers, in file order, e.g. {"Strict-Transport-Security", "max-age=..."}.
  std::vector<std::pair<std::string, std::string>> headers;
  std::map<std::string, std::string> basic_auth_users;  // user -> bcrypt hash; empty: no auth
};

// Parses `text` as the content of the file `path`: errors read "<path>:<line>: <what was wrong and
// what was expected>". Relative cert/key/CA names resolve against the directory of `path`, as in
// the toolkit. Checks that the named files can be opened, but not what is in them.
Expected<WebConfig> ParseWebConfig(const std::string& text, const std::string& path);

// Reads and parses `path`, then loads the TLS files once (CheckTlsFiles), so a key that does not
// match its certificate is reported here, with the line that names it, and not by the first
// handshake.
Expected<WebConfig> LoadWebConfig(const std::string& path);

}  // namespace cproc
