// Floors for the cproc_exporter benchmark: the least work a /proc scan that attributes every
// process to a container can do, measured with the same workload as the exporter.
//
//   floor naive  -k K      every scan: list /proc; per process open+read+close stat and cgroup
//                          and readlink the eight ns/* links (cgroup ipc mnt net pid time user
//                          uts, the kinds cproc_exporter reads).
//   floor smart  -k K      stat stays open and is re-read with pread; cgroup and ns links are
//                          read only for a (pid, starttime) not seen before (cached forever).
//   -e 1 / -f 1            variants that mimic cproc_exporter's reads: a second pread per
//                          file to see EOF (PreadWhole), and fstatat() of the ns links.
//   floor smart -r N -k K  as smart, but a cached process's cgroup and ns links are re-read
//                          every N scans, staggered by pid, so a process that moves cgroup or
//                          calls setns() is noticed.
//   floor smart -r N -t 1  re-read in cproc_exporter's tiers (--scan.revalidate-every N):
//                          cgroup + ns/mnt every N scans, every ns but pid every 4N.
//   floor smart -d D       keep at most D stat descriptors open (default RLIMIT_NOFILE - 256);
//                          -d 0 opens, reads and closes stat every scan like the naive floor.
//                          Each kept descriptor pins about 6 KiB of kernel memory (its seq_file
//                          page, file, dentries and proc inodes): -d fits a memory budget.
//   -p 1                   namespaces through a pidfd (PIDFD_GET_*_NAMESPACE, Linux 6.11), as
//                          cproc_exporter reads them where the kernel has it, not the ns links.
//
// Nothing is aggregated or rendered: only the reading. One unmeasured warm-up scan, then K
// measured scans with -s MS milliseconds of sleep between them (like a scan interval, so caches
// are not kept artificially hot). Prints one line of key=value pairs:
//   mode revalidate scans processes cpu_ms user_ms sys_ms wall_ms reads_per_scan vmhwm_kb
// where cpu_ms, user_ms, sys_ms and wall_ms are per scan.
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static const char* const kNs[] = {"cgroup", "ipc", "mnt", "net", "pid", "time", "user", "uts"};
#define NNS 8

struct entry {
  int fd;          // kept /proc/PID/stat, -1 if none
  uint64_t start;  // starttime of the cached process
  uint64_t seen;   // scan that last listed it
  uint64_t cgroup_hash;
  uint64_t ns[NNS];
  int known;
};

static struct entry* table;  // indexed by pid
static size_t table_size;
static int proc_fd;
static char buf[1 << 16];
static uint64_t reads;  // cgroup+ns reads (cache misses and revalidations)
static uint64_t sink;   // keeps the compiler from dropping the parsing
static size_t kept, kept_budget;
static int eof_probe;    // -e: pread again until it returns 0, as a read-until-EOF loop does
static int use_fstatat;  // -f: fstatat() the ns links (dev+inode) instead of readlinkat()
static int tiered;       // -t: with -r N, re-read in cproc_exporter's tiers (see the top)
static int use_pidfd;    // -p: namespaces through a pidfd's ioctls instead of the ns links

static double mono(clockid_t clock) {
  struct timespec ts;
  clock_gettime(clock, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int list_pids(int** pids, size_t* cap) {
  static char dents[1 << 16];
  size_t n = 0;
  lseek(proc_fd, 0, SEEK_SET);
  for (;;) {
    long got = syscall(SYS_getdents64, proc_fd, dents, sizeof dents);
    if (got <= 0) break;
    for (long off = 0; off < got;) {
      unsigned short reclen;
      memcpy(&reclen, dents + off + 16, sizeof reclen);
      const char* name = dents + off + 19;
      if (name[0] >= '1' && name[0] <= '9') {
        if (n == *cap) {
          *cap = *cap ? *cap * 2 : 4096;
          *pids = realloc(*pids, *cap * sizeof **pids);
          if (!*pids) exit(2);
        }
        (*pids)[n++] = atoi(name);
      }
      off += reclen;
    }
  }
  return (int)n;
}

static ssize_t read_at(const char* path) {
  int fd = openat(proc_fd, path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  if (n > 0 && eof_probe) {
    char extra[64];
    sink += (uint64_t)pread(fd, extra, sizeof extra, n);
  }
  close(fd);
  if (n >= 0) buf[n] = 0;
  return n;
}

// state and starttime (field 22) after the last ')' of the comm.
static int parse_stat(ssize_t n, char* state, uint64_t* start) {
  if (n <= 0) return 0;
  buf[n] = 0;
  char* p = strrchr(buf, ')');
  if (!p || p[1] != ' ') return 0;
  *state = p[2];
  p += 2;
  for (int field = 3; field < 22; ++field) {
    p = strchr(p, ' ');
    if (!p) return 0;
    ++p;
  }
  *start = strtoull(p, NULL, 10);
  return 1;
}

static uint64_t fnv(const char* s, ssize_t n) {
  uint64_t h = 1469598103934665603ULL;
  for (ssize_t i = 0; i < n; ++i) h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
  return h;
}

// What to read again: every kind (a new process), or one of cproc_exporter's tiers.
enum reread { kAll, kCgroupMnt, kAllButPid };

static void read_cgroup_ns(int pid, struct entry* e, enum reread level) {
  char path[64];
  snprintf(path, sizeof path, "%d/cgroup", pid);
  ssize_t n = read_at(path);
  e->cgroup_hash = n > 0 ? fnv(buf, n) : 0;
  const int pidfd = use_pidfd ? (int)syscall(SYS_pidfd_open, pid, 0) : -1;
  for (int k = 0; k < NNS; ++k) {
    if (level == kCgroupMnt && strcmp(kNs[k], "mnt") != 0) continue;
    if (level == kAllButPid && strcmp(kNs[k], "pid") == 0) continue;
    char link[64];
    snprintf(path, sizeof path, "%d/ns/%s", pid, kNs[k]);
    e->ns[k] = 0;
    if (pidfd >= 0) {
      // _IO(0xFF, nr): PIDFD_GET_{CGROUP,IPC,MNT,NET,PID,TIME,USER,UTS}_NAMESPACE.
      static const unsigned kNr[NNS] = {1, 2, 3, 4, 5, 7, 9, 10};
      int ns = ioctl(pidfd, (0xFFUL << 8) | kNr[k], 0UL);
      struct stat st;
      if (ns >= 0 && fstat(ns, &st) == 0) e->ns[k] = (uint64_t)st.st_ino;
      if (ns >= 0) close(ns);
      continue;
    }
    if (use_fstatat) {
      struct stat st;
      if (fstatat(proc_fd, path, &st, 0) == 0) e->ns[k] = (uint64_t)st.st_ino;
      continue;
    }
    ssize_t l = readlinkat(proc_fd, path, link, sizeof link - 1);
    if (l > 0) {
      link[l] = 0;
      char* b = strchr(link, '[');
      if (b) e->ns[k] = strtoull(b + 1, NULL, 10);
    }
  }
  if (pidfd >= 0) close(pidfd);
  ++reads;
}

static void naive_scan(int* pids, int n) {
  char path[64];
  for (int i = 0; i < n; ++i) {
    snprintf(path, sizeof path, "%d/stat", pids[i]);
    char state;
    uint64_t start;
    if (!parse_stat(read_at(path), &state, &start)) continue;
    struct entry e;
    read_cgroup_ns(pids[i], &e, kAll);
    sink += start + e.cgroup_hash + e.ns[4] + (uint64_t)state;
  }
}

static void smart_scan(int* pids, int n, uint64_t scan, int revalidate) {
  char path[64];
  for (int i = 0; i < n; ++i) {
    int pid = pids[i];
    if ((size_t)pid >= table_size) {
      size_t size = table_size ? table_size : 65536;
      while (size <= (size_t)pid) size *= 2;
      table = realloc(table, size * sizeof *table);
      if (!table) exit(2);
      for (size_t j = table_size; j < size; ++j) table[j] = (struct entry){.fd = -1};
      table_size = size;
    }
    struct entry* e = &table[pid];
    ssize_t got = -1;
    if (e->fd >= 0) {
      got = pread(e->fd, buf, sizeof buf - 1, 0);
      if (got > 0 && eof_probe) {
        char extra[64];
        sink += (uint64_t)pread(e->fd, extra, sizeof extra, got);
      }
      if (got <= 0) {  // ESRCH: that process is gone; the pid may be a new one
        close(e->fd);
        --kept;
        *e = (struct entry){.fd = -1};
      }
    }
    if (got <= 0) {
      snprintf(path, sizeof path, "%d/stat", pid);
      int fd = openat(proc_fd, path, O_RDONLY | O_CLOEXEC);
      if (fd < 0) continue;
      got = pread(fd, buf, sizeof buf - 1, 0);
      if (got <= 0) {
        close(fd);
        continue;
      }
      if (kept < kept_budget) {  // like the exporter: keep within RLIMIT_NOFILE, less a reserve
        e->fd = fd;
        ++kept;
      } else {
        close(fd);
      }
    }
    char state;
    uint64_t start;
    if (!parse_stat(got, &state, &start)) continue;
    const uint64_t phase = scan + (uint64_t)pid;
    if (!e->known || e->start != start) {
      read_cgroup_ns(pid, e, kAll);
      e->start = start;
      e->known = 1;
    } else if (revalidate > 0 && tiered && phase % (4 * (uint64_t)revalidate) == 0) {
      read_cgroup_ns(pid, e, kAllButPid);
    } else if (revalidate > 0 && phase % (uint64_t)revalidate == 0) {
      read_cgroup_ns(pid, e, tiered ? kCgroupMnt : kAll);
    }
    e->seen = scan;
    sink += (uint64_t)state + e->ns[4];
  }
  // Forget processes that were not listed: close their descriptors.
  for (size_t p = 0; p < table_size; ++p) {
    if (table[p].fd >= 0 && table[p].seen != scan) {
      close(table[p].fd);
      --kept;
      table[p] = (struct entry){.fd = -1};
    }
  }
}

static long vmhwm_kb(void) {
  FILE* f = fopen("/proc/self/status", "r");
  char line[256];
  long kb = -1;
  while (f && fgets(line, sizeof line, f)) {
    if (!strncmp(line, "VmHWM:", 6)) kb = atol(line + 6);
  }
  if (f) fclose(f);
  return kb;
}

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr,
            "usage: floor naive|smart [-k scans] [-s sleep_ms] [-r revalidate_every] "
            "[-e 1] [-f 1] [-t 1] [-d kept_fds] [-p 1]\n");
    return 2;
  }
  const int smart = strcmp(argv[1], "smart") == 0;
  if (!smart && strcmp(argv[1], "naive") != 0) return 2;
  int k = 10, sleep_ms = 0, revalidate = 0;
  long kept_cap = -1;
  for (int i = 2; i + 1 < argc; i += 2) {
    if (!strcmp(argv[i], "-k"))
      k = atoi(argv[i + 1]);
    else if (!strcmp(argv[i], "-s"))
      sleep_ms = atoi(argv[i + 1]);
    else if (!strcmp(argv[i], "-r"))
      revalidate = atoi(argv[i + 1]);
    else if (!strcmp(argv[i], "-e"))
      eof_probe = atoi(argv[i + 1]);
    else if (!strcmp(argv[i], "-f"))
      use_fstatat = atoi(argv[i + 1]);
    else if (!strcmp(argv[i], "-t"))
      tiered = atoi(argv[i + 1]);
    else if (!strcmp(argv[i], "-d"))
      kept_cap = atol(argv[i + 1]);
    else if (!strcmp(argv[i], "-p"))
      use_pidfd = atoi(argv[i + 1]);
    else
      return 2;
  }
  struct rlimit lim;
  if (getrlimit(RLIMIT_NOFILE, &lim) == 0) {
    lim.rlim_cur = lim.rlim_max;
    setrlimit(RLIMIT_NOFILE, &lim);
  }
  kept_budget = getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur != RLIM_INFINITY
                    ? (lim.rlim_cur > 256 ? (size_t)lim.rlim_cur - 256 : 0)
                    : (size_t)1 << 20;
  if (kept_cap >= 0 && (size_t)kept_cap < kept_budget) kept_budget = (size_t)kept_cap;
  proc_fd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (proc_fd < 0) return 1;
  int* pids = NULL;
  size_t cap = 0;
  // Warm-up scan, not measured: opens the kept descriptors and fills the cache.
  int n = list_pids(&pids, &cap);
  if (smart)
    smart_scan(pids, n, 1, revalidate);
  else
    naive_scan(pids, n);

  double cpu = 0, wall = 0, user = 0, sys = 0;
  uint64_t procs = 0;
  reads = 0;
  for (int s = 0; s < k; ++s) {
    if (sleep_ms > 0) usleep((useconds_t)sleep_ms * 1000);
    struct rusage r0, r1;
    getrusage(RUSAGE_SELF, &r0);
    const double c0 = mono(CLOCK_PROCESS_CPUTIME_ID), w0 = mono(CLOCK_MONOTONIC);
    n = list_pids(&pids, &cap);
    if (smart)
      smart_scan(pids, n, (uint64_t)s + 2, revalidate);
    else
      naive_scan(pids, n);
    cpu += mono(CLOCK_PROCESS_CPUTIME_ID) - c0;
    wall += mono(CLOCK_MONOTONIC) - w0;
    getrusage(RUSAGE_SELF, &r1);
    user += (double)(r1.ru_utime.tv_sec - r0.ru_utime.tv_sec) * 1e3 +
            (double)(r1.ru_utime.tv_usec - r0.ru_utime.tv_usec) / 1e3;
    sys += (double)(r1.ru_stime.tv_sec - r0.ru_stime.tv_sec) * 1e3 +
           (double)(r1.ru_stime.tv_usec - r0.ru_stime.tv_usec) / 1e3;
    procs += (uint64_t)n;
  }
  printf(
      "mode=%s revalidate=%d tiered=%d eof_probe=%d fstatat=%d pidfd=%d kept_cap=%ld scans=%d "
      "processes=%.0f cpu_ms=%.3f "
      "user_ms=%.3f sys_ms=%.3f "
      "wall_ms=%.3f reads_per_scan=%.0f kept_fds=%zu vmhwm_kb=%ld sink=%llu\n",
      argv[1], revalidate, tiered, eof_probe, use_fstatat, use_pidfd, kept_cap, k,
      (double)procs / k, cpu / k, user / k, sys / k, wall / k,
      smart ? (double)reads / k : (double)procs / k, kept, vmhwm_kb(),
      (unsigned long long)(sink & 0xff));
  return 0;
}
