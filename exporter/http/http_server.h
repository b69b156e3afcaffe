// The HTTP surface, on civetweb directly: /metrics (exact path, gzip when asked), the landing page
// at /, /-/healthy, 404/405 for everything else. Requests only copy a prepared Exposition, so
// scrape latency never depends on the size of the host.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "collectors/base/expected.h"
#include "exporter/metrics/exposition.h"

namespace cproc {

struct HttpServerOptions {
  std::string listen_address = ":19256";  // node_exporter form: ":port", "host:port", "[v6]:port"
  std::string telemetry_path = "/metrics";
  int max_requests = 40;           // concurrent /metrics requests; more get 503
  int request_timeout_ms = 10000;  // a slow client is dropped after this
  std::string version;             // shown on the landing page
  std::string web_config_file;     // exporter-toolkit web config (TLS, basic auth); "" = none
};

class HttpServer {
 public:
  // Returns the latest exposition, or nullptr before the first scan finished (answered 503).
  using ExpositionSource = std::function<std::shared_ptr<const Exposition>()>;

  // Checks everything about `options` that does not need the network: the listen address (IPv6
  // only where this civetweb build has it), telemetry path, limits, and the whole web config file
  // with its TLS files. An error here is a bad flag or config value (exit status 2).
  static Expected<bool> Check(const HttpServerOptions& options);

  // Check, then binds and starts serving; an error names the address and the reason (port in
  // use, no permission).
  static Expected<std::unique_ptr<HttpServer>> Start(const HttpServerOptions& options,
                                                     ExpositionSource source);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // The bound ports, in the order of the listen address (port 0 resolves to the real one).
  std::vector<int> ListeningPorts() const;

  struct Impl;

 private:
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Translates node_exporter's --web.listen-address into civetweb's listening_ports syntax
// (":19256" -> "19256", "127.0.0.1:0" -> "127.0.0.1:0", "[::1]:9" -> "[::1]:9"), or says why not.
// Without `ipv6` (Debian 12's civetweb) a bracketed address is refused and none is suggested.
Expected<std::string> CivetListeningPorts(const std::string& listen_address, bool ipv6 = true);

// Whether the civetweb this binary runs with can listen on IPv6.
bool HttpServerHasIPv6();

}  // namespace cproc
