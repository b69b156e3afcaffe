// TLS for the HTTP server, set up with OpenSSL on the SSL_CTX civetweb creates: certificate
// chain, key, client CAs, protocol versions and client verification as web config's
// tls_server_config asks (exporter/http/web_config.h parses it).
#pragma once

#include <string>

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

// Loads certificate, key and client CAs into `ssl_ctx` (an OpenSSL SSL_CTX*, typed void* as in
// civetweb's init_ssl callback) and sets versions and client verification. Errors start with the
// web config key whose file failed (cert_file, key_file, client_ca_file) and name the file.
Expected<bool> ConfigureTlsContext(const TlsServerConfig& tls, void* ssl_ctx);

// ConfigureTlsContext on a scratch context: the files load and the key matches the certificate.
Expected<bool> CheckTlsFiles(const TlsServerConfig& tls);

}  // namespace cproc
