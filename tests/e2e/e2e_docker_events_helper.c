/* Workloads with an exact ground truth for e2e_docker_events.sh, run inside a container
 * (compiled static by the test, bind-mounted in). Every count below is what the kernel's process
 * events connector reports for one run, for processes (not threads):
 *
 *   helper true                 nothing: exits 0
 *   helper storm N              N children one after the other, each execs `helper true` and
 *                               exits 0; the parent waits for each:
 *                               N forks, N execs, N exits with status 0
 *   helper orphans K HOLD_MS    K children, then the parent exits 0 at once; each child waits
 *                               until it has been re-parented (its parent is gone: it is an
 *                               orphan when its parent exits; told by PR_SET_PDEATHSIG, without
 *                               polling), then HOLD_MS more, and exits 0:
 *                               K forks, no exec, K + 1 exits with status 0, K orphans
 *
 * Bounded: a child waits at most 10 s for its re-parenting. Fails (exit 2) when a fork fails. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void sleep_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

static int storm(const char* self, long n) {
  for (long i = 0; i < n; ++i) {
    pid_t pid = fork();
    if (pid < 0) {
      perror("fork");
      return 2;
    }
    if (pid == 0) {
      execl(self, self, "true", (char*)NULL);
      _exit(127);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      fprintf(stderr, "child %ld: status %#x\n", i, status);
      return 2;
    }
  }
  return 0;
}

static int orphans(long k, long hold_ms) {
  pid_t parent = getpid();
  sigset_t usr1;
  sigemptyset(&usr1);
  sigaddset(&usr1, SIGUSR1);
  sigprocmask(SIG_BLOCK, &usr1, NULL); /* inherited: the children take it with sigtimedwait */
  for (long i = 0; i < k; ++i) {
    pid_t pid = fork();
    if (pid < 0) {
      perror("fork");
      return 2;
    }
    if (pid == 0) {
      prctl(PR_SET_PDEATHSIG, SIGUSR1);
      struct timespec limit = {10, 0};
      if (getppid() == parent) { /* else it is gone already */
        while (sigtimedwait(&usr1, NULL, &limit) < 0 && errno == EINTR) {
        }
      }
      if (hold_ms > 0) sleep_ms(hold_ms);
      _exit(0);
    }
  }
  return 0;
}

int main(int argc, char** argv) {
  if (argc >= 2 && strcmp(argv[1], "true") == 0) return 0;
  if (argc == 3 && strcmp(argv[1], "storm") == 0) return storm(argv[0], atol(argv[2]));
  if (argc == 4 && strcmp(argv[1], "orphans") == 0) {
    return orphans(atol(argv[2]), atol(argv[3]));
  }
  fprintf(stderr, "usage: %s true | storm N | orphans K HOLD_MS\n", argv[0]);
  return 2;
}
