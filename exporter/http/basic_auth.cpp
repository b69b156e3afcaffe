#include "exporter/http/basic_auth.h"

#include <crypt.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

namespace cproc {
namespace {

constexpr std::string_view kBcryptAlphabet =
    "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
constexpr std::size_t kBcryptHashLength = 60;  // "$2b$10$" + 22 salt + 31 hash characters
constexpr std::size_t kCacheLimit = 256;       // distinct successful logins kept

int BcryptCost(std::string_view hash) { return (hash[4] - '0') * 10 + (hash[5] - '0'); }

int Base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

// Standard base64 with padding, as Go's r.BasicAuth (base64.StdEncoding) accepts it.
std::optional<std::string> DecodeBase64(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::string out;
  std::uint32_t bits = 0;
  int bit_count = 0;
  std::size_t padding = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '=') {
      if (i + 2 < text.size()) return std::nullopt;  // '=' only in the last two places
      ++padding;
      continue;
    }
    const int value = Base64Value(text[i]);
    if (value < 0 || padding > 0) return std::nullopt;
    bits = (bits << 6) | static_cast<std::uint32_t>(value);
    bit_count += 6;
    if (bit_count >= 8) {
      bit_count -= 8;
      out += static_cast<char>((bits >> bit_count) & 0xffU);
    }
  }
  return out;
}

bool StartsWithIgnoreCase(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() &&
         std::equal(prefix.begin(), prefix.end(), text.begin(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) ==
                  std::tolower(static_cast<unsigned char>(b));
         });
}

// A fresh bcrypt hash of a throwaway password at `cost`, for the unknown-user decoy.
std::optional<std::string> MakeDecoyHash(int cost) {
  std::array<char, CRYPT_GENSALT_OUTPUT_SIZE> salt{};
  // rbytes == nullptr: libxcrypt takes the salt's randomness from the kernel (getentropy).
  if (crypt_gensalt_rn("$2b$", static_cast<unsigned long>(cost), nullptr, 0, salt.data(),
                       static_cast<int>(salt.size())) == nullptr) {
    return std::nullopt;
  }
  auto data = std::make_unique<crypt_data>();
  const char* hash = crypt_rn("cproc_exporter decoy", salt.data(), data.get(), sizeof(crypt_data));
  if (hash == nullptr) return std::nullopt;
  return std::string(hash);
}

}  // namespace

bool IsBcryptHash(std::string_view hash) {
  if (hash.size() != kBcryptHashLength || hash[0] != '$' || hash[1] != '2' || hash[3] != '$' ||
      hash[6] != '$') {
    return false;
  }
  if (hash[2] != 'a' && hash[2] != 'b' && hash[2] != 'y') return false;
  if (!std::isdigit(static_cast<unsigned char>(hash[4])) ||
      !std::isdigit(static_cast<unsigned char>(hash[5]))) {
    return false;
  }
  const int cost = BcryptCost(hash);
  if (cost < 4 || cost > 31) return false;
  return hash.substr(7).find_first_not_of(kBcryptAlphabet) == std::string_view::npos;
}

bool VerifyBcrypt(std::string_view password, const std::string& hash) {
  if (password.find('\0') != std::string_view::npos) return false;
  // crypt_data is about 32 KiB: on the heap, not on a civetweb worker's stack. Zeroed, as
  // crypt_rn requires before first use.
  auto data = std::make_unique<crypt_data>();
  const std::string phrase(password);
  const char* computed = crypt_rn(phrase.c_str(), hash.c_str(), data.get(), sizeof(crypt_data));
  if (computed == nullptr) return false;  // libxcrypt refused the setting
  const std::string_view result(computed);
  // The length of a bcrypt result is public (always 60); the bytes are compared in constant time.
  return result.size() == hash.size() &&
         CRYPTO_memcmp(result.data(), hash.data(), hash.size()) == 0;
}

std::optional<std::pair<std::string, std::string>> ParseBasicAuthorization(std::string_view value) {
  constexpr std::string_view kScheme = "Basic ";
  if (!StartsWithIgnoreCase(value, kScheme)) return std::nullopt;
  value.remove_prefix(kScheme.size());
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  std::optional<std::string> decoded = DecodeBase64(value);
  if (!decoded) return std::nullopt;
  const std::size_t colon = decoded->find(':');
  if (colon == std::string::npos) return std::nullopt;
  return std::make_pair(decoded->substr(0, colon), decoded->substr(colon + 1));
}

Expected<std::unique_ptr<BasicAuth>> BasicAuth::Create(std::map<std::string, std::string> users) {
  int max_cost = 4;
  for (const auto& [user, hash] : users) {
    if (!IsBcryptHash(hash)) return Error{"basic_auth_users." + user + ": not a bcrypt hash"};
    max_cost = std::max(max_cost, BcryptCost(hash));
  }
  std::string decoy;
  if (!users.empty()) {
    std::optional<std::string> made = MakeDecoyHash(max_cost);
    if (!made) return Error{"libcrypt cannot make bcrypt hashes ($2b$): crypt_gensalt_rn failed"};
    decoy = std::move(*made);
  }
  return std::unique_ptr<BasicAuth>(new BasicAuth(std::move(users), std::move(decoy)));
}

BasicAuth::BasicAuth(std::map<std::string, std::string> users, std::string decoy_hash)
    : users_(std::move(users)), decoy_hash_(std::move(decoy_hash)) {}

bool BasicAuth::Allows(const char* authorization) {
  if (authorization == nullptr) return false;
  const auto credentials = ParseBasicAuthorization(authorization);
  if (!credentials) return false;
  const auto& [user, password] = *credentials;
  const auto found = users_.find(user);
  const bool known = found != users_.end();
  const std::string& hash = known ? found->second : decoy_hash_;

  // The key covers the hash too, so a cached success can never outlive a different hash.
  std::string material = user;
  material += '\0';
  material += password;
  material += '\0';
  material += hash;
  Digest key{};
  unsigned int key_size = 0;
  const bool hashed = EVP_Digest(material.data(), material.size(), key.data(), &key_size,
                                 EVP_sha256(), nullptr) == 1 &&
                      key_size == key.size();
  OPENSSL_cleanse(material.data(), material.size());
  if (known && hashed) {
    const std::lock_guard<std::mutex> lock(cache_mutex_);
    if (cache_.count(key) != 0) return true;
  }

  bool ok = false;
  {
    const std::lock_guard<std::mutex> lock(bcrypt_mutex_);
    ok = VerifyBcrypt(password, hash) && known;
  }
  if (ok && hashed) {
    const std::lock_guard<std::mutex> lock(cache_mutex_);
    if (cache_.size() >= kCacheLimit) cache_.clear();  // bounded: one re-check per user after
    cache_.insert(key);
  }
  return ok;
}

}  // namespace cproc
