#include "exporter/http/web_config.h"

#include <fcntl.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>

#include "exporter/http/basic_auth.h"

namespace cproc {
namespace {

using Names = std::initializer_list<std::string_view>;

// The headers and values exporter-toolkit allows (web/handler.go extraHTTPHeaders); no values
// (empty strings) allows any value.
struct AllowedHeader {
  std::string_view name;
  std::array<std::string_view, 2> values;
};
constexpr std::array<AllowedHeader, 5> kAllowedHeaders = {{
    {"Strict-Transport-Security", {}},
    {"X-Content-Type-Options", {"nosniff"}},
    {"X-Frame-Options", {"deny", "sameorigin"}},
    {"X-XSS-Protection", {}},
    {"Content-Security-Policy", {}},
}};

std::string Join(Names names) {
  std::string out;
  for (const std::string_view name : names) {
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out;
}

std::string JoinValues(const AllowedHeader& header) {
  std::string out;
  for (const std::string_view value : header.values) {
    if (value.empty()) continue;
    if (!out.empty()) out += ", ";
    out += value;
  }
  return out;
}

bool AllowsValue(const AllowedHeader& header, std::string_view value) {
  if (header.values.front().empty()) return true;  // any value
  for (const std::string_view v : header.values) {
    if (!v.empty() && v == value) return true;
  }
  return false;
}

class Parser {
 public:
  explicit Parser(std::string path) : path_(std::move(path)) {}

  Expected<WebConfig> Parse(const std::string& text) {
    YAML::Node root;
    try {
      root = YAML::Load(text);
    } catch (const YAML::Exception& e) {
      return Error{path_ + ":" + std::to_string(e.mark.line + 1) + ": invalid YAML: " + e.msg};
    }
    WebConfig config;
    if (root.IsNull()) return config;  // an empty file: plain HTTP, no auth (as the toolkit)
    if (!root.IsMap()) {
      return At(root,
                "expected a mapping with tls_server_config, http_server_config or "
                "basic_auth_users");
    }
    std::set<std::string> seen;
    for (const auto& item : root) {
      Expected<std::string> key = Key(item.first, seen);
      if (!key) return Error{key.error()};
      Expected<bool> done = true;
      if (*key == "tls_server_config") {
        done = ParseTls(item.second, config);
      } else if (*key == "http_server_config") {
        done = ParseHttp(item.second, config);
      } else if (*key == "basic_auth_users") {
        done = ParseUsers(item.second, config);
      } else if (*key == "rate_limit") {
        return At(item.first,
                  "rate_limit is not supported by cproc_exporter (--web.max-requests "
                  "bounds concurrent scrapes)");
      } else {
        return Unknown(item.first, *key, "",
                       {"tls_server_config", "http_server_config", "basic_auth_users"});
      }
      if (!done) return Error{done.error()};
    }
    return config;
  }

 private:
  Error At(const YAML::Node& node, const std::string& what) const {
    return Error{path_ + ":" + std::to_string(node.Mark().line + 1) + ": " + what};
  }

  Error Unknown(const YAML::Node& node, const std::string& key, const std::string& section,
                Names known) const {
    const std::string where = section.empty() ? "" : " in " + section;
    return At(node,
              "unknown key \"" + key + "\"" + where + " (expected one of: " + Join(known) + ")");
  }

  // A mapping key as a string, rejecting non-scalar keys and duplicates (Go's yaml.UnmarshalStrict
  // rejects both; yaml-cpp would silently keep one of the duplicates).
  Expected<std::string> Key(const YAML::Node& node, std::set<std::string>& seen) const {
    if (!node.IsScalar()) return At(node, "expected a string key");
    if (!seen.insert(node.Scalar()).second) {
      return At(node, "duplicate key \"" + node.Scalar() + "\"");
    }
    return node.Scalar();
  }

  // A string value; an empty value (null) is "", as in Go.
  Expected<std::string> String(const YAML::Node& value, const std::string& name) const {
    if (value.IsNull()) return std::string();
    if (!value.IsScalar()) return At(value, name + ": expected a string");
    return value.Scalar();
  }

  Expected<bool> Bool(const YAML::Node& value, const std::string& name) const {
    try {
      if (value.IsScalar()) return value.as<bool>();
    } catch (const YAML::Exception&) {
      // not a YAML boolean: reported below
    }
    return At(value, name + ": expected true or false");
  }

  Expected<TlsVersion> Version(const YAML::Node& value, const std::string& name) const {
    Expected<std::string> text = String(value, name);
    if (!text) return Error{text.error()};
    if (*text == "TLS12") return TlsVersion::kTls12;
    if (*text == "TLS13") return TlsVersion::kTls13;
    if (*text == "TLS10" || *text == "TLS11") {
      return At(value, name + ": " + *text +
                           " is not supported (TLS 1.0 and 1.1 are obsolete); "
                           "expected TLS12 or TLS13");
    }
    return At(value, name + ": unknown TLS version \"" + *text + "\"; expected TLS12 or TLS13");
  }

  Expected<ClientAuth> ClientAuthType(const YAML::Node& value) const {
    const std::string name = "tls_server_config.client_auth_type";
    Expected<std::string> text = String(value, name);
    if (!text) return Error{text.error()};
    if (text->empty() || *text == "NoClientCert") return ClientAuth::kNoClientCert;
    if (*text == "RequestClientCert") return ClientAuth::kRequestClientCert;
    // RequireClientCert: the toolkit keeps this old spelling working.
    if (*text == "RequireAnyClientCert" || *text == "RequireClientCert") {
      return ClientAuth::kRequireAnyClientCert;
    }
    if (*text == "VerifyClientCertIfGiven") return ClientAuth::kVerifyClientCertIfGiven;
    if (*text == "RequireAndVerifyClientCert") return ClientAuth::kRequireAndVerifyClientCert;
    return At(value, name + ": unknown value \"" + *text +
                         "\"; expected one of: NoClientCert, RequestClientCert, "
                         "RequireAnyClientCert, VerifyClientCertIfGiven, "
                         "RequireAndVerifyClientCert");
  }

  // A file name from the config: relative to the config's directory, and openable now.
  Expected<std::string> File(const YAML::Node& value, const std::string& name) const {
    Expected<std::string> text = String(value, name);
    if (!text || text->empty()) return text;
    const std::string resolved = (std::filesystem::path(path_).parent_path() / *text).string();
    const int fd = open(resolved.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      return At(value, name + " \"" + resolved + "\": cannot open: " + std::strerror(errno));
    }
    close(fd);
    if (std::filesystem::is_directory(resolved)) {
      return At(value, name + " \"" + resolved + "\": is a directory, expected a PEM file");
    }
    return resolved;
  }

  Expected<bool> ParseTls(const YAML::Node& node, WebConfig& config) const {
    if (node.IsNull()) return true;
    if (!node.IsMap()) return At(node, "tls_server_config: expected a mapping");
    TlsServerConfig tls;
    bool client_auth_set = false;
    std::set<std::string> seen;
    for (const auto& item : node) {
      Expected<std::string> key = Key(item.first, seen);
      if (!key) return Error{key.error()};
      const std::string name = "tls_server_config." + *key;
      const YAML::Node& value = item.second;
      if (*key == "cert_file" || *key == "key_file" || *key == "client_ca_file") {
        Expected<std::string> file = File(value, name);
        if (!file) return Error{file.error()};
        const int line = item.first.Mark().line + 1;
        if (*key == "cert_file") {
          tls.cert_file = *file;
          tls.cert_file_line = line;
        } else if (*key == "key_file") {
          tls.key_file = *file;
          tls.key_file_line = line;
        } else {
          tls.client_ca_file = *file;
          tls.client_ca_file_line = line;
        }
      } else if (*key == "client_auth_type") {
        Expected<ClientAuth> auth = ClientAuthType(value);
        if (!auth) return Error{auth.error()};
        tls.client_auth = *auth;
        client_auth_set = !value.IsNull() && !value.Scalar().empty();
      } else if (*key == "min_version" || *key == "max_version") {
        Expected<TlsVersion> version = Version(value, name);
        if (!version) return Error{version.error()};
        (*key == "min_version" ? tls.min_version : tls.max_version) = *version;
      } else if (*key == "prefer_server_cipher_suites") {
        Expected<bool> prefer = Bool(value, name);
        if (!prefer) return Error{prefer.error()};
        tls.prefer_server_cipher_suites = *prefer;
      } else if (*key == "cert" || *key == "key" || *key == "client_ca") {
        return At(item.first,
                  name + ": inline PEM is not supported by cproc_exporter; use " + *key + "_file");
      } else if (*key == "cipher_suites" || *key == "curve_preferences" ||
                 *key == "client_allowed_sans") {
        return At(item.first, name +
                                  " is not supported by cproc_exporter (OpenSSL's system "
                                  "defaults choose ciphers and curves)");
      } else {
        return Unknown(item.first, *key, "tls_server_config",
                       {"cert_file", "key_file", "client_auth_type", "client_ca_file",
                        "min_version", "max_version", "prefer_server_cipher_suites"});
      }
    }
    // As the toolkit: TLS is on when any of these is set, and then it needs both cert and key.
    if (tls.cert_file.empty() && tls.key_file.empty() && tls.client_ca_file.empty() &&
        !client_auth_set) {
      return true;
    }
    if (tls.cert_file.empty()) return At(node, "tls_server_config: cert_file is required");
    if (tls.key_file.empty()) return At(node, "tls_server_config: key_file is required");
    if (tls.min_version > tls.max_version) {
      return At(node, "tls_server_config: min_version is above max_version");
    }
    const bool verifies = tls.client_auth == ClientAuth::kVerifyClientCertIfGiven ||
                          tls.client_auth == ClientAuth::kRequireAndVerifyClientCert;
    if (!tls.client_ca_file.empty() && tls.client_auth == ClientAuth::kNoClientCert) {
      return At(node,
                "tls_server_config: client_ca_file is set but client_auth_type is "
                "NoClientCert; set client_auth_type: RequireAndVerifyClientCert");
    }
    if (verifies && tls.client_ca_file.empty()) {
      return At(node,
                "tls_server_config: client_auth_type verifies client certificates and "
                "needs client_ca_file");
    }
    config.tls = std::move(tls);
    return true;
  }

  Expected<bool> ParseHttp(const YAML::Node& node, WebConfig& config) const {
    if (node.IsNull()) return true;
    if (!node.IsMap()) return At(node, "http_server_config: expected a mapping");
    std::set<std::string> seen;
    for (const auto& item : node) {
      Expected<std::string> key = Key(item.first, seen);
      if (!key) return Error{key.error()};
      if (*key == "http2") {
        // civetweb serves HTTP/1.1 only; the setting is accepted so toolkit files keep working.
        Expected<bool> http2 = Bool(item.second, "http_server_config.http2");
        if (!http2) return Error{http2.error()};
      } else if (*key == "headers") {
        Expected<bool> headers = ParseHeaders(item.second, config);
        if (!headers) return Error{headers.error()};
      } else {
        return Unknown(item.first, *key, "http_server_config", {"headers", "http2"});
      }
    }
    return true;
  }

  Expected<bool> ParseHeaders(const YAML::Node& node, WebConfig& config) const {
    if (node.IsNull()) return true;
    if (!node.IsMap()) return At(node, "http_server_config.headers: expected a mapping");
    std::set<std::string> seen;
    for (const auto& item : node) {
      Expected<std::string> name = Key(item.first, seen);
      if (!name) return Error{name.error()};
      const AllowedHeader* allowed = nullptr;
      for (const AllowedHeader& header : kAllowedHeaders) {
        if (header.name == *name) allowed = &header;
      }
      if (allowed == nullptr) {
        Names names = {"Strict-Transport-Security", "X-Content-Type-Options", "X-Frame-Options",
                       "X-XSS-Protection", "Content-Security-Policy"};
        return At(item.first, "http_server_config.headers: header \"" + *name +
                                  "\" cannot be configured (allowed: " + Join(names) + ")");
      }
      Expected<std::string> value = String(item.second, "http_server_config.headers." + *name);
      if (!value) return Error{value.error()};
      if (value->find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) {
        return At(item.second, "http_server_config.headers." + *name +
                                   ": line breaks and NUL are not allowed in a header value");
      }
      if (!AllowsValue(*allowed, *value)) {
        return At(item.second, "http_server_config.headers." + *name + ": expected one of: " +
                                   JoinValues(*allowed) + ", got \"" + *value + "\"");
      }
      config.headers.emplace_back(*name, *value);
    }
    return true;
  }

  Expected<bool> ParseUsers(const YAML::Node& node, WebConfig& config) const {
    if (node.IsNull()) return true;
    if (!node.IsMap()) return At(node, "basic_auth_users: expected a mapping of user: bcrypt hash");
    std::set<std::string> seen;
    for (const auto& item : node) {
      Expected<std::string> user = Key(item.first, seen);
      if (!user) return Error{user.error()};
      if (user->find(':') != std::string::npos) {
        return At(item.first, "basic_auth_users: user name \"" + *user +
                                  "\" contains ':', which basic auth cannot transmit");
      }
      Expected<std::string> hash = String(item.second, "basic_auth_users." + *user);
      if (!hash) return Error{hash.error()};
      // The hash itself is not echoed: it is a secret of sorts.
      if (!IsBcryptHash(*hash)) {
        return At(item.second, "basic_auth_users." + *user +
                                   ": expected a bcrypt hash ($2a$, $2b$ or $2y$, cost 04-31, 60 "
                                   "characters), e.g. from: htpasswd -nBC 10 \"\" | tr -d ':\\n'");
      }
      config.basic_auth_users.emplace(*user, *hash);
    }
    return true;
  }

  const std::string path_;
};

}  // namespace

Expected<WebConfig> ParseWebConfig(const std::string& text, const std::string& path) {
  return Parser(path).Parse(text);
}

Expected<WebConfig> LoadWebConfig(const std::string& path) {
  std::ifstream file(path);
  if (!file) return Error{path + ": cannot open web config file: " + std::strerror(errno)};
  std::stringstream content;
  content << file.rdbuf();
  if (file.bad()) return Error{path + ": cannot read web config file: " + std::strerror(errno)};
  Expected<WebConfig> config = ParseWebConfig(content.str(), path);
  if (!config || !config->tls) return config;

  Expected<bool> loaded = CheckTlsFiles(*config->tls);
  if (loaded) return config;
  // ConfigureTlsContext's errors start with the key whose file failed: point at its line.
  const TlsServerConfig& tls = *config->tls;
  int line = 0;
  if (loaded.error().starts_with("cert_file")) line = tls.cert_file_line;
  if (loaded.error().starts_with("key_file")) line = tls.key_file_line;
  if (loaded.error().starts_with("client_ca_file")) line = tls.client_ca_file_line;
  const std::string where = line > 0 ? path + ":" + std::to_string(line) : path;
  return Error{where + ": tls_server_config: " + loaded.error()};
}

}  // namespace cproc
