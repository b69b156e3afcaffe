// ParseBasicAuthorization ("Authorization: Basic <base64(user:password)>", attacker-controlled)
// and IsBcryptHash. VerifyBcrypt is left out: it costs a bcrypt run per input.
#include <string>

#include "exporter/http/basic_auth.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

std::string Base64(std::string_view in) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const auto n = (static_cast<uint32_t>(static_cast<uint8_t>(in[i])) << 16) |
                   (static_cast<uint32_t>(static_cast<uint8_t>(in[i + 1])) << 8) |
                   static_cast<uint8_t>(in[i + 2]);
    for (int shift = 18; shift >= 0; shift -= 6) out += kAlphabet[(n >> shift) & 63];
  }
  if (i + 1 == in.size()) {
    const auto n = static_cast<uint32_t>(static_cast<uint8_t>(in[i])) << 16;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += "==";
  } else if (i + 2 == in.size()) {
    const auto n = (static_cast<uint32_t>(static_cast<uint8_t>(in[i])) << 16) |
                   (static_cast<uint32_t>(static_cast<uint8_t>(in[i + 1])) << 8);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += '=';
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = cproc_fuzz::AsText(data, size);
  (void)cproc::IsBcryptHash(text);
  if (auto credentials = cproc::ParseBasicAuthorization(text)) {
    const auto& [user, password] = *credentials;
    FUZZ_CHECK(user.find(':') == std::string::npos);  // the first colon separates
    auto again = cproc::ParseBasicAuthorization("Basic " + Base64(user + ":" + password));
    FUZZ_CHECK(again.has_value() && again->first == user && again->second == password);
  }
  // Any user:password pair survives the round trip through the header.
  const auto colon = text.find(':');
  if (colon != std::string_view::npos &&
      text.substr(0, colon).find(':') == std::string_view::npos) {
    auto decoded = cproc::ParseBasicAuthorization("Basic " + Base64(text));
    FUZZ_CHECK(decoded.has_value());
    FUZZ_CHECK(decoded->first == text.substr(0, colon) &&
               decoded->second == text.substr(colon + 1));
  }
  return 0;
}
