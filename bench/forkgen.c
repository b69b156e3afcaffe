// Paced fork generator for the process-events benchmark (bench/events).
//
//   forkgen run --rate R --seconds S [--batch-us B] [--workers J] [--vfork]
//       Forks R processes per second for S seconds (R = 0: as fast as it can), each child
//       _exit(0)s at once and is reaped by its parent. Pacing: every B µs (default 1000) the
//       forker wakes up (clock_nanosleep, absolute) and forks as many as the schedule says are
//       due by now; when the CPU cannot keep up it forks back to back, so the achieved rate is
//       what the machine gives, and it is reported as such. J workers (default 1) each fork
//       R/J per second; the workers are forks too and counted. Prints one line:
//         forks=N workers=J seconds=T target_rate=R achieved_rate=A fork_errors=E
//       where forks is every process it created (children + workers): the ground truth for
//       cproc_container_processes_started_total, and each of them exited with code 0.
//   forkgen idle [--max-seconds S]
//       Sleeps until SIGTERM/SIGINT or S seconds (default 7200): a container's PID 1.
//   forkgen cputime PID...
//       Prints the CPU time (user + system, every thread, exited ones included) of each PID in
//       nanoseconds, read at one instant from its CPU-time clock (clock_getcpuclockid): ns
//       resolution where /proc/PID/stat has 10 ms ticks.
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void reap(int block, long* reaped) {
  for (;;) {
    int status;
    pid_t p = waitpid(-1, &status, block ? 0 : WNOHANG);
    if (p > 0) {
      ++*reaped;
      continue;
    }
    if (p < 0 && errno == EINTR) continue;
    return;  // 0: none ready; -1 ECHILD: none left
  }
}

// One forker: `rate` per second (0: unpaced) until `end_ns`. Returns children made.
static long forker(double rate, int64_t start_ns, int64_t end_ns, long batch_ns, int use_vfork,
                   long* errors) {
  long made = 0, reaped = 0;
  int64_t tick = start_ns;
  for (long iter = 0; iter < 100000000L; ++iter) {  // bounded: at most 1e8 wake-ups
    int64_t t = now_ns();
    if (t >= end_ns) break;
    long due = rate > 0 ? (long)((double)(t - start_ns) * rate / 1e9) : made + 64;
    for (long i = 0; made < due && i < 1000000; ++i) {
      if ((i & 7) == 7 && now_ns() >= end_ns) break;  // behind schedule: still stop on time
      pid_t p = use_vfork ? vfork() : fork();
      if (p == 0) _exit(0);
      if (p < 0) {
        ++*errors;
        reap(0, &reaped);
        if (*errors > 1000000) break;
        continue;
      }
      ++made;
      if ((made & 63) == 0) reap(0, &reaped);
    }
    reap(0, &reaped);
    if (rate > 0) {
      tick += batch_ns;
      if (tick < t - 100 * batch_ns) tick = t;  // far behind: do not sleep, do not burst
      struct timespec ts = {.tv_sec = tick / 1000000000LL, .tv_nsec = tick % 1000000000LL};
      while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR) {
      }
    }
  }
  reap(1, &reaped);
  return made;
}

static int cmd_run(int argc, char** argv) {
  double rate = 1000, seconds = 10;
  long batch_us = 1000;
  int workers = 1, use_vfork = 0;
  for (int i = 0; i < argc; ++i) {
    if (!strcmp(argv[i], "--rate") && i + 1 < argc)
      rate = atof(argv[++i]);
    else if (!strcmp(argv[i], "--seconds") && i + 1 < argc)
      seconds = atof(argv[++i]);
    else if (!strcmp(argv[i], "--batch-us") && i + 1 < argc)
      batch_us = atol(argv[++i]);
    else if (!strcmp(argv[i], "--workers") && i + 1 < argc)
      workers = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--vfork"))
      use_vfork = 1;
    else {
      fprintf(stderr, "forkgen run: unknown argument %s\n", argv[i]);
      return 2;
    }
  }
  if (workers < 1 || workers > 64 || seconds <= 0 || seconds > 3600 || batch_us < 10) {
    fprintf(stderr, "forkgen run: bad arguments\n");
    return 2;
  }
  int fds[2];
  if (pipe(fds) != 0) return 1;
  const int64_t start = now_ns() + 20000000LL;  // every worker starts on the same schedule
  const int64_t end = start + (int64_t)(seconds * 1e9);
  long total = 0, errors = 0, spawned = 0;
  if (workers == 1) {
    struct timespec ts = {.tv_sec = start / 1000000000LL, .tv_nsec = start % 1000000000LL};
    clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
    total = forker(rate, start, end, batch_us * 1000L, use_vfork, &errors);
  } else {
    for (int w = 0; w < workers; ++w) {
      pid_t p = fork();
      if (p == 0) {
        close(fds[0]);
        struct timespec ts = {.tv_sec = start / 1000000000LL, .tv_nsec = start % 1000000000LL};
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
        long e = 0;
        long made = forker(rate / workers, start, end, batch_us * 1000L, use_vfork, &e);
        long out[2] = {made, e};
        if (write(fds[1], out, sizeof(out)) != sizeof(out)) _exit(1);
        _exit(0);
      }
      if (p > 0) ++spawned;
    }
    close(fds[1]);
    long out[2];
    for (int w = 0; w < spawned; ++w) {
      ssize_t got = read(fds[0], out, sizeof(out));
      if (got != (ssize_t)sizeof(out)) break;
      total += out[0];
      errors += out[1];
    }
    long reaped = 0;
    reap(1, &reaped);
  }
  const double elapsed = (double)(now_ns() - start) / 1e9;
  // The ground truth: every process made, the workers included.
  const long forks = total + spawned;
  printf("forks=%ld workers=%d seconds=%.3f target_rate=%.0f achieved_rate=%.1f fork_errors=%ld\n",
         forks, workers, elapsed, rate, (double)total / elapsed, errors);
  return 0;
}

static volatile sig_atomic_t stop;
static void on_signal(int sig) {
  (void)sig;
  stop = 1;
}

static int cmd_idle(int argc, char** argv) {
  double max_seconds = 7200;
  for (int i = 0; i + 1 < argc; ++i) {
    if (!strcmp(argv[i], "--max-seconds")) max_seconds = atof(argv[i + 1]);
  }
  struct sigaction sa = {.sa_handler = on_signal};
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  const int64_t end = now_ns() + (int64_t)(max_seconds * 1e9);
  long reaped = 0;
  while (!stop && now_ns() < end) {
    sleep(1);
    reap(0, &reaped);  // PID 1 of a container: orphans of a killed `docker exec` land here
  }
  return 0;
}

static int cmd_cputime(int argc, char** argv) {
  for (int i = 0; i < argc; ++i) {
    clockid_t clock;
    struct timespec ts;
    if (clock_getcpuclockid((pid_t)atol(argv[i]), &clock) != 0 || clock_gettime(clock, &ts) != 0) {
      printf("%s-1", i ? " " : "");
      continue;
    }
    printf("%s%lld", i ? " " : "", (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec);
  }
  printf("\n");
  return 0;
}

int main(int argc, char** argv) {
  if (argc >= 2 && !strcmp(argv[1], "run")) return cmd_run(argc - 2, argv + 2);
  if (argc >= 2 && !strcmp(argv[1], "idle")) return cmd_idle(argc - 2, argv + 2);
  if (argc >= 2 && !strcmp(argv[1], "cputime")) return cmd_cputime(argc - 2, argv + 2);
  fprintf(stderr,
          "usage: forkgen run --rate R --seconds S [--batch-us B] [--workers J] [--vfork]\n"
          "       forkgen idle [--max-seconds S]\n"
          "       forkgen cputime PID...\n");
  return 2;
}
