// TLS set up on an OpenSSL context as web config's tls_server_config asks, with a key and a
// self-signed certificate made here (no key material in the repository, nothing to expire).
#include "exporter/http/tls_context.h"

#include <doctest/doctest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cstdio>
#include <memory>
#include <string>

#include "tests/support/temp_file.h"

using namespace cproc;
using cproc::testing::TempFile;

namespace {

using Key = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using Certificate = std::unique_ptr<X509, decltype(&X509_free)>;
using Context = std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)>;

Key NewKey() {
  Key key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"), &EVP_PKEY_free);
  REQUIRE(key != nullptr);
  return key;
}

Certificate SelfSigned(EVP_PKEY* key) {
  Certificate cert(X509_new(), &X509_free);
  REQUIRE(cert != nullptr);
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  const unsigned char cn[] = "cproc-test";
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, cn, -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  REQUIRE(X509_sign(cert.get(), key, EVP_sha256()) > 0);
  return cert;
}

// `write` called with a FILE* open on the (empty) file; the PEM text it wrote.
template <typename Write>
std::string Pem(Write write) {
  TempFile scratch("");
  FILE* out = std::fopen(scratch.path().c_str(), "w");
  REQUIRE(out != nullptr);
  const bool written = write(out);
  std::fclose(out);
  REQUIRE(written);
  FILE* in = std::fopen(scratch.path().c_str(), "r");
  REQUIRE(in != nullptr);
  std::string text;
  for (int c = std::fgetc(in); c != EOF; c = std::fgetc(in)) text += static_cast<char>(c);
  std::fclose(in);
  return text;
}

// A key and its self-signed certificate as PEM files, named as web config names them.
struct Pair {
  Pair()
      : key(NewKey()),
        cert(SelfSigned(key.get())),
        cert_file(Pem([&](FILE* f) { return PEM_write_X509(f, cert.get()) == 1; }), "cert.pem"),
        key_file(Pem([&](FILE* f) {
                   return PEM_write_PrivateKey(f, key.get(), nullptr, nullptr, 0, nullptr,
                                               nullptr) == 1;
                 }),
                 "key.pem") {}

  TlsServerConfig Config() const {
    TlsServerConfig tls;
    tls.cert_file = cert_file.path();
    tls.key_file = key_file.path();
    return tls;
  }

  Key key;
  Certificate cert;
  TempFile cert_file;
  TempFile key_file;
};

std::string ErrorOf(const TlsServerConfig& tls) {
  const Expected<bool> checked = CheckTlsFiles(tls);
  REQUIRE_FALSE(checked.ok());
  return checked.error();
}

}  // namespace

TEST_CASE("tls context: certificate and key load, versions and client verification are set") {
  const Pair pair;
  CHECK(CheckTlsFiles(pair.Config()).ok());

  Context ctx(SSL_CTX_new(TLS_server_method()), &SSL_CTX_free);
  REQUIRE(ctx != nullptr);
  TlsServerConfig tls = pair.Config();
  REQUIRE(ConfigureTlsContext(tls, ctx.get()).ok());
  CHECK(SSL_CTX_get_min_proto_version(ctx.get()) == TLS1_2_VERSION);
  CHECK(SSL_CTX_get_max_proto_version(ctx.get()) == TLS1_3_VERSION);
  CHECK(SSL_CTX_get_verify_mode(ctx.get()) == SSL_VERIFY_NONE);
  CHECK((SSL_CTX_get_options(ctx.get()) & SSL_OP_CIPHER_SERVER_PREFERENCE) != 0);

  // mTLS with the certificate as its own CA, TLS 1.3 only, the client's cipher order.
  Context mtls(SSL_CTX_new(TLS_server_method()), &SSL_CTX_free);
  REQUIRE(mtls != nullptr);
  tls.client_ca_file = pair.cert_file.path();
  tls.client_auth = ClientAuth::kRequireAndVerifyClientCert;
  tls.min_version = TlsVersion::kTls13;
  tls.prefer_server_cipher_suites = false;
  REQUIRE(ConfigureTlsContext(tls, mtls.get()).ok());
  CHECK(SSL_CTX_get_min_proto_version(mtls.get()) == TLS1_3_VERSION);
  CHECK(SSL_CTX_get_verify_mode(mtls.get()) == (SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT));
  const bool own_verification = SSL_CTX_get_verify_callback(mtls.get()) == nullptr;
  CHECK(own_verification);  // OpenSSL's verification decides
  CHECK(sk_X509_NAME_num(SSL_CTX_get_client_CA_list(mtls.get())) == 1);  // offered to clients
  CHECK((SSL_CTX_get_options(mtls.get()) & SSL_OP_CIPHER_SERVER_PREFERENCE) == 0);

  // RequireAnyClientCert: a certificate is required but not judged.
  Context any(SSL_CTX_new(TLS_server_method()), &SSL_CTX_free);
  REQUIRE(any != nullptr);
  TlsServerConfig require_any = pair.Config();
  require_any.client_auth = ClientAuth::kRequireAnyClientCert;
  REQUIRE(ConfigureTlsContext(require_any, any.get()).ok());
  CHECK(SSL_CTX_get_verify_mode(any.get()) == (SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT));
  const bool accepts_any = SSL_CTX_get_verify_callback(any.get()) != nullptr;
  CHECK(accepts_any);
}

TEST_CASE("tls context: each failure names the setting and the file to fix") {
  const Pair pair;
  const Pair other;
  TlsServerConfig tls = pair.Config();

  tls.cert_file = pair.cert_file.path() + ".missing";
  CHECK(ErrorOf(tls).rfind("cert_file \"" + tls.cert_file + "\": cannot load certificate: ", 0) ==
        0);
  const TempFile garbage("not a certificate\n");
  tls.cert_file = garbage.path();
  CHECK(ErrorOf(tls).rfind("cert_file \"" + garbage.path() + "\": cannot load certificate", 0) ==
        0);

  // Another certificate's key.
  tls = pair.Config();
  tls.key_file = other.key_file.path();
  const std::string mismatch = ErrorOf(tls);
  CHECK(mismatch.rfind(
            "key_file \"" + tls.key_file + "\" does not match cert_file \"" + tls.cert_file + "\"",
            0) == 0);

  // An encrypted key fails at once instead of prompting on the terminal for its passphrase.
  const unsigned char passphrase[] = "secret";
  const TempFile encrypted(Pem([&](FILE* f) {
    return PEM_write_PrivateKey(f, pair.key.get(), EVP_aes_128_cbc(), passphrase,
                                static_cast<int>(sizeof(passphrase) - 1), nullptr, nullptr) == 1;
  }));
  tls.key_file = encrypted.path();
  const std::string locked = ErrorOf(tls);
  CHECK(locked.rfind("key_file \"" + encrypted.path() + "\": cannot load private key: ", 0) == 0);
  CHECK(locked.find("(keys must be unencrypted PEM)") != std::string::npos);

  tls = pair.Config();
  tls.client_ca_file = garbage.path();
  tls.client_auth = ClientAuth::kVerifyClientCertIfGiven;
  CHECK(ErrorOf(tls).rfind("client_ca_file \"" + garbage.path() + "\": ", 0) == 0);
}
