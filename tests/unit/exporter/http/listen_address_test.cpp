// node_exporter's --web.listen-address syntax turned into civetweb's listening_ports, as a pure
// table.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "exporter/http/http_server.h"

namespace cproc {
namespace {

TEST_CASE("CivetListeningPorts translates node_exporter listen addresses") {
  struct Case {
    std::string in;
    std::string out;
  };
  for (const Case& c : std::vector<Case>{{":19256", "19256"},
                                         {":0", "0"},
                                         {"127.0.0.1:0", "127.0.0.1:0"},
                                         {"0.0.0.0:9100", "0.0.0.0:9100"},
                                         {"127.0.0.1:080", "127.0.0.1:80"},
                                         {"[::1]:9100", "[::1]:9100"},
                                         {"[::]:9100", "[::]:9100"},
                                         {"localhost:9100", "127.0.0.1:9100"}}) {
    CAPTURE(c.in);
    const auto got = CivetListeningPorts(c.in);
    INFO((got.ok() ? std::string() : got.error()));
    REQUIRE(got.ok());
    CHECK(*got == c.out);
  }
}

TEST_CASE("CivetListeningPorts rejects malformed addresses with the value in the message") {
  for (const std::string bad :
       {"", "abc", ":", ":99999", ":65536", ":-1", ":+80", ":80x", "1.2.3.4", "::1:9100", "[::1]",
        "[zz]:9100", "[]:9100", "127.0.0.1:123456"}) {
    CAPTURE(bad);
    const auto got = CivetListeningPorts(bad);
    REQUIRE_FALSE(got.ok());
    CHECK(got.error().find("\"" + bad + "\"") != std::string::npos);
    CHECK(got.error().find('\n') == std::string::npos);
  }
  CHECK(CivetListeningPorts(":99999").error().find("0-65535") != std::string::npos);
  CHECK(CivetListeningPorts("abc").error().find("expected") != std::string::npos);
}

TEST_CASE("CivetListeningPorts without IPv6 in the build: bracketed addresses say what to use") {
  const auto v6 = CivetListeningPorts("[::1]:9100", /*ipv6=*/false);
  REQUIRE_FALSE(v6.ok());
  CHECK(v6.error().find("IPv6 is not supported") != std::string::npos);
  CHECK(v6.error().find("\"127.0.0.1:9100\"") != std::string::npos);
  const auto unbracketed = CivetListeningPorts("::1:9100", /*ipv6=*/false);
  REQUIRE_FALSE(unbracketed.ok());
  CHECK(unbracketed.error().find("[::1]") == std::string::npos);  // not suggested: unbindable
  CHECK(*CivetListeningPorts("127.0.0.1:9100", /*ipv6=*/false) == "127.0.0.1:9100");
  CHECK(*CivetListeningPorts(":9100", /*ipv6=*/false) == "9100");
}

}  // namespace
}  // namespace cproc
