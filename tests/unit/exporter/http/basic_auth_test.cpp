// The bcrypt basic auth behind web config's basic_auth_users: hash shapes, verification with
// libxcrypt, the Authorization header, and the cache of successes.
#include "exporter/http/basic_auth.h"

#include <crypt.h>
#include <doctest/doctest.h>

#include <array>
#include <memory>
#include <string>

#include "tests/unit/exporter/http/bcrypt_hashes.h"

namespace cproc {
namespace {

using testing::kHash2a;
using testing::kHash2b;
using testing::kHash2y;

}  // namespace

TEST_CASE("bcrypt: hash shapes") {
  CHECK(IsBcryptHash(kHash2b));
  CHECK(IsBcryptHash(kHash2y));
  CHECK(IsBcryptHash(kHash2a));
  std::string bad_cost = kHash2b;
  bad_cost[5] = '3';  // cost 03
  CHECK_FALSE(IsBcryptHash(bad_cost));
  std::string bad_char = kHash2b;
  bad_char[20] = '+';  // not in bcrypt's alphabet
  CHECK_FALSE(IsBcryptHash(bad_char));
  CHECK_FALSE(IsBcryptHash(std::string(kHash2b).substr(0, 59)));
  CHECK_FALSE(IsBcryptHash("$2x$04$CKniVJ9mZzHaLWLIl/SV6uOUwTAutLluc0bBJDyKjCGUQfhT6UZ0W"));
  CHECK_FALSE(IsBcryptHash("$6$salt$hash"));
  CHECK_FALSE(IsBcryptHash(""));
}

TEST_CASE("bcrypt: known hashes of every prefix, and a freshly made one") {
  for (const char* hash : {kHash2b, kHash2y, kHash2a}) {
    CAPTURE(hash);
    CHECK(VerifyBcrypt("secret", hash));
    CHECK_FALSE(VerifyBcrypt("Secret", hash));
    CHECK_FALSE(VerifyBcrypt("", hash));
    CHECK_FALSE(VerifyBcrypt(std::string("secret\0tail", 11), hash));  // no NUL truncation
  }
  std::array<char, CRYPT_GENSALT_OUTPUT_SIZE> salt{};
  REQUIRE(crypt_gensalt_rn("$2b$", 5, nullptr, 0, salt.data(), static_cast<int>(salt.size())) !=
          nullptr);
  auto data = std::make_unique<crypt_data>();
  const char* made = crypt_rn("p4ss:word", salt.data(), data.get(), sizeof(crypt_data));
  REQUIRE(made != nullptr);
  const std::string hash = made;
  CHECK(IsBcryptHash(hash));
  CHECK(VerifyBcrypt("p4ss:word", hash));
  CHECK_FALSE(VerifyBcrypt("p4ss:word ", hash));
}

TEST_CASE("basic auth: Authorization header parsing") {
  auto alice = ParseBasicAuthorization("Basic YWxpY2U6c2VjcmV0");  // alice:secret
  REQUIRE(alice.has_value());
  CHECK(alice->first == "alice");
  CHECK(alice->second == "secret");
  auto colons = ParseBasicAuthorization("basic  YWxpY2U6czpl ");  // alice:s:e
  REQUIRE(colons.has_value());
  CHECK(colons->second == "s:e");
  auto empty_password = ParseBasicAuthorization("Basic YWxpY2U6");  // alice:
  REQUIRE(empty_password.has_value());
  CHECK(empty_password->second.empty());
  for (const char* bad : {"", "Basic", "Basic ", "Bearer YWxpY2U6c2VjcmV0", "Basic YWxpY2U",
                          "Basic YWxpY2U6c2VjcmV0=", "Basic YW!pY2U6c2VjcmV0", "Basic =AAA",
                          "BasicYWxpY2U6c2VjcmV0"}) {
    CAPTURE(bad);
    CHECK_FALSE(ParseBasicAuthorization(bad).has_value());
  }
}

TEST_CASE("basic auth: right, wrong, unknown and missing credentials; repeated success") {
  auto auth = BasicAuth::Create({{"alice", kHash2b}, {"bob", kHash2y}});
  REQUIRE(auth.ok());
  BasicAuth& check = **auth;
  CHECK(check.Allows("Basic YWxpY2U6c2VjcmV0"));        // alice:secret
  CHECK(check.Allows("Basic YWxpY2U6c2VjcmV0"));        // again, from the cache
  CHECK(check.Allows("Basic Ym9iOnNlY3JldA=="));        // bob:secret ($2y$)
  CHECK_FALSE(check.Allows("Basic YWxpY2U6d3Jvbmc="));  // alice:wrong
  CHECK_FALSE(check.Allows("Basic ZXZlOnNlY3JldA=="));  // eve:secret, unknown user
  CHECK_FALSE(check.Allows("Basic Ym9iOg=="));          // bob: (empty password)
  CHECK_FALSE(check.Allows(nullptr));
  CHECK_FALSE(check.Allows("Bearer token"));

  CHECK_FALSE(BasicAuth::Create({{"alice", "plain"}}).ok());
}

}  // namespace cproc
