#include "exporter/http/http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "exporter/metrics/exposition.h"
#include "tests/support/temp_file.h"
#include "tests/unit/exporter/http/gunzip.h"

namespace cproc {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

constexpr auto kIoTimeout = std::chrono::seconds(5);

// A connected loopback socket, closed on destruction.
class Socket {
 public:
  explicit Socket(int port) : fd_(socket(AF_INET, SOCK_STREAM, 0)) {
    REQUIRE(fd_ >= 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(connect(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) == 0);
  }
  ~Socket() {
    if (fd_ >= 0) close(fd_);
  }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;

  int fd() const { return fd_; }

  // Sends everything it can; false when the peer closed or reset first.
  bool Send(const std::string& data) {
    std::size_t sent = 0;
    while (sent < data.size()) {
      const ssize_t n = send(fd_, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return false;
      sent += static_cast<std::size_t>(n);
    }
    return true;
  }

  // Reads until the server closes (every response is Connection: close), a reset, or the timeout.
  std::string ReadAll() {
    std::string data;
    const auto deadline = steady_clock::now() + kIoTimeout;
    char buffer[16384];
    while (steady_clock::now() < deadline) {
      pollfd p{fd_, POLLIN, 0};
      const auto left =
          std::chrono::duration_cast<milliseconds>(deadline - steady_clock::now()).count();
      if (poll(&p, 1, static_cast<int>(std::max<long long>(left, 1))) <= 0) break;
      const ssize_t n = recv(fd_, buffer, sizeof(buffer), 0);
      if (n <= 0) break;
      data.append(buffer, static_cast<std::size_t>(n));
    }
    return data;
  }

 private:
  int fd_;
};

struct Response {
  int status = 0;                              // 0: no parsable response
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;

  std::string Header(const std::string& name) const {
    const auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

Response Parse(const std::string& raw) {
  Response r;
  const std::size_t end = raw.find("\r\n\r\n");
  if (end == std::string::npos || raw.rfind("HTTP/1.", 0) != 0) return r;
  r.status = std::stoi(raw.substr(9, 3));
  std::size_t line = raw.find("\r\n") + 2;
  while (line < end) {
    const std::size_t next = raw.find("\r\n", line);
    const std::string field = raw.substr(line, next - line);
    const std::size_t colon = field.find(':');
    if (colon != std::string::npos) {
      std::string name = field.substr(0, colon);
      std::transform(name.begin(), name.end(), name.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      r.headers[name] = field.substr(field.find_first_not_of(' ', colon + 1));
    }
    line = next + 2;
  }
  r.body = raw.substr(end + 4);
  return r;
}

Response Request(int port, const std::string& method, const std::string& path,
                 const std::string& extra_headers = "") {
  Socket s(port);
  REQUIRE(
      s.Send(method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra_headers + "\r\n"));
  return Parse(s.ReadAll());
}

Response Get(int port, const std::string& path, const std::string& extra_headers = "") {
  return Request(port, "GET", path, extra_headers);
}

HttpServerOptions LocalOptions() {
  HttpServerOptions options;
  options.listen_address = "127.0.0.1:0";
  options.version = "1.2.3";
  options.max_requests = 2;
  options.request_timeout_ms = 10000;
  return options;
}

const std::string kText = "# HELP cproc_scan_processes x\ncproc_scan_processes 42\n";

HttpServer::ExpositionSource Fixed(std::shared_ptr<const Exposition> exposition) {
  return [exposition] { return exposition; };
}

struct Running {
  std::unique_ptr<HttpServer> server;
  int port = 0;
};

Running StartServer(const HttpServerOptions& options, HttpServer::ExpositionSource source) {
  auto started = HttpServer::Start(options, std::move(source));
  INFO((started.ok() ? std::string() : started.error()));
  REQUIRE(started.ok());
  Running r;
  r.server = std::move(started).value();
  const std::vector<int> ports = r.server->ListeningPorts();
  REQUIRE(ports.size() == 1);
  REQUIRE(ports[0] > 0);
  r.port = ports[0];
  return r;
}

// A source whose behaviour each test picks; one server serves most tests, because civetweb's
// mg_stop takes up to SOCKET_TIMEOUT_QUANTUM (2 s) to wake its accept loop.
class ScriptedSource {
 public:
  enum class Mode { kFixed, kNone, kThrow, kGate };

  std::shared_ptr<const Exposition> operator()() {
    std::unique_lock lock(mutex_);
    switch (mode_) {
      case Mode::kFixed:
        return exposition_;
      case Mode::kNone:
        return nullptr;
      case Mode::kThrow:
        throw std::runtime_error("boom");
      case Mode::kGate:
        ++waiting_;
        changed_.notify_all();
        changed_.wait_for(lock, std::chrono::seconds(10), [this] { return open_; });
        return exposition_;
    }
    return nullptr;
  }

  void Set(Mode mode) {
    std::lock_guard lock(mutex_);
    mode_ = mode;
    waiting_ = 0;
    open_ = false;
  }
  // True once `count` scrapes are blocked in the gate (bounded wait).
  bool WaitForBlocked(int count) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, std::chrono::seconds(5), [&] { return waiting_ == count; });
  }
  void Open() {
    {
      std::lock_guard lock(mutex_);
      open_ = true;
    }
    changed_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  Mode mode_ = Mode::kFixed;
  int waiting_ = 0;
  bool open_ = false;
  const std::shared_ptr<const Exposition> exposition_ = MakeExposition(kText);
};

ScriptedSource& Script() {
  static ScriptedSource source;
  return source;
}

// Puts the shared source in a mode for one test and back to kFixed afterwards.
struct ScriptMode {
  explicit ScriptMode(ScriptedSource::Mode mode) { Script().Set(mode); }
  ~ScriptMode() { Script().Set(ScriptedSource::Mode::kFixed); }
  ScriptMode(const ScriptMode&) = delete;
  ScriptMode& operator=(const ScriptMode&) = delete;
};

// LocalOptions() (max_requests 2, so 8 worker threads) on an ephemeral port, for the whole run.
int SharedPort() {
  static const Running running = StartServer(LocalOptions(), [] { return Script()(); });
  return running.port;
}

TEST_CASE("/metrics serves the exposition with Prometheus headers") {
  const int port = SharedPort();
  {
    INFO("plain");
    const Response res = Get(port, "/metrics");
    CHECK(res.status == 200);
    CHECK(res.Header("content-type") == "text/plain; version=0.0.4; charset=utf-8");
    CHECK(res.Header("content-length") == std::to_string(kText.size()));
    CHECK(res.Header("content-encoding").empty());
    CHECK(res.Header("connection") == "close");
    CHECK(res.body == kText);
  }
  {
    INFO("query string is ignored");
    CHECK(Get(port, "/metrics?x=1").body == kText);
  }
  for (const std::string accept : {"gzip", "gzip, deflate, br", "*"}) {
    INFO("gzip when asked: ", accept);
    const Response res = Get(port, "/metrics", "Accept-Encoding: " + accept + "\r\n");
    CHECK(res.status == 200);
    CHECK(res.Header("content-encoding") == "gzip");
    CHECK(res.Header("vary") == "Accept-Encoding");
    CHECK(res.Header("content-length") == std::to_string(res.body.size()));
    const auto text = testing::Gunzip(res.body);
    REQUIRE(text.has_value());
    CHECK(*text == kText);
  }
  for (const std::string accept : {"gzip;q=0", "identity", "*;q=0"}) {
    INFO("no gzip when refused: ", accept);
    const Response res = Get(port, "/metrics", "Accept-Encoding: " + accept + "\r\n");
    CHECK(res.Header("content-encoding").empty());
    CHECK(res.body == kText);
  }
  {
    INFO("HEAD has the headers but no body");
    const Response res = Request(port, "HEAD", "/metrics");
    CHECK(res.status == 200);
    CHECK(res.Header("content-length") == std::to_string(kText.size()));
    CHECK(res.body.empty());
  }
  for (const std::string method : {"POST", "PUT", "DELETE", "OPTIONS", "PATCH"}) {
    INFO("405 with Allow: ", method);
    const Response res = Request(port, method, "/metrics", "Content-Length: 3\r\n\r\nabc");
    CHECK(res.status == 405);
    CHECK(res.Header("allow") == "GET, HEAD");
  }
  for (const std::string path : {"/metricsx", "/metrics/", "/metrics/x", "/nope", "//metrics",
                                 "/a/../metrics", "/METRICS", "/-/healthyx", "/index.html"}) {
    INFO("exact paths only: ", path);
    const Response res = Get(port, path);
    CHECK(res.status == 404);
    CHECK(res.Header("content-type") == "text/plain; charset=utf-8");
  }
}

TEST_CASE("the landing page links to the telemetry path and the health check") {
  const Response res = Get(SharedPort(), "/");
  CHECK(res.status == 200);
  CHECK(res.Header("content-type") == "text/html; charset=utf-8");
  CHECK(res.body.find("<title>cproc_exporter</title>") != std::string::npos);
  CHECK(res.body.find("href=\"/metrics\"") != std::string::npos);
  CHECK(res.body.find("href=\"/-/healthy\"") != std::string::npos);
  CHECK(res.body.find("1.2.3") != std::string::npos);
}

TEST_CASE("/-/healthy answers OK to GET and HEAD") {
  const int port = SharedPort();
  const Response res = Get(port, "/-/healthy");
  CHECK(res.status == 200);
  CHECK(res.body == "OK");
  CHECK(Request(port, "HEAD", "/-/healthy").status == 200);
  CHECK(Request(port, "POST", "/-/healthy", "Content-Length: 0\r\n").status == 405);
}

TEST_CASE("a custom telemetry path replaces /metrics") {
  HttpServerOptions options = LocalOptions();
  options.telemetry_path = "/x/metrics";
  const Running r = StartServer(options, Fixed(MakeExposition(kText)));
  CHECK(Get(r.port, "/x/metrics").body == kText);
  CHECK(Get(r.port, "/metrics").status == 404);
  CHECK(Get(r.port, "/").body.find("href=\"/x/metrics\"") != std::string::npos);
}

TEST_CASE("/metrics without gzip: the text made from the gzip, or kept when there is none") {
  const auto gzipped = MakeExposition(kText);
  // Compression failed when this one was made: identity, even to a client that takes gzip.
  const auto plain = ExpositionOf(
      "", [](const TextWriter& write) { write(kText); }, nullptr);
  for (const auto& exposition : {gzipped, plain}) {
    const bool has_gzip = !exposition->gzip().empty();
    CAPTURE(has_gzip);
    const Running r = StartServer(LocalOptions(), Fixed(exposition));
    for (const std::string method : {"HEAD", "GET"}) {  // HEAD first: before any text is made
      INFO(method);
      const Response res = Request(r.port, method, "/metrics");
      CHECK(res.status == 200);
      CHECK(res.Header("content-length") == std::to_string(kText.size()));
      CHECK(res.Header("content-encoding").empty());
      CHECK(res.body == (method == "GET" ? kText : ""));
    }
    const Response gz = Get(r.port, "/metrics", "Accept-Encoding: gzip\r\n");
    CHECK(gz.Header("content-encoding") == (has_gzip ? "gzip" : ""));
    CHECK(gz.Header("content-length") == std::to_string(gz.body.size()));
    CHECK((has_gzip ? testing::Gunzip(gz.body).value_or("") : gz.body) == kText);
  }
}

TEST_CASE("/api/v1/containers serves the scan as JSON") {
  const std::string json = "{\"containers\": []}\n";
  auto renders = std::make_shared<std::atomic<int>>(0);
  const Running r = StartServer(LocalOptions(), Fixed(MakeExposition(kText, [json, renders] {
                                  ++*renders;
                                  return json;
                                })));
  CHECK(*renders == 0);  // not rendered by the scan: only when asked for
  const Response res = Get(r.port, "/api/v1/containers");
  CHECK(res.status == 200);
  CHECK(res.Header("content-type") == "application/json");
  CHECK(res.body == json);
  CHECK(Get(r.port, "/api/v1/containers").body == json);
  CHECK(*renders == 1);  // once per scan, however many requests
  CHECK(Request(r.port, "POST", "/api/v1/containers").status == 405);
  CHECK(Get(r.port, "/api/v1/containers/x").status == 404);
  CHECK(Get(r.port, "/").body.find("href=\"/api/v1/containers\"") != std::string::npos);
  // No JSON yet (no scan): 503, as for /metrics.
  const Running empty = StartServer(LocalOptions(), Fixed(MakeExposition(kText)));
  CHECK(Get(empty.port, "/api/v1/containers").status == 503);
}

TEST_CASE("before the first scan /metrics answers 503") {
  const ScriptMode mode(ScriptedSource::Mode::kNone);
  const Response res = Get(SharedPort(), "/metrics");
  CHECK(res.status == 503);
  CHECK(res.body.find("no scan has completed yet") != std::string::npos);
  CHECK(Get(SharedPort(), "/-/healthy").status == 200);
}

TEST_CASE("a throwing source gives 500, not a dead server") {
  const ScriptMode mode(ScriptedSource::Mode::kThrow);
  CHECK(Get(SharedPort(), "/metrics").status == 500);
  CHECK(Get(SharedPort(), "/-/healthy").status == 200);
}

TEST_CASE("idle half-sent requests do not stall a scrape") {
  const int port = SharedPort();
  for (const int idle_count : {2, 6}) {  // the shared server has 8 workers
    CAPTURE(idle_count);
    std::vector<std::unique_ptr<Socket>> idle;
    for (int i = 0; i < idle_count; ++i) {
      idle.push_back(std::make_unique<Socket>(port));
      REQUIRE(idle.back()->Send("GET /metrics HTTP/1.1\r\nHost: x\r\n"));  // no blank line
    }
    std::this_thread::sleep_for(milliseconds(200));  // let workers pick the idle ones up first
    const auto start = steady_clock::now();
    const Response res = Get(port, "/metrics");
    // Far above a normal scrape, far below request_timeout_ms (10 s) a stalled one would take.
    CHECK(steady_clock::now() - start < std::chrono::seconds(3));
    CHECK(res.status == 200);
  }
}

// A client that sent a request with a large body and trickles the rest, one byte at a time.
struct Trickler {
  std::unique_ptr<Socket> socket;
  std::string expect;  // what it asked, for the failure message
  int expected_status = 0;
  std::string received;
  bool closed = false;
  steady_clock::duration closed_after{};
};

// Reads what is there without waiting; true once the server closed or reset the connection.
bool ServerClosed(Trickler& t) {
  char buffer[4096];
  for (;;) {
    const ssize_t n = recv(t.socket->fd(), buffer, sizeof(buffer), MSG_DONTWAIT);
    if (n > 0) {
      t.received.append(buffer, static_cast<std::size_t>(n));
      continue;
    }
    if (n == 0) return true;                         // FIN
    return errno != EAGAIN && errno != EWOULDBLOCK;  // reset
  }
}

TEST_CASE("a trickled request body holds no worker: answered, closed, scrapes unaffected") {
  const int port = SharedPort();  // 8 workers, request_timeout_ms 10 s
  const std::string big = "Content-Length: 100000000\r\n";
  struct Kind {
    std::string head;
    int status;
  };
  // More slow clients than workers: before, each held a worker for 10 s per 4 KiB read.
  const std::vector<Kind> kinds = {
      {"POST /metrics HTTP/1.1\r\nHost: x\r\n" + big + "\r\n", 405},
      {"PUT /nope HTTP/1.1\r\nHost: x\r\n" + big + "\r\n", 404},
      {"POST /-/healthy HTTP/1.1\r\nHost: x\r\n" + big + "\r\n", 405},
      {"GET /metrics HTTP/1.1\r\nHost: x\r\n" + big + "\r\n", 200},  // civetweb drained it
      {"POST /metrics HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
       "5F5E100\r\n",
       405}};
  std::vector<Trickler> slow;
  const auto start = steady_clock::now();
  for (int i = 0; i < 12; ++i) {
    const Kind& kind = kinds[static_cast<std::size_t>(i) % kinds.size()];
    Trickler& t = slow.emplace_back();
    t.socket = std::make_unique<Socket>(port);
    t.expect = kind.head.substr(0, kind.head.find('\r'));
    t.expected_status = kind.status;
    REQUIRE(t.socket->Send(kind.head + "x"));
  }

  // A scrape while they trickle.
  std::atomic<int> scrape_status{0};
  std::atomic<long long> scrape_ms{-1};
  std::thread scrape([&] {
    std::this_thread::sleep_for(milliseconds(100));  // the slow ones reached the workers first
    const auto begin = steady_clock::now();
    scrape_status = Get(port, "/metrics").status;
    scrape_ms = std::chrono::duration_cast<milliseconds>(steady_clock::now() - begin).count();
  });

  // One byte per client every 20 ms, for at most 4 s (a bounded loop).
  const auto limit = start + std::chrono::seconds(4);
  std::size_t open = slow.size();
  while (open > 0 && steady_clock::now() < limit) {
    for (Trickler& t : slow) {
      if (t.closed) continue;
      if (ServerClosed(t) || send(t.socket->fd(), "x", 1, MSG_NOSIGNAL | MSG_DONTWAIT) < 0) {
        t.closed = true;
        t.closed_after = steady_clock::now() - start;
        --open;
      }
    }
    std::this_thread::sleep_for(milliseconds(20));
  }
  scrape.join();

  CHECK(scrape_status.load() == 200);
  CHECK(scrape_ms.load() >= 0);
  CHECK(scrape_ms.load() < 2000);  // far below the 10 s a held worker would take
  for (Trickler& t : slow) {
    CAPTURE(t.expect);
    CHECK(t.closed);  // within the 4 s loop, far below request_timeout_ms (10 s)
    CHECK(t.closed_after < std::chrono::seconds(2));
    // The answer came before the close (a reset may follow it: the body was never read).
    CHECK(Parse(t.received).status == t.expected_status);
    CHECK(Parse(t.received).Header("connection") == "close");
  }
  CHECK(Get(port, "/metrics").status == 200);  // and the server keeps serving
}

TEST_CASE("with basic auth: 401 first, even for unknown paths and unread bodies; probes open") {
  // alice:secret, bcrypt cost 4 (kHash2b of tests/unit/exporter/http/bcrypt_hashes.h).
  std::optional<testing::TempFile> web_yml(
      std::in_place,
      "basic_auth_users:\n"
      "  alice: $2b$04$CKniVJ9mZzHaLWLIl/SV6uOUwTAutLluc0bBJDyKjCGUQfhT6UZ0W\n",
      "web.yml");
  HttpServerOptions options = LocalOptions();
  options.web_config_file = web_yml->path();
  const Running r = StartServer(options, Fixed(MakeExposition(kText)));
  web_yml.reset();  // read at start only
  const std::string alice = "Authorization: Basic YWxpY2U6c2VjcmV0\r\n";

  CHECK(Get(r.port, "/metrics").status == 401);
  CHECK(Get(r.port, "/metrics").Header("www-authenticate") == "Basic realm=\"cproc_exporter\"");
  CHECK(Get(r.port, "/nope").status == 401);  // not 404: nothing is learnt without credentials
  CHECK(Get(r.port, "/metrics", "Authorization: Basic YWxpY2U6d3Jvbmc=\r\n").status == 401);
  CHECK(Get(r.port, "/-/healthy").status == 200);  // liveness probes need no credentials
  CHECK(Request(r.port, "HEAD", "/-/healthy").status == 200);
  CHECK(Get(r.port, "/metrics", alice).body == kText);
  CHECK(Get(r.port, "/nope", alice).status == 404);
  CHECK(Request(r.port, "POST", "/metrics", alice + "Content-Length: 0\r\n").status == 405);

  // A large body, never sent: the 401 comes at once and the connection closes.
  Socket s(r.port);
  const auto start = steady_clock::now();
  REQUIRE(s.Send("POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n\r\nx"));
  const Response res = Parse(s.ReadAll());  // until the server closes (bounded: 5 s)
  CHECK(res.status == 401);
  CHECK(steady_clock::now() - start < std::chrono::seconds(2));  // request timeout: 10 s
}

TEST_CASE("more than max_requests concurrent scrapes get 503") {
  const int port = SharedPort();  // max_requests = 2
  const ScriptMode mode(ScriptedSource::Mode::kGate);
  std::vector<int> statuses(2, 0);
  std::vector<std::thread> scrapes;
  for (std::size_t i = 0; i < 2; ++i) {
    scrapes.emplace_back([&statuses, i, port] {
      Socket s(port);
      if (s.Send("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")) {
        statuses[i] = Parse(s.ReadAll()).status;
      }
    });
  }
  const bool blocked = Script().WaitForBlocked(2);
  CHECK(blocked);
  const Response third = Get(port, "/metrics");
  CHECK(third.status == 503);
  CHECK(third.body.find("limit of concurrent requests") != std::string::npos);
  CHECK(Get(port, "/-/healthy").status == 200);  // the limit is for /metrics only

  Script().Open();
  for (std::thread& t : scrapes) t.join();
  CHECK(statuses == std::vector<int>{200, 200});
  Script().Set(ScriptedSource::Mode::kFixed);
  CHECK(Get(port, "/metrics").status == 200);
}

TEST_CASE("an oversized request header is refused and the server keeps serving") {
  const int port = SharedPort();
  {
    Socket s(port);
    const bool sent = s.Send(
        "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(64 * 1024, 'a') + "\r\n\r\n");
    const Response res = Parse(s.ReadAll());
    CAPTURE(sent);
    CHECK((res.status == 0 || (res.status >= 400 && res.status < 500)));
  }
  CHECK(Get(port, "/metrics").body == kText);
}

TEST_CASE("a port in use is an error that names the address") {
  const int port = SharedPort();
  HttpServerOptions options = LocalOptions();
  options.listen_address = "127.0.0.1:" + std::to_string(port);
  const auto second = HttpServer::Start(options, Fixed(MakeExposition(kText)));
  REQUIRE_FALSE(second.ok());
  CHECK(second.error().find(options.listen_address) != std::string::npos);
  CHECK(second.error().find("Address already in use") != std::string::npos);
  CHECK(second.error().find('\n') == std::string::npos);
  CHECK(Get(port, "/-/healthy").status == 200);
}

TEST_CASE("Start rejects bad options with one line") {
  struct Case {
    std::string mentions;
    HttpServerOptions options;
  };
  std::vector<Case> cases(4, Case{"", LocalOptions()});
  cases[0].mentions = cases[0].options.listen_address = "abc";
  cases[1].mentions = cases[1].options.telemetry_path = "metrics";
  cases[2].options.max_requests = -1;
  cases[2].mentions = "-1";
  cases[3].options.request_timeout_ms = 0;
  cases[3].mentions = "0 ms";
  for (const Case& c : cases) {
    CAPTURE(c.mentions);
    const auto started = HttpServer::Start(c.options, Fixed(MakeExposition(kText)));
    REQUIRE_FALSE(started.ok());
    CHECK(started.error().find(c.mentions) != std::string::npos);
    CHECK(started.error().find('\n') == std::string::npos);
  }
}

TEST_CASE("IPv6 listen addresses either work or say why not") {
  HttpServerOptions options = LocalOptions();
  options.listen_address = "[::1]:0";
  const auto started = HttpServer::Start(options, Fixed(MakeExposition(kText)));
  if (!started.ok()) CHECK(started.error().find("[::1]:0") != std::string::npos);
}

}  // namespace
}  // namespace cproc
