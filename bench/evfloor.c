// Floors for the process events source (bench/events.sh): the least a reader of the process
// events connector can spend per event, with nothing done per event but counting it.
//
//   evfloor per-event STATE [BUFFER_BYTES]
//       What cproc_exporter's reader does for the syscalls: poll(), then recvfrom() one message
//       at a time (up to 64 per wake-up) until EAGAIN.
//   evfloor batched STATE [BUFFER_BYTES] [COALESCE_MS]
//       recvmmsg() 64 messages per syscall until EAGAIN, then sleep COALESCE_MS (default 10)
//       before the next poll(), so that a wake-up is paid per batch, not per event.
//
// Both subscribe like the exporter (PROC_CN_MCAST_LISTEN; SO_RCVBUFFORCE BUFFER_BYTES, default
// 1 MiB) and count events and ENOBUFS overruns. On SIGUSR1 they write
// "events=N overruns=M wakeups=W" to STATE; SIGTERM ends them (bounded: 2 h at most).
#define _GNU_SOURCE
#include <errno.h>
#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/netlink.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t dump, stop;
static void on_usr1(int s) {
  (void)s;
  dump = 1;
}
static void on_term(int s) {
  (void)s;
  stop = 1;
}

static uint64_t events, overruns, wakeups;

static void count(const char* buf, ssize_t len) {
  const struct nlmsghdr* h = (const struct nlmsghdr*)buf;
  if (len < (ssize_t)(NLMSG_HDRLEN + sizeof(struct cn_msg) + sizeof(struct proc_event))) return;
  const struct cn_msg* m = (const struct cn_msg*)NLMSG_DATA(h);
  if (m->id.idx != CN_IDX_PROC) return;
  const struct proc_event* e = (const struct proc_event*)m->data;
  if (e->what == PROC_EVENT_NONE) return;  // acknowledgements
  ++events;
}

static void write_state(const char* path) {
  FILE* f = fopen(path, "w");
  if (!f) return;
  fprintf(f, "events=%llu overruns=%llu wakeups=%llu\n", (unsigned long long)events,
          (unsigned long long)overruns, (unsigned long long)wakeups);
  fclose(f);
}

static int subscribe(int fd, enum proc_cn_mcast_op op) {
  char buf[NLMSG_SPACE(sizeof(struct cn_msg) + sizeof(uint32_t))] __attribute__((aligned(8)));
  memset(buf, 0, sizeof(buf));
  struct nlmsghdr* h = (struct nlmsghdr*)buf;
  h->nlmsg_len = NLMSG_LENGTH(sizeof(struct cn_msg) + sizeof(uint32_t));
  h->nlmsg_type = NLMSG_DONE;
  struct cn_msg* m = (struct cn_msg*)NLMSG_DATA(h);
  m->id.idx = CN_IDX_PROC;
  m->id.val = CN_VAL_PROC;
  m->len = sizeof(uint32_t);
  uint32_t v = op;
  memcpy(m->data, &v, sizeof(v));
  struct sockaddr_nl k = {.nl_family = AF_NETLINK};
  return sendto(fd, buf, h->nlmsg_len, 0, (struct sockaddr*)&k, sizeof(k)) < 0 ? -1 : 0;
}

int main(int argc, char** argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: evfloor per-event|batched STATE [BUFFER_BYTES] [COALESCE_MS]\n");
    return 2;
  }
  const int batched = !strcmp(argv[1], "batched");
  const char* state = argv[2];
  int bytes = argc > 3 ? atoi(argv[3]) : 1 << 20;
  const long coalesce_ms = argc > 4 ? atol(argv[4]) : 10;
  struct sigaction sa = {.sa_handler = on_usr1};
  sigaction(SIGUSR1, &sa, NULL);
  sa.sa_handler = on_term;
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);

  int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_CONNECTOR);
  if (fd < 0) {
    perror("socket");
    return 1;
  }
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof(bytes)) != 0)
    perror("SO_RCVBUFFORCE");
  struct sockaddr_nl local = {.nl_family = AF_NETLINK, .nl_groups = CN_IDX_PROC};
  if (bind(fd, (struct sockaddr*)&local, sizeof(local)) != 0) {
    perror("bind");
    return 1;
  }
  if (subscribe(fd, PROC_CN_MCAST_LISTEN) != 0) {
    perror("listen");
    return 1;
  }
  write_state(state);

  enum { kBatch = 64 };
  static char bufs[kBatch][4096] __attribute__((aligned(8)));
  struct iovec iov[kBatch];
  struct mmsghdr msgs[kBatch];
  for (int i = 0; i < kBatch; ++i) {
    iov[i] = (struct iovec){bufs[i], sizeof(bufs[i])};
    msgs[i] = (struct mmsghdr){.msg_hdr = {.msg_iov = &iov[i], .msg_iovlen = 1}};
  }
  struct timespec end;
  clock_gettime(CLOCK_MONOTONIC, &end);
  end.tv_sec += 7200;
  struct pollfd p = {fd, POLLIN, 0};
  while (!stop) {
    if (dump) {
      dump = 0;
      write_state(state);
    }
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (now.tv_sec > end.tv_sec) break;
    if (poll(&p, 1, 1000) <= 0) continue;
    ++wakeups;
    if (!batched) {
      for (int i = 0; i < 64; ++i) {
        ssize_t got = recv(fd, bufs[0], sizeof(bufs[0]), 0);
        if (got < 0) {
          if (errno == ENOBUFS) {
            ++overruns;
            continue;
          }
          break;
        }
        count(bufs[0], got);
      }
    } else {
      for (int round = 0; round < 1000; ++round) {
        int got = recvmmsg(fd, msgs, kBatch, MSG_DONTWAIT, NULL);
        if (got < 0) {
          if (errno == ENOBUFS) {
            ++overruns;
            continue;
          }
          break;
        }
        for (int i = 0; i < got; ++i) count(bufs[i], msgs[i].msg_len);
        if (got < kBatch) break;
      }
      struct timespec nap = {0, coalesce_ms * 1000000L};
      nanosleep(&nap, NULL);
    }
  }
  subscribe(fd, PROC_CN_MCAST_IGNORE);
  write_state(state);
  return 0;
}
