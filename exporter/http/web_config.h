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

namespace cproc {

// Only TLS 1.2 and 1.3: OpenSSL 3 refuses older versions at its default security level anyway.
enum class TlsVersion { kTls12, kTls13 };

// The Go crypto/tls names the toolkit uses for client_auth_type.
enum class ClientAuth {
  kNoClientCert,
  kRequestClientCert,           // ask for a certificate, accept any or none
  kRequireAnyClientCert,        // require one, do not verify it
  kVerifyClientCertIfGiven,     // none is fine; a given one must verify against client_ca_file
  kRequireAndVerifyClientCert,  // mTLS
};

struct TlsServerConfig {
  std::string cert_file;       // PEM, may hold the chain; relative names are already resolved
  std::string key_file;        // PEM, unencrypted
  std::string client_ca_file;  // "" = none
  ClientAuth client_auth = ClientAuth::kNoClientCert;
  TlsVersion min_version = TlsVersion::kTls12;
  TlsVersion max_version = TlsVersion::kTls13;
  bool prefer_server_cipher_suites = true;
  // Where cert_file, key_file and client_ca_file are set in the web config file (1-based; 0:
  // unknown), so an error found when the files are loaded names the line to fix.
  int cert_file_line = 0;
  int key_file_line = 0;
  int client_ca_file_line = 0;
};

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

// Reads and parses `path`, then loads the TLS files once into a scratch OpenSSL context, so a key
// that does not match its certificate is reported here and not by the first handshake.
Expected<WebConfig> LoadWebConfig(const std::string& path);

// Loads certificate, key and client CAs into `ssl_ctx` (an OpenSSL SSL_CTX*, typed void* as in
// civetweb's init_ssl callback) and sets versions and client verification. Errors name the file.
Expected<bool> ConfigureTlsContext(const TlsServerConfig& tls, void* ssl_ctx);

}  // namespace cproc
