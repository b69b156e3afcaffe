// --web.config.file: the exporter-toolkit format parser (every error names file, line and what was
// expected).
#include "exporter/http/web_config.h"

#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <utility>

#include "tests/unit/exporter/http/bcrypt_hashes.h"

namespace cproc {
namespace {

using testing::kHash2a;
using testing::kHash2b;
using testing::kHash2y;

// A fresh directory with web.yml and (empty but readable) cert.pem, key.pem and ca.pem: the
// parser only checks that the files open; their content is LoadWebConfig's business.
class WebDir {
 public:
  WebDir() {
    char dir[] = "/tmp/cproc-webconfig-XXXXXX";
    REQUIRE(::mkdtemp(dir) != nullptr);
    dir_ = dir;
    for (const char* name : {"cert.pem", "key.pem", "ca.pem"}) std::ofstream(Path(name)) << "";
  }
  ~WebDir() {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  WebDir(const WebDir&) = delete;
  WebDir& operator=(const WebDir&) = delete;

  std::string Path(const std::string& name) const { return dir_ + "/" + name; }
  std::string config() const { return Path("web.yml"); }
  Expected<WebConfig> Parse(const std::string& yaml) const {
    return ParseWebConfig(yaml, config());
  }
  // The error of parsing `yaml`; fails the test when it parses.
  std::string ErrorOf(const std::string& yaml) const {
    Expected<WebConfig> parsed = Parse(yaml);
    REQUIRE_FALSE(parsed.ok());
    return parsed.error();
  }

 private:
  std::string dir_;
};

std::string Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos ? "" : "\"" + part + "\" not in: " + text;
}

}  // namespace

TEST_CASE("web config: a complete file, with relative paths resolved against its directory") {
  WebDir dir;
  auto parsed = dir.Parse(std::string(R"(
tls_server_config:
  cert_file: cert.pem
  key_file: )") + dir.Path("key.pem") +
                          R"(
  client_auth_type: RequireAndVerifyClientCert
  client_ca_file: ca.pem
  min_version: TLS13
  prefer_server_cipher_suites: false
http_server_config:
  http2: true
  headers:
    Strict-Transport-Security: max-age=31536000
    X-Frame-Options: deny
basic_auth_users:
  alice: )" + kHash2b + R"(
  bob: ')" + kHash2y + R"('
)");
  REQUIRE_MESSAGE(parsed.ok(), (parsed.ok() ? "" : parsed.error()));
  REQUIRE(parsed->tls.has_value());
  const TlsServerConfig& tls = *parsed->tls;
  CHECK(tls.cert_file == dir.Path("cert.pem"));
  CHECK(tls.key_file == dir.Path("key.pem"));  // absolute stays as written
  CHECK(tls.client_ca_file == dir.Path("ca.pem"));
  CHECK(tls.client_auth == ClientAuth::kRequireAndVerifyClientCert);
  CHECK(tls.min_version == TlsVersion::kTls13);
  CHECK(tls.max_version == TlsVersion::kTls13);
  CHECK_FALSE(tls.prefer_server_cipher_suites);
  REQUIRE(parsed->headers.size() == 2);
  CHECK(parsed->headers[0] ==
        std::make_pair(std::string("Strict-Transport-Security"), std::string("max-age=31536000")));
  CHECK(parsed->headers[1].first == "X-Frame-Options");
  CHECK(parsed->basic_auth_users.size() == 2);
  CHECK(parsed->basic_auth_users.at("alice") == kHash2b);
}

TEST_CASE("web config: empty file, auth only, and TLS settings without a certificate") {
  WebDir dir;
  auto empty = dir.Parse("");
  REQUIRE(empty.ok());
  CHECK_FALSE(empty->tls.has_value());
  CHECK(empty->basic_auth_users.empty());

  auto auth_only = dir.Parse(std::string("basic_auth_users:\n  alice: ") + kHash2a + "\n");
  REQUIRE(auth_only.ok());
  CHECK_FALSE(auth_only->tls.has_value());
  CHECK(auth_only->basic_auth_users.count("alice") == 1);

  // As the toolkit: TLS is on only once a cert, key, CA or client auth type is named.
  auto versions_only = dir.Parse("tls_server_config:\n  min_version: TLS13\n");
  REQUIRE(versions_only.ok());
  CHECK_FALSE(versions_only->tls.has_value());

  auto nulls = dir.Parse("tls_server_config:\nhttp_server_config:\nbasic_auth_users:\n");
  REQUIRE(nulls.ok());
  CHECK_FALSE(nulls->tls.has_value());
}

TEST_CASE("web config: every mistake is one line with file, line and what was expected") {
  WebDir dir;
  const std::string tls = "tls_server_config:\n  cert_file: cert.pem\n  key_file: key.pem\n";
  struct Case {
    std::string yaml;
    int line;
    std::string message;
  };
  const Case cases[] = {
      {"a: [1,\n", 2, "invalid YAML"},
      {"- a\n- b\n", 1, "expected a mapping with tls_server_config"},
      {"tls_config:\n  cert_file: x\n", 1,
       "unknown key \"tls_config\" (expected one of: tls_server_config, http_server_config, "
       "basic_auth_users)"},
      {"basic_auth_users: {}\nbasic_auth_users: {}\n", 2, "duplicate key \"basic_auth_users\""},
      {"rate_limit:\n  burst: 1\n", 1, "rate_limit is not supported"},
      {"tls_server_config: cert.pem\n", 1, "tls_server_config: expected a mapping"},
      {tls + "  cert_fil: x\n", 4,
       "unknown key \"cert_fil\" in tls_server_config (expected one of: "
       "cert_file, key_file, client_auth_type, client_ca_file"},
      {"tls_server_config:\n  cert_file: missing.pem\n  key_file: key.pem\n", 2,
       "tls_server_config.cert_file \"" + dir.Path("missing.pem") +
           "\": cannot open: No such file or directory"},
      {"tls_server_config:\n  cert_file: .\n  key_file: key.pem\n", 2, "is a directory"},
      {"tls_server_config:\n  cert_file: [a, b]\n  key_file: key.pem\n", 2,
       "tls_server_config.cert_file: expected a string"},
      {"tls_server_config:\n  cert_file: cert.pem\n", 2, "tls_server_config: key_file is required"},
      {"tls_server_config:\n  key_file: key.pem\n", 2, "tls_server_config: cert_file is required"},
      {tls + "  client_auth_type: RequireClientCertPlease\n", 4,
       "client_auth_type: unknown value \"RequireClientCertPlease\"; expected one of: "
       "NoClientCert, "
       "RequestClientCert"},
      {tls + "  min_version: TLS11\n", 4, "min_version: TLS11 is not supported"},
      {tls + "  max_version: TLS14\n", 4,
       "max_version: unknown TLS version \"TLS14\"; expected "
       "TLS12 or TLS13"},
      {tls + "  min_version: TLS13\n  max_version: TLS12\n", 2, "min_version is above max_version"},
      {tls + "  client_ca_file: ca.pem\n", 2,
       "client_ca_file is set but client_auth_type is "
       "NoClientCert"},
      {tls + "  client_auth_type: RequireAndVerifyClientCert\n", 2, "needs client_ca_file"},
      {tls + "  prefer_server_cipher_suites: maybe\n", 4, "expected true or false"},
      {tls + "  cert: |\n    -----BEGIN CERTIFICATE-----\n", 4,
       "inline PEM is not supported by cproc_exporter; use cert_file"},
      {tls + "  cipher_suites: [TLS_AES_128_GCM_SHA256]\n", 4,
       "tls_server_config.cipher_suites is not supported"},
      {"http_server_config:\n  http3: true\n", 2,
       "unknown key \"http3\" in http_server_config (expected one of: headers, http2)"},
      {"http_server_config:\n  http2: sometimes\n", 2, "http2: expected true or false"},
      {"http_server_config:\n  headers:\n    Server: cproc\n", 3,
       "header \"Server\" cannot be configured (allowed: Strict-Transport-Security"},
      {"http_server_config:\n  headers:\n    X-Frame-Options: allow\n", 3,
       "X-Frame-Options: expected one of: deny, sameorigin, got \"allow\""},
      {"http_server_config:\n  headers:\n    Content-Security-Policy: \"a\\r\\nSet-Cookie: x\"\n",
       3, "line breaks and NUL are not allowed"},
      {"basic_auth_users:\n  alice: secret\n", 2,
       "basic_auth_users.alice: expected a bcrypt hash ($2a$, $2b$ or $2y$"},
      {"basic_auth_users:\n  alice: $1$abc$def\n", 2, "expected a bcrypt hash"},
      {"basic_auth_users:\n  \"a:b\": " + std::string(kHash2b) + "\n", 2, "contains ':'"},
      {"basic_auth_users: [alice]\n", 1, "basic_auth_users: expected a mapping"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.yaml);
    const std::string error = dir.ErrorOf(c.yaml);
    CHECK_MESSAGE(error.rfind(dir.config() + ":" + std::to_string(c.line) + ": ", 0) == 0, error);
    CHECK_MESSAGE(Contains(error, c.message).empty(), Contains(error, c.message));
    CHECK(error.find('\n') == std::string::npos);
  }
}

TEST_CASE("web config: LoadWebConfig names an unreadable file and a certificate that is not PEM") {
  WebDir dir;
  auto missing = LoadWebConfig(dir.Path("nope.yml"));
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error() ==
        dir.Path("nope.yml") + ": cannot open web config file: No such file or directory");

  std::ofstream(dir.config()) << "tls_server_config:\n  cert_file: cert.pem\n  key_file: key.pem\n";
  std::ofstream(dir.Path("cert.pem")) << "not a certificate\n";
  auto garbage = LoadWebConfig(dir.config());
  REQUIRE_FALSE(garbage.ok());
  // The line of cert_file in the web config file: what to fix.
  CHECK_MESSAGE(Contains(garbage.error(), dir.config() + ":2: tls_server_config: cert_file \"" +
                                              dir.Path("cert.pem") + "\": cannot load certificate")
                    .empty(),
                garbage.error());
}

}  // namespace cproc
