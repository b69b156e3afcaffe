// CivetListeningPorts: --web.listen-address to civetweb's listening_ports. Host names go to
// getaddrinfo; this binary replaces getaddrinfo with a fake (no DNS traffic from a fuzzer):
// names ending in ".test" resolve to 192.0.2.<length>, everything else does not exist.
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include "exporter/http/http_server.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int getaddrinfo(const char* node, const char* /*service*/, const addrinfo* /*hints*/,
                           addrinfo** res) {
  const std::string_view name = node == nullptr ? "" : node;
  if (!name.ends_with(".test")) return EAI_NONAME;
  auto* info = static_cast<addrinfo*>(std::calloc(1, sizeof(addrinfo) + sizeof(sockaddr_in)));
  if (info == nullptr) return EAI_MEMORY;
  auto* sin = reinterpret_cast<sockaddr_in*>(info + 1);
  sin->sin_family = AF_INET;
  sin->sin_addr.s_addr = htonl(0xC0000200U | static_cast<uint32_t>(name.size() & 0xFF));
  info->ai_family = AF_INET;
  info->ai_socktype = SOCK_STREAM;
  info->ai_addrlen = sizeof(sockaddr_in);
  info->ai_addr = reinterpret_cast<sockaddr*>(sin);
  *res = info;
  return 0;
}

extern "C" void freeaddrinfo(addrinfo* res) { std::free(res); }

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string address(cproc_fuzz::AsText(data, size));
  auto result = cproc::CivetListeningPorts(address);
  if (!result) {
    FUZZ_CHECK(result.error().find("listen address") == 0);
    return 0;
  }
  const std::string& ports = *result;
  FUZZ_CHECK(!ports.empty());
  // The port part is a canonical decimal 0..65535.
  const auto colon = ports.rfind(':');
  const std::string port = colon == std::string::npos ? ports : ports.substr(colon + 1);
  FUZZ_CHECK(!port.empty() && port.size() <= 5);
  for (char c : port) FUZZ_CHECK(c >= '0' && c <= '9');
  FUZZ_CHECK(port == "0" || port.front() != '0');
  FUZZ_CHECK(std::stoi(port) <= 65535);
  // civetweb's form is a fixed point of the translation (host:port) or the ":port" form.
  auto again = cproc::CivetListeningPorts(colon == std::string::npos ? ":" + ports : ports);
  FUZZ_CHECK(again.ok() && *again == ports);
  return 0;
}
