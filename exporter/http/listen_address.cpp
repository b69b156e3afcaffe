// CivetListeningPorts (declared in http_server.h): node_exporter's --web.listen-address syntax to
// civetweb's listening_ports syntax. Kept apart from the server so it is tested as a pure table.
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cctype>
#include <cstring>
#include <string>
#include <string_view>

#include "exporter/http/http_server.h"

namespace cproc {
namespace {

Error Bad(const std::string& address, const std::string& why) {
  return Error{"listen address \"" + address + "\": " + why};
}

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (const char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// A host name becomes its first IPv4 address: Debian's civetweb 1.15 is built without IPv6, and
// resolving here turns "no such host" into a message that names the host.
Expected<std::string> ResolveIPv4(const std::string& address, const std::string& host) {
  addrinfo hints{};
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* result = nullptr;
  const int rc = getaddrinfo(host.c_str(), nullptr, &hints, &result);
  if (rc != 0 || result == nullptr) {
    return Bad(address, "cannot resolve host \"" + host + "\" to an IPv4 address: " +
                            (rc != 0 ? gai_strerror(rc) : "no address"));
  }
  // ai_addr is a sockaddr_in for AF_INET; copy it rather than cast the pointer type.
  sockaddr_in sin{};
  std::memcpy(&sin, result->ai_addr, sizeof(sin));
  freeaddrinfo(result);
  char text[INET_ADDRSTRLEN] = {};
  if (inet_ntop(AF_INET, &sin.sin_addr, text, sizeof(text)) == nullptr) {
    return Bad(address, "cannot format the address of host \"" + host + "\"");
  }
  return std::string(text);
}

}  // namespace

Expected<std::string> CivetListeningPorts(const std::string& listen_address, bool ipv6) {
  // Only addresses this build can bind are suggested.
  const std::string expected =
      ipv6 ? "expected [host]:port, e.g. \":19256\", \"127.0.0.1:19256\" or \"[::1]:19256\""
           : "expected [host]:port, e.g. \":19256\" or \"127.0.0.1:19256\"";
  const std::size_t colon = listen_address.rfind(':');
  if (colon == std::string::npos) return Bad(listen_address, expected);
  const std::string host = listen_address.substr(0, colon);
  const std::string port = listen_address.substr(colon + 1);
  if (!AllDigits(port) || port.size() > 5) {
    return Bad(listen_address, "port \"" + port + "\" is not a number; " + expected);
  }
  if (std::stoi(port) > 65535) {
    return Bad(listen_address, "port " + port + " is out of range 0-65535");
  }
  const std::string port_text = std::to_string(std::stoi(port));  // "0080" -> "80"

  // ":port" listens on every IPv4 interface. civetweb's dual-stack "+port" would need IPv6 support,
  // which Debian 12's libcivetweb1 lacks (mg_check_feature(MG_FEATURES_IPV6) == 0).
  if (host.empty()) return port_text;

  if (host.front() == '[') {
    if (host.size() < 3 || host.back() != ']') return Bad(listen_address, expected);
    if (!ipv6) {
      return Bad(listen_address,
                 "IPv6 is not supported by this build's HTTP server (civetweb without IPv6); "
                 "use an IPv4 address, e.g. \"127.0.0.1:" +
                     port_text + "\"");
    }
    const std::string ip = host.substr(1, host.size() - 2);
    in6_addr parsed{};
    if (inet_pton(AF_INET6, ip.c_str(), &parsed) != 1) {
      return Bad(listen_address, "\"" + ip + "\" is not an IPv6 address");
    }
    return "[" + ip + "]:" + port_text;
  }
  if (host.find(':') != std::string::npos) {
    return Bad(listen_address,
               ipv6 ? "an IPv6 address needs brackets, e.g. \"[::1]:19256\""
                    : "IPv6 is not supported by this build's HTTP server; " + expected);
  }
  in_addr parsed{};
  if (inet_pton(AF_INET, host.c_str(), &parsed) == 1) return host + ":" + port_text;

  Expected<std::string> ip = ResolveIPv4(listen_address, host);
  if (!ip) return ip;
  return *ip + ":" + port_text;
}

}  // namespace cproc
