// Scrape latency under concurrency: C threads each make R GET requests, one new TCP connection
// per request ("Connection: close", as Prometheus does for each scrape when its keep-alive
// connection is not reused), reading the whole body. Latency = connect() start to EOF.
// Loopback only, bounded: C*R requests, each with a 10 s socket timeout.
//
// usage: scrape HOST PORT PATH CONCURRENCY REQUESTS_PER_THREAD [gzip]
// prints: requests=… errors=… median_ms=… p90_ms=… p99_ms=… max_ms=… bytes=…
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static struct sockaddr_in addr;
static char request[512];
static int per_thread;
static double* latencies;
static int errors;
static long last_bytes;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t start;

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static long one_request(void) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  struct timeval tv = {10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (connect(fd, (struct sockaddr*)&addr, sizeof addr) != 0) {
    close(fd);
    return -1;
  }
  size_t len = strlen(request);
  if (write(fd, request, len) != (ssize_t)len) {
    close(fd);
    return -1;
  }
  static __thread char buf[1 << 16];
  long total = 0;
  int ok = 0;
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0) {
      close(fd);
      return -1;
    }
    if (n == 0) break;
    if (total == 0)
      ok = n >= 12 && (!memcmp(buf, "HTTP/1.1 200", 12) || !memcmp(buf, "HTTP/1.0 200", 12));
    total += n;
  }
  close(fd);
  return ok ? total : -1;
}

static void* worker(void* arg) {
  long index = (long)arg;
  pthread_barrier_wait(&start);
  for (int i = 0; i < per_thread; ++i) {
    double t0 = now_ms();
    long bytes = one_request();
    double dt = now_ms() - t0;
    pthread_mutex_lock(&lock);
    if (bytes < 0) {
      ++errors;
      latencies[index * per_thread + i] = -1;
    } else {
      latencies[index * per_thread + i] = dt;
      last_bytes = bytes;
    }
    pthread_mutex_unlock(&lock);
  }
  return NULL;
}

static int cmp(const void* a, const void* b) {
  double x = *(const double*)a, y = *(const double*)b;
  return x < y ? -1 : x > y;
}

int main(int argc, char** argv) {
  if (argc < 6) {
    fprintf(stderr, "usage: scrape HOST PORT PATH CONCURRENCY REQUESTS_PER_THREAD [gzip]\n");
    return 2;
  }
  addr.sin_family = AF_INET;
  addr.sin_port = htons((uint16_t)atoi(argv[2]));
  if (inet_pton(AF_INET, argv[1], &addr.sin_addr) != 1) return 2;
  int threads = atoi(argv[4]);
  per_thread = atoi(argv[5]);
  if (threads < 1 || threads > 64 || per_thread < 1 || per_thread > 100000) return 2;
  const int gzip = argc > 6 && !strcmp(argv[6], "gzip");
  snprintf(
      request, sizeof request,
      "GET %s HTTP/1.1\r\nHost: %s:%s\r\nUser-Agent: cproc-bench\r\n%sConnection: close\r\n\r\n",
      argv[3], argv[1], argv[2], gzip ? "Accept-Encoding: gzip\r\n" : "");
  const int total = threads * per_thread;
  latencies = calloc((size_t)total, sizeof *latencies);
  pthread_t tid[64];
  pthread_barrier_init(&start, NULL, (unsigned)threads);
  double t0 = now_ms();
  for (long t = 0; t < threads; ++t) pthread_create(&tid[t], NULL, worker, (void*)t);
  for (int t = 0; t < threads; ++t) pthread_join(tid[t], NULL);
  double elapsed = now_ms() - t0;
  int n = 0;
  for (int i = 0; i < total; ++i)
    if (latencies[i] >= 0) latencies[n++] = latencies[i];
  qsort(latencies, (size_t)n, sizeof *latencies, cmp);
#define PCT(p) (n ? latencies[(int)((double)(n - 1) * (p) + 0.5)] : -1)
  printf(
      "requests=%d errors=%d median_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f bytes=%ld "
      "elapsed_s=%.2f\n",
      total, errors, PCT(0.5), PCT(0.9), PCT(0.99), n ? latencies[n - 1] : -1, last_bytes,
      elapsed / 1e3);
  return 0;
}
