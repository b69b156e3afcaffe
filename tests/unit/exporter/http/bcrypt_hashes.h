// bcrypt hashes made outside the code under test, for the tests of basic auth and of the web
// config that lists them.
#pragma once

namespace cproc::testing {

// Known hashes of "secret" at cost 4 (Python crypt.crypt, i.e. libxcrypt), one per prefix.
constexpr const char* kHash2b = "$2b$04$CKniVJ9mZzHaLWLIl/SV6uOUwTAutLluc0bBJDyKjCGUQfhT6UZ0W";
constexpr const char* kHash2y = "$2y$04$xAb8TRcQZ0G2b3DgtSZ6tu5vBgdm1zDWFCW1.H0EIouMWJiygUNvi";
constexpr const char* kHash2a = "$2a$04$R1nTRwYo1XKV815ON7TFCOD9cm6XsQsMUfn6UM02L7fgCVt2uZMrW";

}  // namespace cproc::testing
