// HTTP basic auth against the bcrypt hashes of basic_auth_users (--web.config.file), checked with
// libxcrypt (crypt_rn), which knows $2a$, $2b$ and $2y$.
#pragma once

#include <array>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "collectors/base/expected.h"

namespace cproc {

// True when `hash` has the shape of a bcrypt hash: $2a$, $2b$ or $2y$, a two-digit cost from 04
// to 31, then 53 characters of bcrypt's base64 (22 salt + 31 hash).
bool IsBcryptHash(std::string_view hash);

// True when `password` hashes to `hash`. The final comparison takes the same time wherever the
// strings differ. A password with a NUL byte never matches: crypt() would stop reading at it.
bool VerifyBcrypt(std::string_view password, const std::string& hash);

// The user and password of an "Authorization: Basic <base64(user:password)>" header value, or
// nullopt when it is not one (other scheme, bad base64, no colon).
std::optional<std::pair<std::string, std::string>> ParseBasicAuthorization(std::string_view value);

class BasicAuth {
 public:
  // `users` maps user -> bcrypt hash; every hash must pass IsBcryptHash (LoadWebConfig checks).
  static Expected<std::unique_ptr<BasicAuth>> Create(std::map<std::string, std::string> users);

  // Whether the Authorization header value (nullptr when the header is missing) grants access.
  // Thread-safe. Costs one bcrypt run per new (user, password); successes are cached, because at
  // cost 10 every scrape would otherwise pay about 70 ms of CPU.
  bool Allows(const char* authorization);

 private:
  using Digest = std::array<unsigned char, 32>;  // SHA-256: the cache holds no plaintext password

  BasicAuth(std::map<std::string, std::string> users, std::string decoy_hash);

  const std::map<std::string, std::string> users_;
  // A hash at the highest configured cost, checked for unknown users so that their requests take
  // as long as those of known users and do not reveal which user names exist (as the toolkit).
  const std::string decoy_hash_;
  std::mutex bcrypt_mutex_;  // one bcrypt at a time: a flood of bad passwords takes one core
  std::mutex cache_mutex_;
  std::set<Digest> cache_;  // successful (user, password, hash) triples
};

}  // namespace cproc
