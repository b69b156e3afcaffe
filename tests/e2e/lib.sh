# shellcheck shell=bash
# Shared helpers for the end-to-end tests: logging, processes and containers this test started,
# the exporter, samples, expectations, Prometheus. Each test script sources this file and calls
#   e2e_init "$@"          (first argument: path of the cproc_exporter binary; the optional
#                           second one: the strict exposition check, cproc_check_exposition)
# Exit codes: 0 pass, 1 fail, 77 skip (ctest SKIP_RETURN_CODE) with the reason printed.
#
# Everything a test creates is tracked here and removed by an EXIT trap: only the containers
# it started (names prefixed with $E2E_PREFIX) and only the PIDs it started.

set -euo pipefail

E2E_IMAGE=cproc-test/busybox:latest
E2E_PREFIX="cproc-e2e-$$-"
E2E_CONTAINERS=()  # full ids of containers this test created
E2E_PIDS=()        # PIDs of processes this test started
E2E_TMP=""
EXPORTER_BIN=""
CHECK_EXPOSITION=""  # tests/support/check_exposition_main.cpp, for scrape_rounds
SCRAPE_ROUND=0       # set by scrape_rounds
EXPORTER_PID=""
EXPORTER_PORT=""
EXPORTER_URL=""
EXPORTER_LOG=""
DOCKER=docker
[[ -x /usr/bin/docker ]] && DOCKER=/usr/bin/docker  # the Debian client matches the daemon

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*"; }
skip() { log "SKIPPED: $*"; exit 77; }
# A part of the test that cannot run here, while the rest goes on (scripts/test lists it).
skip_part() { log "SKIPPED PART: $*"; }
fail() { log "FAIL: $*"; exit 1; }

# ---------------------------------------------------------------------------------------------
# setup and cleanup

e2e_init() {
  EXPORTER_BIN=${1:-}
  [[ -n $EXPORTER_BIN ]] || fail "usage: $0 PATH_TO_cproc_exporter"
  [[ -x $EXPORTER_BIN ]] || fail "exporter binary '$EXPORTER_BIN' is missing or not executable"
  CHECK_EXPOSITION=${2:-}
  E2E_TMP=$(mktemp -d /tmp/cproc-e2e.XXXXXX)
  trap e2e_cleanup EXIT
  # Turn SIGINT/SIGTERM (ctest timeout) into a normal exit so the EXIT trap runs.
  trap 'exit 130' INT
  trap 'exit 143' TERM
}

require_root() {
  [[ $(id -u) -eq 0 ]] || skip "needs root (reads every /proc/PID and runs docker)"
}

require_docker() {
  require_root
  command -v "$DOCKER" >/dev/null 2>&1 || skip "no docker client installed"
  timeout 20 "$DOCKER" info >/dev/null 2>&1 ||
    skip "docker daemon not reachable ('$DOCKER info' failed; scripts/test starts one)"
}

require_file() { # require_file PATH WHY
  [[ -x $1 ]] || fail "$1 not found ($2); run scripts/install-deps"
}

e2e_cleanup() {
  local rc=$?
  set +e
  if ((rc != 0 && rc != 77)) && [[ -n $EXPORTER_LOG && -s $EXPORTER_LOG ]]; then
    log "exporter log (last 40 lines of $EXPORTER_LOG):"
    tail -n 40 "$EXPORTER_LOG"
  fi
  if ((${#E2E_CONTAINERS[@]})); then
    timeout 60 "$DOCKER" rm -f -v "${E2E_CONTAINERS[@]}" >/dev/null 2>&1 ||
      log "warning: could not remove containers ${E2E_CONTAINERS[*]}"
  fi
  local pid
  for pid in "${E2E_PIDS[@]}"; do stop_pid "$pid"; done
  [[ -n $E2E_TMP ]] && rm -rf "$E2E_TMP"
  exit "$rc"
}

# stop_pid PID: SIGTERM, wait up to 10 s, then SIGKILL. Only ever called on our own children.
# STOPPED_STATUS: its exit status when this call waited for it ("" when it was already gone).
STOPPED_STATUS=""
stop_pid() {
  local pid=$1 i
  STOPPED_STATUS=""
  [[ $pid =~ ^[1-9][0-9]*$ ]] || return 0  # never 0 or -N: those name process groups
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null
  for ((i = 0; i < 100; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -0 "$pid" 2>/dev/null && { log "pid $pid ignored SIGTERM for 10 s; SIGKILL"; kill -KILL "$pid"; }
  STOPPED_STATUS=0
  wait "$pid" 2>/dev/null || STOPPED_STATUS=$?
  return 0
}

# wait_until TIMEOUT_SECONDS DESCRIPTION COMMAND...: poll COMMAND every 0.5 s until it succeeds.
wait_until() {
  local timeout=$1 what=$2
  shift 2
  local deadline=$((SECONDS + timeout))
  while ! "$@"; do
    if ((SECONDS >= deadline)); then
      log "timed out after ${timeout}s waiting for: $what"
      return 1
    fi
    sleep 0.5
  done
}

# free_port: print a TCP port nobody listens on. Racy by nature; callers retry on bind failure.
free_port() {
  local port i
  for ((i = 0; i < 100; i++)); do
    port=$((20000 + RANDOM % 30000))
    if [[ -z $(ss -Htan "( sport = :$port )" 2>/dev/null) ]]; then
      echo "$port"
      return 0
    fi
  done
  fail "could not find a free TCP port"
}

# ---------------------------------------------------------------------------------------------
# docker

# ensure_test_image: import cproc-test/busybox:latest from the host's busybox-static (no
# registry is reachable). Only if it is not there yet.
ensure_test_image() {
  "$DOCKER" image inspect "$E2E_IMAGE" >/dev/null 2>&1 && return 0
  local busybox=/bin/busybox rootfs="$E2E_TMP/rootfs" applet
  [[ -x $busybox ]] || fail "$busybox not found (package busybox-static); run scripts/install-deps"
  if ldd "$busybox" >/dev/null 2>&1; then
    fail "$busybox is dynamically linked; install busybox-static"
  fi
  log "importing $E2E_IMAGE from $busybox"
  mkdir -p "$rootfs"/{bin,dev,etc,proc,sys,tmp}
  cp "$busybox" "$rootfs/bin/busybox"
  for applet in sh ash sleep cat echo ps kill true false ls pstree top wait env id \
    head tail grep sed awk; do
    ln -s busybox "$rootfs/bin/$applet"
  done
  tar -C "$rootfs" -c . | "$DOCKER" import -c 'ENV PATH=/bin' - "$E2E_IMAGE" >/dev/null ||
    fail "docker import of $E2E_IMAGE failed"
}

# run_container NAME_SUFFIX [docker run options...] -- COMMAND...
# Starts a detached container named $E2E_PREFIX$NAME_SUFFIX and sets CONTAINER_ID to its full
# id. (Not meant for $(...): the id must be recorded in this shell for the cleanup trap.)
# --rm bounds the damage if we are SIGKILLed before cleanup: the longest-lived test command
# is `sleep 1000`, after which docker removes the container itself.
CONTAINER_ID=""
run_container() {
  local name="$E2E_PREFIX$1" opts=()
  shift
  while (($#)) && [[ $1 != -- ]]; do opts+=("$1"); shift; done
  [[ ${1:-} == -- ]] && shift
  # --network none: no bridge/iptables needed, and nothing here needs a network.
  CONTAINER_ID=$("$DOCKER" run -d --rm --pull never --network none --label cproc-e2e=1 \
    --name "$name" "${opts[@]}" "$E2E_IMAGE" "$@") || fail "docker run $name failed"
  E2E_CONTAINERS+=("$CONTAINER_ID")
  log "started container $name = ${CONTAINER_ID:0:12} ($*)"
}

# container_host_pid ID: the host PID of the container's PID 1.
container_host_pid() { "$DOCKER" inspect -f '{{.State.Pid}}' "$1"; }

# ---------------------------------------------------------------------------------------------
# the exporter

# start_exporter [extra flags...]: start it on 127.0.0.1:<free port>, wait until it serves.
# Sets EXPORTER_PID, EXPORTER_PORT, EXPORTER_URL, EXPORTER_LOG. Retries on a port race.
# EXPORTER_PREFIX: a command that execs the exporter with fewer privileges (same PID), e.g.
#   EXPORTER_PREFIX=(capsh --drop=cap_sys_ptrace -- -c 'exec "$0" "$@"')
#   EXPORTER_PREFIX=(setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all --)
EXPORTER_PREFIX=()
start_exporter() {
  local attempt
  for attempt in 1 2 3; do
    EXPORTER_PORT=$(free_port)
    EXPORTER_URL="http://127.0.0.1:$EXPORTER_PORT"
    EXPORTER_LOG="$E2E_TMP/exporter.$attempt.log"
    log "starting $EXPORTER_BIN on $EXPORTER_URL"
    "${EXPORTER_PREFIX[@]}" "$EXPORTER_BIN" --web.listen-address="127.0.0.1:$EXPORTER_PORT" \
      --scan.interval=1s --log.level=debug "$@" >"$EXPORTER_LOG" 2>&1 &
    EXPORTER_PID=$!
    E2E_PIDS+=("$EXPORTER_PID")
    if wait_until 30 "exporter serving /-/healthy and /metrics" exporter_ready; then
      log "exporter ready (pid $EXPORTER_PID)"
      return 0
    fi
    if kill -0 "$EXPORTER_PID" 2>/dev/null; then
      fail "exporter (pid $EXPORTER_PID) runs but does not serve $EXPORTER_URL/metrics"
    fi
    # It exited: a port race is worth a retry, anything else is a failure.
    if ! grep -qiE 'address already in use|EADDRINUSE|bind' "$EXPORTER_LOG"; then
      log "exporter exited early; its output:"
      cat "$EXPORTER_LOG"
      fail "exporter did not start"
    fi
    log "port $EXPORTER_PORT was taken; retrying"
  done
  fail "exporter could not bind a port in 3 attempts"
}

exporter_ready() {
  kill -0 "$EXPORTER_PID" 2>/dev/null || return 1
  curl -fsS --max-time 2 -o /dev/null "$EXPORTER_URL/-/healthy" 2>/dev/null || return 1
  [[ $(curl -s --max-time 5 -o /dev/null -w '%{http_code}' "$EXPORTER_URL/metrics") == 200 ]]
}

# fetch_metrics FILE: save the current /metrics body into FILE.
fetch_metrics() {
  kill -0 "$EXPORTER_PID" 2>/dev/null || fail "exporter (pid $EXPORTER_PID) is no longer running"
  curl -fsS --max-time 10 -o "$1" "$EXPORTER_URL/metrics" || fail "GET $EXPORTER_URL/metrics failed"
}

# ---------------------------------------------------------------------------------------------
# reading the text exposition format
#
# A matcher is 'label="value"' and must equal one whole label pair of the series. Values in
# these tests never contain ',' or '}', which keeps the awk simple.

# _samples FILE NAME [MATCHER...]: print the value of every matching sample, one per line.
_samples() {
  local file=$1 name=$2
  shift 2
  awk -v name="$name" -v matchers="$*" '
    /^#/ || NF == 0 { next }
    {
      brace = index($0, "{")
      if (brace) {
        metric = substr($0, 1, brace - 1)
        close_brace = brace + index(substr($0, brace), "}") - 1
        labels = "," substr($0, brace + 1, close_brace - brace - 1) ","
        rest = substr($0, close_brace + 1)
      } else {
        metric = $1; labels = ","; rest = substr($0, length($1) + 1)
      }
      if (metric != name) next
      n = split(matchers, m, " ")
      for (i = 1; i <= n; i++) if (index(labels, "," m[i] ",") == 0) next
      split(rest, v, " ")
      print v[1]
    }' "$file"
}

# sample_count FILE NAME [MATCHER...]: number of matching series.
sample_count() { _samples "$@" | wc -l; }

# sample_sum FILE NAME [MATCHER...]: sum of matching values, printed as an integer when whole;
# prints "absent" when nothing matches.
sample_sum() {
  _samples "$@" | awk 'BEGIN { s = 0; n = 0 } { s += $1; n++ }
    END { if (n == 0) print "absent"; else if (s == int(s)) printf "%d\n", s; else print s }'
}

# series_for FILE NEEDLE: matching lines, for failure messages.
series_for() { grep -F -- "$2" "$1" || echo "(no series containing $2)"; }

# ---------------------------------------------------------------------------------------------
# the host's view in /proc (the ground truth the exporter is compared with)

E2E_STATES=(running sleeping disk_sleep stopped zombie idle other)

# state_name LETTER: the exporter's state label for a /proc/PID/stat state letter.
state_name() {
  case $1 in
    R) echo running ;; S) echo sleeping ;; D) echo disk_sleep ;; T | t) echo stopped ;;
    Z) echo zombie ;; I) echo idle ;; *) echo other ;;
  esac
}

# container_pids ID: host PIDs (thread-group leaders) whose /proc/PID/cgroup mentions ID on
# any line. The 0:: line matters: on hybrid hosts a zombie keeps only that one.
container_pids() {
  grep -l -F -- "$1" /proc/[0-9]*/cgroup 2>/dev/null | awk -F/ '{ print $3 }' | sort -n || true
}

# host_counts ID: print "state=N ..." for every state plus total= and threads= (the sum of
# num_threads) for the container's processes, as read from /proc right now. Processes that
# vanish while we read are skipped.
host_counts() {
  local -A n=()
  local pid stat rest fields state total=0 threads=0
  for state in "${E2E_STATES[@]}"; do n[$state]=0; done
  for pid in $(container_pids "$1"); do
    stat=$(cat "/proc/$pid/stat" 2>/dev/null) || continue
    rest=${stat##*) } # comm may contain ') ': the state is the field after the LAST ')'
    read -r -a fields <<<"$rest"
    state=$(state_name "${fields[0]}")
    n[$state]=$((n[$state] + 1))
    total=$((total + 1))
    threads=$((threads + fields[17])) # field 20 of stat: num_threads
  done
  for state in "${E2E_STATES[@]}"; do printf '%s=%s ' "$state" "${n[$state]}"; done
  printf 'total=%s threads=%s\n' "$total" "$threads"
}

# dump_container_procs ID: pid, state, comm and cgroup membership of the container's processes.
dump_container_procs() {
  local pid stat lines mine
  for pid in $(container_pids "$1"); do
    stat=$(cat "/proc/$pid/stat" 2>/dev/null) || continue
    lines=$(wc -l <"/proc/$pid/cgroup" 2>/dev/null)
    mine=$(grep -c -F -- "$1" "/proc/$pid/cgroup" 2>/dev/null)
    printf '  pid %-7s state %s comm %-16s id on %s of %s cgroup lines; %s\n' "$pid" \
      "$(awk '{ print $1 }' <<<"${stat##*) }")" "$(cat "/proc/$pid/comm" 2>/dev/null)" \
      "$mine" "$lines" "$(grep '^0::' "/proc/$pid/cgroup" 2>/dev/null)"
  done
}

# ---------------------------------------------------------------------------------------------
# more docker helpers

# run_container_net NAME_SUFFIX [docker run options...] -- COMMAND...
# Like run_container, but without --network none: for tests that choose the network themselves
# (--net=host, --net=container:X; docker refuses those together with --network none).
run_container_net() {
  local name="$E2E_PREFIX$1" opts=()
  shift
  while (($#)) && [[ $1 != -- ]]; do opts+=("$1"); shift; done
  [[ ${1:-} == -- ]] && shift
  CONTAINER_ID=$("$DOCKER" run -d --rm --pull never --label cproc-e2e=1 \
    --name "$name" "${opts[@]}" "$E2E_IMAGE" "$@") || fail "docker run $name failed"
  E2E_CONTAINERS+=("$CONTAINER_ID")
  log "started container $name = ${CONTAINER_ID:0:12} (${opts[*]} $*)"
}

# cid ID: the matcher selecting a Docker container's series.
cid() { printf 'container_id="docker://%s"' "$1"; }

# short_name ID: the container's Docker name without the leading '/', for messages.
short_name() { local n; n=$("$DOCKER" inspect -f '{{.Name}}' "$1" 2>/dev/null) && echo "${n#/}" || echo "${1:0:12}"; }

# container_cgroup_file ID FILE: print the path of FILE (e.g. pids.max) in the container's
# pids cgroup (v1: /sys/fs/cgroup/pids/...; v2: the unified hierarchy); nothing if not found.
container_cgroup_file() {
  local id=$1 file=$2 dir
  for dir in /sys/fs/cgroup/pids /sys/fs/cgroup; do
    [[ -d $dir ]] || continue
    find "$dir" -maxdepth 4 -type f -name "$file" -path "*$id*" 2>/dev/null | head -n 1 | grep . && return 0
  done
  return 0
}

# ns_inode PID KIND: the namespace link of PID (e.g. "net:[4026531833]"), or "?" if unreadable.
ns_inode() { readlink "/proc/$1/ns/$2" 2>/dev/null || echo "?"; }

# host_ns KIND: the host's namespace of that kind. kthreadd (PID 2) lives in the initial
# namespaces; /proc/1/ns/* may be unreadable even for root (docs/ARCHITECTURE.md "Kernel facts").
host_ns() { ns_inode 2 "$1"; }

# ---------------------------------------------------------------------------------------------
# expectations: collect every mismatch of one check round, print them all with expected vs seen

E2E_PROBLEMS=()

# expect_sample FILE WANT NAME [MATCHER...]: the sum of the matching samples must be WANT
# ("absent" = no such series). Records a problem and returns 1 otherwise.
expect_sample() {
  local file=$1 want=$2 name=$3 got
  shift 3
  got=$(sample_sum "$file" "$name" "$@")
  [[ $got == "$want" ]] && return 0
  E2E_PROBLEMS+=("$name{$(IFS=,; echo "$*")}: expected $want, seen $got")
  return 1
}

# expect_sample_cmp FILE OP WANT NAME [MATCHER...]: like expect_sample with a numeric
# comparison (OP is one of < <= == >= > !=); "absent" always fails.
expect_sample_cmp() {
  local file=$1 op=$2 want=$3 name=$4 got
  shift 4
  got=$(sample_sum "$file" "$name" "$@")
  if [[ $got != absent ]] && awk -v g="$got" -v w="$want" -v op="$op" 'BEGIN {
      if (op == "<") r = g < w; else if (op == "<=") r = g <= w; else if (op == "==") r = g == w;
      else if (op == ">=") r = g >= w; else if (op == ">") r = g > w; else r = g != w
      exit !r }'; then
    return 0
  fi
  E2E_PROBLEMS+=("$name{$(IFS=,; echo "$*")}: expected $op $want, seen $got")
  return 1
}

# expect_true DESCRIPTION COMMAND...: record DESCRIPTION as a problem unless COMMAND succeeds.
expect_true() {
  local what=$1
  shift
  "$@" && return 0
  E2E_PROBLEMS+=("$what")
  return 1
}

# check_round FILE FUNCTION: fetch /metrics into FILE, clear the problems, run FUNCTION FILE;
# succeeds when FUNCTION recorded no problem. For wait_until.
check_round() {
  fetch_metrics "$1"
  E2E_PROBLEMS=()
  "$2" "$1" || true
  ((${#E2E_PROBLEMS[@]} == 0))
}

# expect_eventually TIMEOUT DESCRIPTION FILE FUNCTION: poll check_round until FUNCTION is
# satisfied; on timeout print every problem of the last round (expected vs seen) and return 1.
expect_eventually() {
  local timeout=$1 what=$2 file=$3 fn=$4
  if wait_until "$timeout" "$what" check_round "$file" "$fn"; then
    log "OK: $what"
    return 0
  fi
  log "not satisfied after ${timeout}s: $what"
  printf '  %s\n' "${E2E_PROBLEMS[@]}"
  return 1
}

# Failures that should not stop the remaining checks: record them, report them all at the end.
E2E_FAILURES=()
soft_fail() { log "FAIL (continuing): $*"; E2E_FAILURES+=("$*"); }

# finish: PASS, or FAIL listing every soft failure. Stops the exporter first: a sanitizer build
# reports leaks only at exit, and any report in its log fails the test.
finish() {
  check_exporter_exit
  if ((${#E2E_FAILURES[@]})); then
    log "${#E2E_FAILURES[@]} check(s) failed:"
    printf '  - %s\n' "${E2E_FAILURES[@]}"
    fail "see the checks above"
  fi
  log "PASS"
}

# ---------------------------------------------------------------------------------------------
# a real Prometheus

PROMETHEUS_BIN=/usr/bin/prometheus
PROMETHEUS_URL=""
PROMETHEUS_PID=""
PROMETHEUS_LOG=""

# prom_start CONFIG_FILE: run Prometheus with CONFIG_FILE (relative rule_files resolve next to
# it) on a free port and wait until it is ready. Retries on a port race.
prom_start() {
  local config=$1 dir attempt port
  dir=$(dirname "$config")
  mkdir -p "$dir/data"
  for attempt in 1 2 3; do
    port=$(free_port)
    PROMETHEUS_URL="http://127.0.0.1:$port"
    PROMETHEUS_LOG="$dir/prometheus.$attempt.log"
    log "starting $PROMETHEUS_BIN on $PROMETHEUS_URL"
    "$PROMETHEUS_BIN" --config.file="$config" --storage.tsdb.path="$dir/data" \
      --web.listen-address="127.0.0.1:$port" >"$PROMETHEUS_LOG" 2>&1 &
    PROMETHEUS_PID=$!
    E2E_PIDS+=("$PROMETHEUS_PID")
    wait_until 30 "Prometheus ready" prom_ready && return 0
    kill -0 "$PROMETHEUS_PID" 2>/dev/null && break # running but not ready: not a port race
    grep -q 'address already in use' "$PROMETHEUS_LOG" || break
    log "port $port was taken; retrying"
  done
  log "Prometheus log (last 30 lines):"
  tail -n 30 "$PROMETHEUS_LOG"
  fail "Prometheus did not become ready"
}

prom_ready() {
  kill -0 "$PROMETHEUS_PID" 2>/dev/null || return 1
  curl -fsS --max-time 2 -o /dev/null "$PROMETHEUS_URL/-/ready" 2>/dev/null
}

# prom_query EXPR: print the whole JSON answer of an instant query (also when it is an error).
prom_query() {
  curl -sS --max-time 10 -G --data-urlencode "query=$1" "$PROMETHEUS_URL/api/v1/query"
}

# remove_cgroup_trees NAME...: remove the (empty) cgroup directories NAME and everything below
# them, deepest first, in every mounted hierarchy. For parents a runtime created for a test's own
# containers and leaves behind (containerd's /<namespace>, runc's parent slices). Only names of
# this test's own ($E2E_PREFIX-like) making should be passed.
remove_cgroup_trees() {
  local name root
  for name in "$@"; do
    for root in /sys/fs/cgroup /sys/fs/cgroup/*; do
      [[ -d $root/$name ]] || continue
      find "$root/$name" -depth -type d -exec rmdir {} \; 2>/dev/null
    done
  done
  return 0
}

# Scrapes judged over many scans and against the ground truth in /proc: scan_truth.sh.
# shellcheck source=tests/e2e/scan_truth.sh
source "$(dirname "${BASH_SOURCE[0]}")/scan_truth.sh"
