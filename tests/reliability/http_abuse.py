#!/usr/bin/env python3
"""HTTP abuse against the real cproc_exporter binary, on 127.0.0.1 only.

    http_abuse.py PATH_TO_cproc_exporter [scenario...]      (default: all of a b c d e)

  (a) 60 concurrent scrapers for 10 s while a well-behaved client scrapes every 100 ms: all of
      its scrapes succeed and its p99 latency stays below 1 s (median and p99 printed);
  (b) 30 slow clients each sending a request one byte every 500 ms (for 8 s) while a normal
      scrape still answers in < 2 s; then, for information only, as many slow clients as the
      server has worker threads plus 10 (slowloris beyond the thread pool); then (b3) 80 of them
      against --web.max-requests=100, whose 104 workers absorb them: scrapes answer in < 2 s;
  (c) a 64 KiB header, a 10 KiB path and 2000 small headers get a 4xx or a closed connection,
      and the server keeps serving;
  (d) PUT, DELETE, OPTIONS, TRACE, CONNECT, PATCH, POST, an unknown method and garbage get
      400/405-class answers (never 200) or a closed connection, and no crash; the methods the
      server knows answer 405 on /metrics;
  (e) with --web.max-requests=2, bursts of concurrent scrapes that read slowly get some 503s and
      the process stays alive.

Every loop is bounded in count and time; only the exporter processes started here are
stopped. Exit 0 pass, 1 fail, 77 skip. Standard library only.
"""

import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

CLIENT_TIMEOUT = 5.0  # seconds, every socket operation of a test client
FAILURES = []


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def check(condition, message):
    """Records a failure (the run continues so that every scenario reports)."""
    if condition:
        log(f"OK: {message}")
    else:
        log(f"FAIL: {message}")
        FAILURES.append(message)
    return condition


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fixture_procfs(workdir, containers):
    """A directory shaped like /proc: one process in its own Docker container each."""
    root = os.path.join(workdir, "procfs")
    for i in range(containers):
        pid = 1000 + i
        directory = os.path.join(root, str(pid))
        os.makedirs(os.path.join(directory, "ns"), exist_ok=True)
        with open(os.path.join(directory, "stat"), "w") as f:
            f.write(f"{pid} (sleep) S 1 {pid} {pid} 0 -1 4194560 0 0 0 0 1 2 0 0 20 0 1 0 "
                    f"{100 + i} 4096 3 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0 "
                    "0 0 0\n")
        with open(os.path.join(directory, "cgroup"), "w") as f:
            f.write(f"0::/docker/{i:064x}\n")
        for kind, inode in (("pid", 4026600000 + i), ("mnt", 4026700000 + i)):
            os.symlink(f"{kind}:[{inode}]", os.path.join(directory, "ns", kind))
    return root


class Exporter:
    """One exporter process started by this script (and only ever stopped by it)."""

    def __init__(self, binary, workdir, flags):
        self.binary, self.workdir, self.flags = binary, workdir, flags
        self.proc = None
        self.port = None
        self.log_path = None

    def start(self):
        for attempt in range(1, 4):
            self.port = free_port()
            self.log_path = os.path.join(self.workdir, f"exporter.{self.port}.log")
            args = [self.binary, f"--web.listen-address=127.0.0.1:{self.port}",
                    "--scan.interval=1s", "--log.level=info"] + self.flags
            log(f"starting {' '.join(args[1:])}")
            with open(self.log_path, "wb") as out:
                self.proc = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT,
                                             stdin=subprocess.DEVNULL)
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and self.alive():
                if get(self.port, "/-/healthy", 2)[0] == 200 and get(self.port)[0] == 200:
                    log(f"exporter pid {self.proc.pid} serving on 127.0.0.1:{self.port}")
                    return
                time.sleep(0.3)
            if self.alive():
                self.stop()
                raise RuntimeError(f"exporter did not serve /metrics within 30 s: {self.tail()}")
            if b"in use" not in open(self.log_path, "rb").read():
                raise RuntimeError(f"exporter exited with {self.proc.returncode}: {self.tail()}")
            log(f"port {self.port} was taken (attempt {attempt}); retrying")
        raise RuntimeError("exporter could not bind a port in 3 attempts")

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def tail(self, lines=30):
        try:
            with open(self.log_path, "rb") as f:
                text = f.read().decode("utf-8", "replace").splitlines()
            return "\n".join(text[-lines:])
        except OSError:
            return "(no log)"

    def stop(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                log(f"exporter pid {self.proc.pid} ignored SIGTERM for 10 s; SIGKILL")
                self.proc.kill()
                self.proc.wait(10)


def exchange(port, raw, timeout=CLIENT_TIMEOUT, rcvbuf=None, read_delay=0.0):
    """Sends raw bytes, reads to EOF. Returns (status or None, seconds, response bytes, error)."""
    start = time.monotonic()
    data = b""
    error = ""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            if rcvbuf:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
            s.settimeout(timeout)
            s.connect(("127.0.0.1", port))
            try:
                s.sendall(raw)
            except OSError as e:  # the server may close before reading everything
                error = f"send: {e.__class__.__name__}"
            if read_delay:
                time.sleep(read_delay)
            while len(data) < 64 * 1024 * 1024:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
    except (OSError, socket.timeout) as e:
        error = error or f"{e.__class__.__name__}: {e}"
    elapsed = time.monotonic() - start
    status = None
    if data.startswith(b"HTTP/"):
        try:
            status = int(data.split(b" ", 2)[1])
        except (IndexError, ValueError):
            status = None
    return status, elapsed, data, error


def get(port, path="/metrics", timeout=CLIENT_TIMEOUT, **kwargs):
    raw = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode()
    return exchange(port, raw, timeout, **kwargs)


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100.0 * (len(ordered) - 1))))]


def normal_scrape_ok(exporter, within, what):
    status, elapsed, body, error = get(exporter.port)
    ok = status == 200 and elapsed < within and b"cproc_" in body
    check(ok, f"{what}: a normal scrape answers 200 in < {within:g} s "
              f"(status {status}, {elapsed:.3f} s{', ' + error if error else ''})")
    return ok


def scrapes_during(exporter, count, within):
    """`count` scrapes 0.5 s apart: the worst latency and the ones not 200 in < `within` s."""
    worst = 0.0
    failures = []
    for _ in range(count):
        status, elapsed, _, error = get(exporter.port)
        worst = max(worst, elapsed)
        if status != 200 or elapsed >= within:
            failures.append((status, round(elapsed, 3), error))
        time.sleep(0.5)
    return worst, failures


def stop_threads(stop, threads):
    """Tells the client threads to stop and waits for them (each bounded by its socket timeout)."""
    stop.set()
    for t in threads:
        t.join(CLIENT_TIMEOUT + 5)


# ---------------------------------------------------------------------------------------------

def scenario_a(binary, workdir):
    log("(a) 60 concurrent scrapers for 10 s; a well-behaved client measures its latency")
    # The scrape limit is not the subject here ((e) is): 100 > 60 scrapers + 1.
    exporter = Exporter(binary, workdir, ["--web.max-requests=100"])
    exporter.start()
    try:
        stop = threading.Event()
        counts = {}
        lock = threading.Lock()

        def loader():
            for _ in range(5000):  # bounded by count and by the 10 s window
                if stop.is_set():
                    return
                status = get(exporter.port)[0]
                with lock:
                    counts[status] = counts.get(status, 0) + 1

        loaders = [threading.Thread(target=loader, daemon=True) for _ in range(60)]
        for t in loaders:
            t.start()
        latencies, statuses = [], []
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and len(latencies) < 100:
            status, elapsed, _, error = get(exporter.port)
            latencies.append(elapsed)
            statuses.append(status if status else error)
            time.sleep(0.1)
        stop_threads(stop, loaders)
        log(f"(a) loaders: {sum(counts.values())} scrapes, by status {counts}")
        median, p99 = statistics.median(latencies), percentile(latencies, 99)
        log(f"(a) well-behaved client: {len(latencies)} scrapes, median {median * 1000:.1f} ms, "
            f"p99 {p99 * 1000:.1f} ms, max {max(latencies) * 1000:.1f} ms")
        bad = [s for s in statuses if s != 200]
        check(not bad, f"(a) every scrape of the well-behaved client succeeded (failures: {bad[:5]})")
        check(p99 < 1.0, f"(a) p99 latency {p99 * 1000:.1f} ms < 1000 ms under 60 scrapers")
        check(counts.get(200, 0) > 0, "(a) the loaders got answers too")
        check(exporter.alive(), "(a) exporter still running")
    finally:
        exporter.stop()


def slow_clients(port, count, seconds, stats):
    """count clients sending a request one byte every 0.5 s for at most `seconds`."""
    request = b"GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"s" * 64 + b"\r\n\r\n"
    stop = threading.Event()

    def slow():
        start = time.monotonic()
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
                s.settimeout(CLIENT_TIMEOUT)
                s.connect(("127.0.0.1", port))
                for i in range(min(len(request) - 4, int(seconds * 2))):
                    if stop.is_set() or time.monotonic() - start > seconds:
                        break
                    s.sendall(request[i:i + 1])
                    if stop.wait(0.5):
                        break
                stats["finished"] += 1
        except OSError:
            stats["dropped_by_server"] += 1
            stats["dropped_after"].append(time.monotonic() - start)

    threads = [threading.Thread(target=slow, daemon=True) for _ in range(count)]
    for t in threads:
        t.start()
    return stop, threads


def scenario_b(binary, workdir):
    log("(b) 30 slow clients (one byte every 500 ms) while normal scrapes continue")
    exporter = Exporter(binary, workdir, [])  # defaults: what users run
    exporter.start()
    try:
        stats = {"finished": 0, "dropped_by_server": 0, "dropped_after": []}
        stop, threads = slow_clients(exporter.port, 30, 8, stats)
        time.sleep(1)  # let them connect and start trickling
        worst, failures = scrapes_during(exporter, 12, 2.0)  # ~7 s of scrapes during the trickle
        stop_threads(stop, threads)
        log(f"(b) slow clients: {stats['finished']} trickled to the end, "
            f"{stats['dropped_by_server']} dropped by the server")
        check(not failures, f"(b) 12 scrapes during 30 slow clients all 200 in < 2 s "
                            f"(worst {worst * 1000:.0f} ms; failures {failures[:3]})")
        check(exporter.alive(), "(b) exporter still running")

        # Information only: more slow clients than worker threads (max-requests 40 + 4 = 44).
        count = 54
        log(f"(b2) {count} slow clients (more than the 44 worker threads), information only")
        stats = {"finished": 0, "dropped_by_server": 0, "dropped_after": []}
        stop, threads = slow_clients(exporter.port, count, 12, stats)
        time.sleep(1.5)
        status, elapsed, _, error = get(exporter.port, timeout=12)
        stop_threads(stop, threads)
        after = stats["dropped_after"]
        log(f"(b2) a normal scrape meanwhile: status {status} after {elapsed:.2f} s {error}; "
            f"slow clients dropped by the server: {stats['dropped_by_server']}"
            + (f" (after {min(after):.1f}-{max(after):.1f} s)" if after else ""))
        check(exporter.alive(), "(b2) exporter still running")
        normal_scrape_ok(exporter, 2.0, "(b2) after the slow clients left")
    finally:
        exporter.stop()

    # 80 slow clients against --web.max-requests=100 (104 workers): the headroom for slow
    # clients is configurable, and with it scrapes answer as if they were not there.
    log("(b3) 80 slow clients against --web.max-requests=100 (104 worker threads)")
    exporter = Exporter(binary, workdir, ["--web.max-requests=100"])
    exporter.start()
    try:
        stats = {"finished": 0, "dropped_by_server": 0, "dropped_after": []}
        stop, threads = slow_clients(exporter.port, 80, 8, stats)
        time.sleep(1.5)
        worst, failures = scrapes_during(exporter, 8, 2.0)
        stop_threads(stop, threads)
        check(not failures, f"(b3) 8 scrapes during 80 slow clients all 200 in < 2 s "
                            f"(worst {worst * 1000:.0f} ms; failures {failures[:3]})")
        check(exporter.alive(), "(b3) exporter still running")
    finally:
        exporter.stop()


def scenario_c(binary, workdir):
    log("(c) oversized requests")
    exporter = Exporter(binary, workdir, [])
    exporter.start()
    try:
        cases = {
            "64 KiB header": b"GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: "
                             + b"a" * 65536 + b"\r\n\r\n",
            "10 KiB path": b"GET /" + b"p" * 10240 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
            "2000 small headers": b"GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                  + b"".join(b"X-H%d: v\r\n" % i for i in range(2000)) + b"\r\n",
            "1 MiB header, no end": b"GET /metrics HTTP/1.1\r\nX-Big: " + b"b" * (1 << 20),
        }
        for name, raw in cases.items():
            status, elapsed, _, error = exchange(exporter.port, raw)
            ok = status is None or 400 <= status < 500
            check(ok, f"(c) {name}: 4xx or closed (status {status}, {elapsed:.2f} s"
                      f"{', ' + error if error else ''})")
            check(exporter.alive(), f"(c) exporter alive after the {name}")
        normal_scrape_ok(exporter, 2.0, "(c) after oversized requests")
    finally:
        exporter.stop()


def scenario_d(binary, workdir):
    log("(d) unsupported methods and garbage")
    exporter = Exporter(binary, workdir, [])
    exporter.start()
    try:
        allowed = {400, 404, 405, 411, 413, 414, 431, 501, 505}
        cases = {}
        for method in ["PUT", "DELETE", "OPTIONS", "TRACE", "CONNECT", "PATCH", "POST", "FOO"]:
            for path in ["/metrics", "/", "/-/healthy"]:
                cases[f"{method} {path}"] = (f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                             "Content-Length: 0\r\n\r\n").encode()
        cases["CONNECT host:port"] = b"CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: 127.0.0.1:22\r\n\r\n"
        cases["binary junk"] = bytes(range(256)) + b"\r\n\r\n"
        cases["no version"] = b"GET /metrics\r\n\r\n"
        cases["HTTP/9.9"] = b"GET /metrics HTTP/9.9\r\nHost: x\r\n\r\n"
        cases["bare CRLFs"] = b"\r\n" * 100
        cases["NUL in path"] = b"GET /met\x00rics HTTP/1.1\r\nHost: x\r\n\r\n"
        cases["absolute URI"] = b"GET http://example.invalid/metrics HTTP/1.1\r\nHost: x\r\n\r\n"
        cases["negative length"] = b"POST /metrics HTTP/1.1\r\nContent-Length: -5\r\n\r\n"
        cases["chunked junk"] = (b"POST /metrics HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                                 b"zz\r\nxx\r\n0\r\n\r\n")
        seen = {}
        for name, raw in cases.items():
            status, _, _, error = exchange(exporter.port, raw, timeout=3)
            seen[name] = status
            ok = status is None or status in allowed
            if not ok or not exporter.alive():
                check(False, f"(d) {name}: expected 400/405-class or a closed connection, "
                             f"got {status} {error}")
            if not exporter.alive():
                break
        log("(d) answers: " + ", ".join(f"{k}={v}" for k, v in seen.items()))
        known = ["PUT", "DELETE", "OPTIONS", "PATCH", "POST"]
        check(all(seen.get(f"{m} /metrics") == 405 for m in known),
              f"(d) {'/'.join(known)} on /metrics answer 405")
        check(seen.get("FOO /metrics") in (400, 405, 501),
              "(d) an unknown method answers 400, 405 or 501")
        check(not any(v == 200 for v in seen.values()), "(d) nothing but GET/HEAD got a 200")
        check(exporter.alive(), "(d) exporter still running")
        normal_scrape_ok(exporter, 2.0, "(d) after unsupported methods")
    finally:
        exporter.stop()


def scenario_e(binary, workdir):
    log("(e) --web.max-requests=2 under bursts of concurrent slow-reading scrapes")
    # A response far larger than the socket buffers keeps each slow reader's request inside the
    # handler however few containers the host runs: the exporter reads a procfs-like tree of
    # 400 containers made here, not the host's (whose handful made a response small enough to
    # be written at once on some runs, and then no request was ever refused).
    procfs = fixture_procfs(workdir, containers=400)
    exporter = Exporter(binary, workdir, ["--web.max-requests=2", f"--path.procfs={procfs}"])
    exporter.start()
    try:
        size = len(get(exporter.port)[2])
        log(f"(e) one /metrics response is {size} bytes")
        counts = {}
        lock = threading.Lock()
        deadline = time.monotonic() + 20

        def burst_client(barrier):
            try:
                barrier.wait(5)
            except threading.BrokenBarrierError:
                return
            # A small receive window and a late first read keep the server inside the handler
            # (writing) a little longer, as a slow Prometheus over a slow link would.
            status = get(exporter.port, rcvbuf=1024, read_delay=0.5)[0]
            with lock:
                counts[status] = counts.get(status, 0) + 1

        for _ in range(10):  # up to 10 bursts of 50, until some 503s were seen
            if counts.get(503, 0) > 0 or time.monotonic() > deadline:
                break
            barrier = threading.Barrier(50)
            threads = [threading.Thread(target=burst_client, args=(barrier,), daemon=True)
                       for _ in range(50)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(CLIENT_TIMEOUT + 5)
        log(f"(e) answers by status: {counts}")
        # Responses larger than the socket buffers (tens of KiB: any host with a few containers)
        # keep a slow reader's request inside the handler; smaller ones rely on simultaneity.
        check(counts.get(503, 0) > 0, f"(e) some scrapes were refused with 503 "
                                      f"(responses of {size} bytes)")
        check(counts.get(200, 0) > 0, "(e) some scrapes succeeded")
        check(set(counts) <= {200, 503}, "(e) only 200 and 503 answers")
        check(exporter.alive(), "(e) exporter still running")
        normal_scrape_ok(exporter, 2.0, "(e) after the bursts")
    finally:
        exporter.stop()


SCENARIOS = {"a": scenario_a, "b": scenario_b, "c": scenario_c, "d": scenario_d,
             "e": scenario_e}


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 1
    binary = sys.argv[1]
    if not os.access(binary, os.X_OK):
        log(f"FAIL: exporter binary {binary!r} is missing or not executable")
        return 1
    wanted = sys.argv[2:] or list(SCENARIOS)
    with tempfile.TemporaryDirectory(prefix="cproc-http-abuse.") as workdir:
        for name in wanted:
            try:
                SCENARIOS[name](binary, workdir)
            except Exception as e:  # a scenario that cannot run is a failure, not a skip
                check(False, f"({name}) could not run: {e}")
    if FAILURES:
        log(f"{len(FAILURES)} check(s) failed:")
        for failure in FAILURES:
            print(f"  - {failure}")
        return 1
    log("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
