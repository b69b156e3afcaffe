#include "exporter/http/http_server.h"

#include <unistd.h>

#include <sys/socket.h>

#include <netinet/in.h>

#include <arpa/inet.h>

#include <civetweb.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstring>
#include <exception>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>

#include "exporter/http/accept_encoding.h"
#include "exporter/http/basic_auth.h"
#include "exporter/http/http_routes.h"
#include "exporter/http/landing_page.h"
#include "exporter/http/web_config.h"

namespace cproc {
namespace {

constexpr std::string_view kMetricsContentType = "text/plain; version=0.0.4; charset=utf-8";
constexpr std::string_view kTextContentType = "text/plain; charset=utf-8";
constexpr std::string_view kHtmlContentType = "text/html; charset=utf-8";
constexpr std::string_view kJsonContentType = "application/json";

// civetweb reports why mg_start failed only through log_message, on the thread calling mg_start:
// Start points this at a string for the duration of the call and keeps the first (root) cause.
thread_local std::string* t_start_failure = nullptr;

int LogMessage(const mg_connection* /*conn*/, const char* message) {
  try {
    if (message == nullptr) return 1;
    if (t_start_failure != nullptr) {
      if (t_start_failure->empty()) *t_start_failure = message;
    } else {
      // Per-connection trouble (timeouts, malformed requests) is the client's problem: debug only.
      spdlog::debug("civetweb: {}", message);
    }
  } catch (...) {
    // Logging must never take a worker thread down.
  }
  return 1;  // handled: civetweb must not write its own log
}

std::string_view StatusText(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 401:
      return "Unauthorized";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 503:
      return "Service Unavailable";
    default:
      return "Internal Server Error";
  }
}

// Writes a complete response. Everything that can throw (allocation) happens before the first
// byte is sent, so a caller that catches can still answer 500. `head_length`: for a HEAD request
// whose body is not at hand (`body` empty), the Content-Length a GET would get.
int Send(mg_connection* conn, int status, std::string_view content_type,
         std::string_view extra_headers, std::string_view body, bool head,
         std::optional<std::size_t> head_length = std::nullopt) {
  std::string header = "HTTP/1.1 " + std::to_string(status) + " ";
  header += StatusText(status);
  header += "\r\nContent-Type: ";
  header += content_type;
  const std::size_t length = head && head_length ? *head_length : body.size();
  header += "\r\nContent-Length: " + std::to_string(length) + "\r\n";
  header += extra_headers;
  header += "X-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n";
  if (mg_write(conn, header.data(), header.size()) > 0 && !head && !body.empty()) {
    mg_write(conn, body.data(), body.size());
  }
  return status;
}

// All Accept-Encoding fields joined with "," (RFC 9110 §5.3); mg_get_header returns only the first.
std::string AcceptEncoding(const mg_request_info& request) {
  std::string joined;
  const int count = std::min(request.num_headers, MG_MAX_HEADERS);
  for (int i = 0; i < count; ++i) {
    const mg_header& h = request.http_headers[i];
    if (h.name != nullptr && h.value != nullptr && mg_strcasecmp(h.name, "Accept-Encoding") == 0) {
      if (!joined.empty()) joined += ',';
      joined += h.value;
    }
  }
  return joined;
}

// civetweb 1.15 serves each connection on one worker thread for its whole life, and a client that
// sent half a request holds its worker until request_timeout_ms (UserManual: num_threads). Spare
// threads beyond the scrape limit keep such connections from starving scrapes; raising
// --web.max-requests raises how many of them are absorbed (about 19 KiB of RSS per thread).
int WorkerThreads(int max_requests) {
  constexpr int kSpare = 4;
  constexpr int kUnlimitedScrapes = 40;  // --web.max-requests=0: as many workers as the default
  const int scrapes = max_requests > 0 ? max_requests : kUnlimitedScrapes;
  return std::clamp(scrapes + kSpare, 8, 1024);
}

}  // namespace

struct HttpServer::Impl {
  HttpServerOptions options;
  ExpositionSource source;
  std::string landing_page;
  std::atomic<int> metrics_in_flight{0};
  mg_context* context = nullptr;
  WebConfig web_config;             // from --web.config.file; empty without one
  std::unique_ptr<BasicAuth> auth;  // null: no basic_auth_users, every request is let in
  std::string configured_headers;   // http_server_config.headers, as "Name: value\r\n" lines
  std::string tls_failure;          // why init_ssl failed, for Start's error
  std::string bound_host;           // the IPv4 address listened on; "" for every interface

  int Handle(mg_connection* conn);
  int ServeMetrics(mg_connection* conn, const mg_request_info& request, bool head);
  // Send plus the configured headers, which belong on every response (401 included).
  int Reply(mg_connection* conn, int status, std::string_view content_type,
            std::string_view extra_headers, std::string_view body, bool head,
            std::optional<std::size_t> head_length = std::nullopt) const;
};

namespace {

// begin_request sees every parsed request before civetweb's own routing (no document_root is
// set, so civetweb would only answer 404), so all routing is ours and is in place from the
// first accepted connection on: mg_set_request_handler would leave a window after mg_start.
int BeginRequest(mg_connection* conn) {
  try {
    const mg_request_info* request = mg_get_request_info(conn);
    if (request == nullptr || request->user_data == nullptr) return 0;
    return static_cast<HttpServer::Impl*>(request->user_data)->Handle(conn);
  } catch (...) {
    try {
      return Send(conn, 500, kTextContentType, "", "internal error\n", false);
    } catch (...) {
      return 500;  // out of memory even for the error page: civetweb closes the connection
    }
  }
}

// civetweb calls this from mg_start2, on the calling thread, with the SSL_CTX it made for the
// "s" ports. Returning 1 tells it the certificate is in place, so civetweb's one-PEM-file loader
// (ssl_certificate) and its own peer verification stay unused: ConfigureTlsContext does both.
int InitSsl(void* ssl_ctx, void* user_data) {
  auto* impl = static_cast<HttpServer::Impl*>(user_data);
  try {
    Expected<bool> configured = ConfigureTlsContext(*impl->web_config.tls, ssl_ctx);
    if (configured) return 1;
    impl->tls_failure = configured.error();
  } catch (const std::exception& e) {
    impl->tls_failure = e.what();
  } catch (...) {
    impl->tls_failure = "unknown error";
  }
  return -1;
}

// "Name: value\r\n" for each configured header. X-Content-Type-Options is left out: Send always
// sends it, and the only value the toolkit allows for it is the one Send uses (nosniff).
std::string ConfiguredHeaders(const WebConfig& config) {
  std::string lines;
  for (const auto& [name, value] : config.headers) {
    if (name == "X-Content-Type-Options") continue;
    lines += name + ": " + value + "\r\n";
  }
  return lines;
}

// Debian 12's libcivetweb1 (1.15) dlopen()s OpenSSL by the development names "libssl.so" and
// "libcrypto.so" and was built for the OpenSSL 1.1 API: it looks up SSL_get_peer_certificate,
// which OpenSSL 3 only has as a macro (civetweb/civetweb#1334). Says which of the two went wrong.
std::string TlsLoadHint(const std::string& failure) {
  if (failure.find("SSL_get_peer_certificate") != std::string::npos) {
    return " (this civetweb was built for OpenSSL 1.1 and the system has OpenSSL 3: the exporter "
           "must be linked with its OpenSSL compatibility shim)";
  }
  if (failure.find("libssl") != std::string::npos ||
      failure.find("libcrypto") != std::string::npos) {
    return " (civetweb loads OpenSSL as libssl.so and libcrypto.so)";
  }
  return "";
}

}  // namespace

int HttpServer::Impl::Reply(mg_connection* conn, int status, std::string_view content_type,
                            std::string_view extra_headers, std::string_view body, bool head,
                            std::optional<std::size_t> head_length) const {
  if (configured_headers.empty()) {
    return Send(conn, status, content_type, extra_headers, body, head, head_length);
  }
  std::string headers(extra_headers);
  headers += configured_headers;
  return Send(conn, status, content_type, headers, body, head, head_length);
}

int HttpServer::Impl::Handle(mg_connection* conn) {
  const mg_request_info& request = *mg_get_request_info(conn);
  const std::string_view method = request.request_method ? request.request_method : "";
  // local_uri_raw is decoded but not normalised, so "/a/../metrics" or "//metrics" do not match.
  // It is null for absolute URIs naming another host.
  const std::string_view path = request.local_uri_raw ? request.local_uri_raw : "";
  const bool head = method == "HEAD";

  // No request body is read, by us or by civetweb: after begin_request civetweb drains an unread
  // body itself unless the connection must close (civetweb PR #842), each read waiting up to
  // request_timeout_ms, so a client trickling a large Content-Length would hold this worker for
  // as long as it trickles. mg_disable_connection_keep_alive (civetweb.h, PR #940) sets
  // must_close: the answer is the last thing on the connection and a body costs no wait. A small
  // body that came with the headers is already in civetweb's buffer, so the close is clean; a
  // larger one makes the kernel reset the connection after the answer was sent.
  mg_disable_connection_keep_alive(conn);

  Credentials credentials = Credentials::kNotChecked;
  if (auth != nullptr && NeedsCredentials(path, options.telemetry_path)) {
    credentials = auth->Allows(mg_get_header(conn, "Authorization")) ? Credentials::kValid
                                                                     : Credentials::kInvalid;
  }
  switch (RouteRequest({method, path, options.telemetry_path, credentials})) {
    case Route::kUnauthorized:
      return Reply(conn, 401, kTextContentType,
                   "WWW-Authenticate: Basic realm=\"cproc_exporter\"\r\n", "Unauthorized\n", head);
    case Route::kNotFound:
      return Reply(conn, 404, kTextContentType, "", "404 page not found\n", head);
    case Route::kMethodNotAllowed:
      return Reply(conn, 405, kTextContentType, "Allow: GET, HEAD\r\n", "method not allowed\n",
                   false);
    case Route::kMetrics:
      return ServeMetrics(conn, request, head);
    case Route::kContainers: {
      // The snapshot as JSON, rendered once per scan on first request; no environment, ever.
      const std::shared_ptr<const Exposition> exposition = source ? source() : nullptr;
      if (exposition == nullptr || exposition->containers_json().empty()) {
        return Reply(conn, 503, kTextContentType, "", "no scan has completed yet\n", head);
      }
      return Reply(conn, 200, kJsonContentType, "", exposition->containers_json(), head);
    }
    case Route::kLanding:
      return Reply(conn, 200, kHtmlContentType, "", landing_page, head);
    case Route::kHealthy:
      return Reply(conn, 200, kTextContentType, "", "OK", head);
  }
  return Reply(conn, 500, kTextContentType, "", "internal error\n", head);
}

int HttpServer::Impl::ServeMetrics(mg_connection* conn, const mg_request_info& request, bool head) {
  // Counts the whole response, including the write, like node_exporter's --web.max-requests.
  struct InFlight {
    std::atomic<int>& count;
    const int before;
    explicit InFlight(std::atomic<int>& c) : count(c), before(c.fetch_add(1)) {}
    ~InFlight() { count.fetch_sub(1); }
    InFlight(const InFlight&) = delete;
    InFlight& operator=(const InFlight&) = delete;
  } in_flight(metrics_in_flight);
  if (options.max_requests > 0 && in_flight.before >= options.max_requests) {
    return Reply(conn, 503, kTextContentType, "",
                 "limit of concurrent requests reached (" + std::to_string(options.max_requests) +
                     "), try again later\n",
                 head);
  }

  const std::shared_ptr<const Exposition> exposition = source ? source() : nullptr;
  if (exposition == nullptr) {
    return Reply(conn, 503, kTextContentType, "", "no scan has completed yet\n", head);
  }
  // An empty gzip means compression failed when the exposition was made: serve identity.
  if (!exposition->gzip().empty() && AcceptsGzip(AcceptEncoding(request))) {
    return Reply(conn, 200, kMetricsContentType,
                 "Content-Encoding: gzip\r\nVary: Accept-Encoding\r\n", exposition->gzip(), head);
  }
  // The text is inflated from the gzip on the first such GET; a HEAD needs only its length.
  if (head) {
    return Reply(conn, 200, kMetricsContentType, "Vary: Accept-Encoding\r\n", "", true,
                 exposition->text_size());
  }
  return Reply(conn, 200, kMetricsContentType, "Vary: Accept-Encoding\r\n", exposition->text(),
               false);
}

bool HttpServerHasIPv6() { return mg_check_feature(MG_FEATURES_IPV6) != 0; }

Expected<bool> HttpServer::Check(const HttpServerOptions& options) try {
  Expected<std::string> ports = CivetListeningPorts(options.listen_address, HttpServerHasIPv6());
  if (!ports) return Error{ports.error()};
  if (options.telemetry_path.empty() || options.telemetry_path.front() != '/') {
    return Error{"telemetry path \"" + options.telemetry_path + "\": must start with \"/\""};
  }
  if (options.max_requests < 0) {
    return Error{"max requests " + std::to_string(options.max_requests) +
                 ": must be 0 (unlimited) or more"};
  }
  if (options.request_timeout_ms <= 0) {
    return Error{"request timeout " + std::to_string(options.request_timeout_ms) +
                 " ms: must be positive"};
  }
  if (options.web_config_file.empty()) return true;
  Expected<WebConfig> web_config = LoadWebConfig(options.web_config_file);
  if (!web_config) return Error{"--web.config.file " + web_config.error()};
  if (web_config->tls && mg_check_feature(MG_FEATURES_TLS) == 0) {
    return Error{"--web.config.file " + options.web_config_file +
                 ": tls_server_config is set but this civetweb build has no TLS support"};
  }
  if (!web_config->basic_auth_users.empty()) {
    auto auth = BasicAuth::Create(web_config->basic_auth_users);
    if (!auth) return Error{"--web.config.file " + options.web_config_file + ": " + auth.error()};
  }
  return true;
} catch (const std::exception& e) {
  return Error{"listen on " + options.listen_address + ": " + e.what()};
}

Expected<std::unique_ptr<HttpServer>> HttpServer::Start(const HttpServerOptions& options,
                                                        ExpositionSource source) try {
  const std::string where = "listen on " + options.listen_address + ": ";
  if (Expected<bool> checked = Check(options); !checked) return Error{checked.error()};
  Expected<std::string> ports = CivetListeningPorts(options.listen_address, HttpServerHasIPv6());
  if (!ports) return Error{ports.error()};

  // civetweb's global state is set up once and lives for the process; servers come and go.
  static std::once_flag init_once;
  std::call_once(init_once, [] { mg_init_library(0); });

  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->source = std::move(source);
  impl->landing_page = LandingPage(options.telemetry_path, options.version);
  if (const auto colon = ports->rfind(':'); colon != std::string::npos && ports->front() != '[') {
    impl->bound_host = ports->substr(0, colon);
  }
  if (!options.web_config_file.empty()) {
    Expected<WebConfig> web_config = LoadWebConfig(options.web_config_file);
    if (!web_config) return Error{"--web.config.file " + web_config.error()};
    impl->web_config = std::move(*web_config);
    impl->configured_headers = ConfiguredHeaders(impl->web_config);
    if (!impl->web_config.basic_auth_users.empty()) {
      auto auth = BasicAuth::Create(impl->web_config.basic_auth_users);
      if (!auth) return Error{"--web.config.file " + options.web_config_file + ": " + auth.error()};
      impl->auth = std::move(*auth);
    }
  }
  const bool tls = impl->web_config.tls.has_value();
  // civetweb marks a TLS port with a trailing "s".
  const std::string listening_ports = tls ? *ports + "s" : *ports;

  const std::string threads = std::to_string(WorkerThreads(options.max_requests));
  const std::string timeout = std::to_string(options.request_timeout_ms);
  // Unset options keep civetweb's defaults: no document_root (nothing served from disk),
  // linger_timeout_ms unset (close() never blocks a worker; the kernel sends what is left).
  const char* civet_options[] = {
      "listening_ports",
      listening_ports.c_str(),
      "num_threads",
      threads.c_str(),
      "request_timeout_ms",
      timeout.c_str(),
      "enable_keep_alive",
      "no",  // one request per connection: a client cannot park a worker
      "max_request_size",
      "8192",  // headers beyond this are refused (Prometheus sends < 1 KiB)
      "tcp_nodelay",
      "1",  // header and body are two writes: do not let Nagle delay the body
      nullptr};

  mg_callbacks callbacks{};
  callbacks.begin_request = &BeginRequest;
  callbacks.log_message = &LogMessage;
  if (tls) callbacks.init_ssl = &InitSsl;
  mg_init_data init{&callbacks, impl.get(), civet_options};
  std::array<char, 256> error_text{};
  unsigned error_code = 0;
  mg_error_data error{&error_code, error_text.data(), error_text.size()};

  std::string failure;
  t_start_failure = &failure;
  impl->context = mg_start2(&init, &error);
  t_start_failure = nullptr;
  if (impl->context == nullptr) {
    if (!impl->tls_failure.empty()) {
      return Error{"--web.config.file " + options.web_config_file +
                   ": tls_server_config: " + impl->tls_failure};
    }
    if (failure.empty()) failure = error_text.data();
    if (failure.empty()) failure = "civetweb failed to start";
    if (tls) failure += TlsLoadHint(failure);
    return Error{where + failure};
  }
  if (!options.web_config_file.empty()) {
    spdlog::info(
        "web config {}: {}, basic auth {}{}", options.web_config_file,
        tls ? "TLS on" : "plain HTTP",
        impl->auth != nullptr
            ? "for " + std::to_string(impl->web_config.basic_auth_users.size()) + " user(s)"
            : std::string("off"),
        impl->web_config.headers.empty() ? "" : ", extra response headers");
  }
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
} catch (const std::exception& e) {
  t_start_failure = nullptr;
  return Error{"listen on " + options.listen_address + ": " + e.what()};
}

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

namespace {

// A connection attempt to our own listener, from another thread while mg_stop waits: civetweb
// 1.15's master thread looks at its stop flag only between polls of the listening sockets, which
// wait up to SOCKET_TIMEOUT_QUANTUM (2 s) for a connection. Without one, every shutdown took 2 s.
void KnockOnListener(const std::string& host, int port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  const std::string ip = host.empty() || host == "0.0.0.0" ? "127.0.0.1" : host;
  if (inet_pton(AF_INET, ip.c_str(), &address.sin_addr) != 1) return;
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return;
  sockaddr raw{};
  std::memcpy(&raw, &address, sizeof(address));
  (void)::connect(fd, &raw, sizeof(address));  // non-blocking: the SYN is what wakes the poll
  ::close(fd);
}

}  // namespace

HttpServer::~HttpServer() {
  if (impl_ == nullptr || impl_->context == nullptr) return;
  const std::string& host = impl_->bound_host;
  const std::vector<int> bound = ListeningPorts();
  std::mutex mutex;
  std::condition_variable stopped_changed;
  bool stopped = false;
  std::thread knocker([&] {
    std::unique_lock lock(mutex);
    for (int i = 0; i < 50 && !stopped; ++i) {  // bounded: 5 s
      for (int port : bound) KnockOnListener(host, port);
      stopped_changed.wait_for(lock, std::chrono::milliseconds(100), [&] { return stopped; });
    }
  });
  // Waits for the worker threads, so no callback can touch impl_ after this.
  mg_stop(impl_->context);
  {
    std::lock_guard lock(mutex);
    stopped = true;
  }
  stopped_changed.notify_all();
  knocker.join();
}

std::vector<int> HttpServer::ListeningPorts() const {
  std::array<mg_server_port, 16> ports{};
  const int count =
      mg_get_server_ports(impl_->context, static_cast<int>(ports.size()), ports.data());
  std::vector<int> result;
  for (int i = 0; i < count; ++i) result.push_back(ports[static_cast<std::size_t>(i)].port);
  return result;
}

}  // namespace cproc
