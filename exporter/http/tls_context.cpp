#include "exporter/http/tls_context.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

namespace cproc {
namespace {

// The reason of the oldest queued OpenSSL error ("no start line", "key values mismatch", ...).
std::string OpenSslReason() {
  std::string reason;
  while (const unsigned long code = ERR_get_error()) {
    if (!reason.empty()) continue;  // drain the queue, keep the first
    const char* text = ERR_reason_error_string(code);
    reason = text != nullptr ? text : "OpenSSL error " + std::to_string(code);
  }
  return reason.empty() ? "unknown OpenSSL error" : reason;
}

// An encrypted key must fail, not make OpenSSL prompt on the terminal for a passphrase.
int NoPassphrase(char* /*buf*/, int /*size*/, int /*rwflag*/, void* /*userdata*/) { return 0; }

// Request or require a client certificate without judging it (RequestClientCert and
// RequireAnyClientCert in Go terms).
int AcceptAnyCertificate(int /*preverify_ok*/, X509_STORE_CTX* /*store*/) { return 1; }

int ProtocolVersion(TlsVersion version) {
  return version == TlsVersion::kTls13 ? TLS1_3_VERSION : TLS1_2_VERSION;
}

}  // namespace

Expected<bool> ConfigureTlsContext(const TlsServerConfig& tls, void* ssl_ctx) {
  SSL_CTX* ctx = static_cast<SSL_CTX*>(ssl_ctx);
  ERR_clear_error();
  SSL_CTX_set_default_passwd_cb(ctx, &NoPassphrase);
  // civetweb 1.15's own loader takes certificate and key from one PEM file (ssl_certificate);
  // loading them here keeps the toolkit's separate cert_file and key_file without a merged copy.
  if (SSL_CTX_use_certificate_chain_file(ctx, tls.cert_file.c_str()) != 1) {
    return Error{"cert_file \"" + tls.cert_file +
                 "\": cannot load certificate: " + OpenSslReason()};
  }
  const std::string key_file = "key_file \"" + tls.key_file + "\"";
  if (SSL_CTX_use_PrivateKey_file(ctx, tls.key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    const std::string reason = OpenSslReason();
    // OpenSSL already compares the key with the loaded certificate here.
    if (reason == "key values mismatch") {
      return Error{key_file + " does not match cert_file \"" + tls.cert_file + "\""};
    }
    return Error{key_file + ": cannot load private key: " + reason +
                 " (keys must be unencrypted PEM)"};
  }
  if (SSL_CTX_check_private_key(ctx) != 1) {
    return Error{key_file + " does not match cert_file \"" + tls.cert_file +
                 "\": " + OpenSslReason()};
  }
  if (SSL_CTX_set_min_proto_version(ctx, ProtocolVersion(tls.min_version)) != 1 ||
      SSL_CTX_set_max_proto_version(ctx, ProtocolVersion(tls.max_version)) != 1) {
    return Error{"cannot set the TLS versions: " + OpenSslReason()};
  }
  if (tls.prefer_server_cipher_suites) {
    SSL_CTX_set_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE);
  } else {
    SSL_CTX_clear_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE);
  }
  // Session resumption with client certificates fails without a session id context.
  static constexpr unsigned char kSessionContext[] = "cproc_exporter";
  SSL_CTX_set_session_id_context(ctx, kSessionContext, sizeof(kSessionContext) - 1);

  if (!tls.client_ca_file.empty()) {
    if (SSL_CTX_load_verify_locations(ctx, tls.client_ca_file.c_str(), nullptr) != 1) {
      return Error{"client_ca_file \"" + tls.client_ca_file +
                   "\": cannot load CA certificates: " + OpenSslReason()};
    }
    // Tells clients which CAs are accepted, so they pick the right certificate.
    STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(tls.client_ca_file.c_str());
    if (names == nullptr) {
      return Error{"client_ca_file \"" + tls.client_ca_file +
                   "\": no CA certificate in it: " + OpenSslReason()};
    }
    SSL_CTX_set_client_CA_list(ctx, names);
  }
  switch (tls.client_auth) {
    case ClientAuth::kNoClientCert:
      SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
      break;
    case ClientAuth::kRequestClientCert:
      SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, &AcceptAnyCertificate);
      break;
    case ClientAuth::kRequireAnyClientCert:
      SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
                         &AcceptAnyCertificate);
      break;
    case ClientAuth::kVerifyClientCertIfGiven:
      SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
      break;
    case ClientAuth::kRequireAndVerifyClientCert:
      SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
      break;
  }
  return true;
}

Expected<bool> CheckTlsFiles(const TlsServerConfig& tls) {
  SSL_CTX* scratch = SSL_CTX_new(TLS_server_method());
  if (scratch == nullptr) return Error{"cannot create a TLS context: " + OpenSslReason()};
  Expected<bool> loaded = ConfigureTlsContext(tls, scratch);
  SSL_CTX_free(scratch);
  return loaded;
}

}  // namespace cproc
