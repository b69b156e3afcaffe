// Benchmark workload: M fake "containers", N processes in all, as a container runtime lays
// them out on a hybrid cgroup host.
//
// Each container gets
//   - a Docker cgroupfs cgroup /docker/<64 hex> in the v1 pids and name=systemd hierarchies and
//     in cgroup2 (/sys/fs/cgroup/unified on a hybrid host, /sys/fs/cgroup on a pure v2 host),
//   - an init created with clone() in new pid, mnt, net, ipc and uts namespaces (container 0
//     keeps the host PID namespace, like `docker run --pid=host`),
//   - P-1 children of that init that sleep in pause(); every --zombie-every'th container also
//     gets one child that exits at once and is never reaped (the init does not wait).
//
// The processes are forks of this small static binary: a few pages each, plus their page
// tables and kernel stack (about 150 KiB of kernel memory here). --share-memory makes the
// children share their init's memory instead (see shared_child): 100,000 then fit.
//
// Usage: workload --containers M --processes N --state FILE [--zombie-every K]
//                 [--no-hostpid] [--share-memory] [--prefix docker]
// Prints "READY <processes> <containers>" on stdout when every process exists, then waits for
// SIGTERM/SIGINT/SIGHUP and removes everything: kills each container's process
// group, reaps (it is a subreaper), removes the cgroups. The state file lists every cgroup
// directory and process group as it is created, so `bench/run` can clean up even if this
// program is killed with SIGKILL. Every child has PR_SET_PDEATHSIG=SIGKILL as a second guard.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_HIERARCHIES 3

static FILE* state;
static char hier[MAX_HIERARCHIES][256];  // cgroup roots that exist on this host
static int nhier;
static char prefix[64] = "docker";
static int created_parent[MAX_HIERARCHIES];  // we made /<root>/docker: remove it at the end

struct container {
  char id[65];
  pid_t init;
};
static struct container* containers;
static int ncontainers;

static void die(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "workload: ");
  vfprintf(stderr, fmt, ap);
  fprintf(stderr, "\n");
  va_end(ap);
  exit(1);
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int is_dir(const char* path) {
  struct stat st;
  return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static void find_hierarchies(void) {
  // v1 pids and name=systemd (hybrid / legacy) and cgroup2 (unified on hybrid, root on pure v2).
  const char* candidates[] = {"/sys/fs/cgroup/pids", "/sys/fs/cgroup/systemd",
                              "/sys/fs/cgroup/unified"};
  for (int i = 0; i < 3; ++i) {
    char probe[300];
    snprintf(probe, sizeof probe, "%s/cgroup.procs", candidates[i]);
    if (access(probe, W_OK) == 0) snprintf(hier[nhier++], sizeof hier[0], "%s", candidates[i]);
  }
  if (nhier == 0 && access("/sys/fs/cgroup/cgroup.controllers", F_OK) == 0)
    snprintf(hier[nhier++], sizeof hier[0], "%s", "/sys/fs/cgroup");
  if (nhier == 0) die("no writable cgroup hierarchy under /sys/fs/cgroup (run as root)");
}

static void write_file(const char* path, const char* text) {
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) die("open %s: %s", path, strerror(errno));
  ssize_t n = write(fd, text, strlen(text));
  if (n < 0) die("write %s: %s", path, strerror(errno));
  close(fd);
}

static void random_id(char out[65]) {
  unsigned char bytes[32];
  int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
  if (fd < 0 || read(fd, bytes, sizeof bytes) != (ssize_t)sizeof bytes) die("urandom");
  close(fd);
  for (int i = 0; i < 32; ++i) sprintf(out + 2 * i, "%02x", bytes[i]);
  out[64] = 0;
}

static void sleeper(void) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  for (;;) pause();
}

// --share-memory: children made with clone(CLONE_VM | CLONE_FILES | CLONE_FS | CLONE_SIGHAND),
// still processes of their own (own pid, own thread group, own /proc/PID) but without page
// tables, fd table or signal handlers of their own: about 30 KiB of kernel memory each instead
// of about 150 KiB for a fork, so that 100,000 fit in a few GiB. They share the init's memory,
// hence raw syscalls only (errno would be shared too) on a small stack of their own.
static int share_memory;
enum { kSharedStack = 2048 };
static int shared_child(void* zombie) {
  syscall(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  if (zombie) syscall(SYS_exit, 0);  // never reaped: the init does not wait
  for (;;) syscall(SYS_pause);
  return 0;
}

static pid_t spawn_child(int ready_fd, int zombie, char* stack_top) {
  if (share_memory) {
    return clone(shared_child, stack_top,
                 CLONE_VM | CLONE_FILES | CLONE_FS | CLONE_SIGHAND | SIGCHLD,
                 zombie ? (void*)1 : NULL);
  }
  pid_t pid = fork();
  if (pid == 0) {
    close(ready_fd);
    if (zombie) _exit(0);  // never reaped: the init does not wait
    sleeper();
  }
  return pid;
}

// The container's init: makes its process group, forks the rest, reports, then sleeps.
static void container_init(int go_fd, int ready_fd, pid_t parent, int children, int zombies) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  // In a new PID namespace getppid() is 0; otherwise a changed parent means it already exited.
  pid_t ppid = getppid();
  if (ppid != 0 && ppid != parent) _exit(1);
  char byte;
  if (read(go_fd, &byte, 1) != 1) _exit(1);  // cgroups joined by the parent
  close(go_fd);
  setpgid(0, 0);
  sethostname("bench", 5);
  int made = 0;
  char* stacks = NULL;
  if (share_memory && children > 0) {
    stacks = mmap(NULL, (size_t)children * kSharedStack, PROT_READ | PROT_WRITE,
                  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (stacks == MAP_FAILED) children = 0;  // reported as too few processes made
  }
  for (int i = 0; i < children; ++i) {
    char* stack_top = stacks ? stacks + (size_t)(i + 1) * kSharedStack : NULL;
    if (spawn_child(ready_fd, i < zombies, stack_top) < 0) break;
    ++made;
  }
  int report = made;
  if (write(ready_fd, &report, sizeof report) != (ssize_t)sizeof report) _exit(1);
  close(ready_fd);
  for (;;) pause();
}

static void cleanup(void) {
  // Kill every container's process group (init + children), then the inits themselves.
  for (int c = 0; c < ncontainers; ++c) {
    if (containers[c].init <= 0) continue;
    kill(-containers[c].init, SIGKILL);
    kill(containers[c].init, SIGKILL);
  }
  // Reap: as a subreaper we also receive the host-PID container's orphans.
  double deadline = now() + 60;
  for (;;) {
    pid_t pid = waitpid(-1, NULL, WNOHANG);
    if (pid > 0) continue;
    if (pid < 0 && errno == ECHILD) break;
    if (now() > deadline) {
      fprintf(stderr, "workload: children still not reaped after 60 s\n");
      break;
    }
    usleep(2000);
  }
  // Remove the cgroups; a v2 cgroup stays busy until its zombies are reaped, so retry a while.
  for (int c = 0; c < ncontainers; ++c) {
    if (!containers[c].id[0]) continue;
    for (int h = 0; h < nhier; ++h) {
      char path[1024];
      snprintf(path, sizeof path, "%s/%s/%s", hier[h], prefix, containers[c].id);
      double until = now() + 10;
      while (rmdir(path) != 0 && errno != ENOENT && now() < until) usleep(10000);
      if (is_dir(path)) fprintf(stderr, "workload: could not remove %s\n", path);
    }
  }
  for (int h = 0; h < nhier; ++h) {
    if (!created_parent[h]) continue;
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", hier[h], prefix);
    rmdir(path);  // fails harmlessly if someone else (a real dockerd) now uses it
  }
}

int main(int argc, char** argv) {
  int ncont = 0, nproc = 0, zombie_every = 10, hostpid = 1;
  const char* state_path = NULL;
  for (int i = 1; i < argc; ++i) {
    const char* a = argv[i];
    const char* v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!strcmp(a, "--containers") && v)
      ncont = atoi(v), ++i;
    else if (!strcmp(a, "--processes") && v)
      nproc = atoi(v), ++i;
    else if (!strcmp(a, "--zombie-every") && v)
      zombie_every = atoi(v), ++i;
    else if (!strcmp(a, "--state") && v)
      state_path = v, ++i;
    else if (!strcmp(a, "--prefix") && v)
      snprintf(prefix, sizeof prefix, "%s", v), ++i;
    else if (!strcmp(a, "--no-hostpid"))
      hostpid = 0;
    else if (!strcmp(a, "--share-memory"))
      share_memory = 1;
    else
      die("usage: workload --containers M --processes N --state FILE [--zombie-every K] "
          "[--no-hostpid] [--share-memory] [--prefix docker]");
  }
  if (ncont <= 0 || nproc < ncont || !state_path)
    die("need --containers M, --processes N >= M, --state");
  if (geteuid() != 0) die("must run as root");

  state = fopen(state_path, "a");
  if (!state) die("open %s: %s", state_path, strerror(errno));
  setvbuf(state, NULL, _IOLBF, 0);
  fprintf(state, "workload %d\n", getpid());

  // Signals: handled synchronously after READY; blocked from here so no child inherits a handler.
  sigset_t wait_set;
  sigemptyset(&wait_set);
  sigaddset(&wait_set, SIGTERM);
  sigaddset(&wait_set, SIGINT);
  sigaddset(&wait_set, SIGHUP);
  sigprocmask(SIG_BLOCK, &wait_set, NULL);
  if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) die("PR_SET_CHILD_SUBREAPER: %s", strerror(errno));

  find_hierarchies();
  for (int h = 0; h < nhier; ++h) {
    fprintf(state, "hierarchy %s\n", hier[h]);
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", hier[h], prefix);
    if (!is_dir(path)) {
      if (mkdir(path, 0755) != 0 && errno != EEXIST) die("mkdir %s: %s", path, strerror(errno));
      created_parent[h] = 1;
      fprintf(state, "parent %s\n", path);
    }
  }

  containers = calloc((size_t)ncont, sizeof *containers);
  if (!containers) die("out of memory");
  const int ns_flags = CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS;
  int total = 0, zombies_total = 0;
  double started = now();
  for (int c = 0; c < ncont; ++c) {
    struct container* ct = &containers[c];
    random_id(ct->id);
    ncontainers = c + 1;
    // Processes of this container: init + children (zombies included), spread evenly.
    int procs = nproc / ncont + (c < nproc % ncont ? 1 : 0);
    int zombies = (zombie_every > 0 && c % zombie_every == zombie_every - 1 && procs > 1) ? 1 : 0;
    for (int h = 0; h < nhier; ++h) {
      char path[1024];
      snprintf(path, sizeof path, "%s/%s/%s", hier[h], prefix, ct->id);
      fprintf(state, "cgroup %s\n", path);  // before mkdir: the cleanup must know it
      if (mkdir(path, 0755) != 0) {
        cleanup();
        die("mkdir %s: %s", path, strerror(errno));
      }
    }
    int go[2], ready[2];
    if (pipe2(go, O_CLOEXEC) != 0 || pipe2(ready, O_CLOEXEC) != 0) die("pipe: %s", strerror(errno));
    const int flags = ns_flags | (hostpid && c == 0 ? 0 : CLONE_NEWPID);
    const pid_t parent = getpid();
    // Raw clone without a new stack behaves like fork() with namespace flags.
    pid_t pid = (pid_t)syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, 0);
    if (pid < 0) {
      cleanup();
      die("clone (container %d): %s", c, strerror(errno));
    }
    if (pid == 0) {
      sigprocmask(SIG_UNBLOCK, &wait_set, NULL);
      close(go[1]);
      close(ready[0]);
      if (state) fclose(state), state = NULL;
      container_init(go[0], ready[1], parent, procs - 1, zombies);
      _exit(0);
    }
    ct->init = pid;
    fprintf(state, "pgid %d\n", pid);
    close(go[0]);
    close(ready[1]);
    for (int h = 0; h < nhier; ++h) {
      char path[1024], text[32];
      snprintf(path, sizeof path, "%s/%s/%s/cgroup.procs", hier[h], prefix, ct->id);
      snprintf(text, sizeof text, "%d\n", pid);
      write_file(path, text);
    }
    if (write(go[1], "g", 1) != 1) die("go pipe");
    close(go[1]);
    struct pollfd p = {.fd = ready[0], .events = POLLIN};
    int made = -1;
    if (poll(&p, 1, 60000) != 1 || read(ready[0], &made, sizeof made) != (ssize_t)sizeof made) {
      cleanup();
      die("container %d did not report in 60 s", c);
    }
    close(ready[0]);
    if (made != procs - 1) {
      cleanup();
      die("container %d: forked %d of %d processes (raise kernel.pid_max / threads-max?)", c, made,
          procs - 1);
    }
    total += procs;
    zombies_total += zombies;
  }
  printf("READY %d %d %d %.2f\n", total, ncont, zombies_total, now() - started);
  fflush(stdout);

  // Wait for a stop signal, reaping nothing but what exits on its own meanwhile.
  for (;;) {
    struct timespec tick = {0, 200 * 1000 * 1000};
    siginfo_t info;
    if (sigtimedwait(&wait_set, &info, &tick) > 0) break;
  }
  cleanup();
  fprintf(state, "clean\n");
  return 0;
}
