# shellcheck shell=bash
# Shared helpers for the end-to-end tests. Each test script sources this file and calls
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
# namespaces; /proc/1/ns/* may be unreadable even for root (see DESIGN.md).
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

# ---------------------------------------------------------------------------------------------
# a daemon is judged over many scans: state kept between scans shows its bugs on the 2nd or 3rd

# check_exporter_exit: stop the exporter (if this test started one) and fail softly on any
# AddressSanitizer, LeakSanitizer or UBSan report in its log (the e2e tests also run against the
# sanitizer build of the binary).
check_exporter_exit() {
  [[ -n $EXPORTER_PID ]] || return 0
  stop_pid "$EXPORTER_PID"
  # SIGTERM ends it with status 0; anything else is a crash, a leak report (the sanitizer build
  # aborts) or a SIGKILL after it ignored SIGTERM.
  if [[ -n $STOPPED_STATUS && $STOPPED_STATUS != 0 ]]; then
    soft_fail "the exporter (pid $EXPORTER_PID) exited with status $STOPPED_STATUS after SIGTERM"
  fi
  local logfile
  for logfile in "$E2E_TMP"/exporter.*.log; do
    [[ -f $logfile ]] || continue
    if grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$logfile"; then
      grep -m 5 -A 12 -E 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$logfile"
      soft_fail "sanitizer report in the exporter's log ($logfile)"
    fi
  done
}

# scan_timestamp FILE: cproc_scan_timestamp_seconds of a saved scrape ("" if absent).
scan_timestamp() { awk '$1 == "cproc_scan_timestamp_seconds" { print $2 }' "$1"; }

# wait_for_new_scan FILE PREVIOUS_TIMESTAMP: fetch /metrics into FILE until it comes from a scan
# other than PREVIOUS_TIMESTAMP's (bounded: 20 s).
wait_for_new_scan() {
  local file=$1 previous=$2 deadline=$((SECONDS + 20))
  while :; do
    fetch_metrics "$file"
    [[ $(scan_timestamp "$file") != "$previous" ]] && return 0
    ((SECONDS < deadline)) || fail "no new scan within 20 s (last scan at $previous)"
    sleep 0.2
  done
}

# check_scrape FILE: every check one scrape must pass whatever the test: promtool, the strict
# check (UTF-8, no control bytes in label values, grammar, one identity per container_id),
# /api/v1/containers answering 200 with JSON. Prints the identities (see
# cproc_check_exposition --identities) into FILE.ids. Records problems in E2E_PROBLEMS.
check_scrape() {
  local file=$1 out="$1.check" code
  [[ -n $CHECK_EXPOSITION && -x $CHECK_EXPOSITION ]] ||
    fail "the strict exposition check was not passed as second argument (cproc_check_exposition)"
  if ! /usr/bin/promtool check metrics <"$file" >"$out" 2>&1; then
    E2E_PROBLEMS+=("promtool check metrics: $(head -c 600 "$out")")
  fi
  if ! "$CHECK_EXPOSITION" "$file" --identities >"$file.ids" 2>"$out"; then
    E2E_PROBLEMS+=("strict exposition check: $(head -c 600 "$out")")
  fi
  code=$(curl -s --max-time 10 -o "$file.json" -w '%{http_code}' "$EXPORTER_URL/api/v1/containers")
  if [[ $code != 200 ]]; then
    E2E_PROBLEMS+=("GET /api/v1/containers answered $code")
  elif ! jq -e 'type == "object" or type == "array"' "$file.json" >/dev/null 2>&1; then
    E2E_PROBLEMS+=("/api/v1/containers is not JSON")
  fi
}

# scrape_rounds N FUNCTION: N scrapes, each from a new scan, each passing check_scrape and
# FUNCTION FILE (the test's ground truth, recording problems with expect_sample and friends;
# SCRAPE_ROUND is the round's number, from 1, for tests that change the host between rounds).
# Every container seen in two rounds must show the same identity labels in both: container_id,
# container, pod, namespace, runtime and image never move while a container lives. Fails the
# test on the first round with a problem, printing them all.
scrape_rounds() {
  local rounds=$1 fn=$2 i file previous="" first_ids="$E2E_TMP/identities.first" id line before
  for ((i = 1; i <= rounds; i++)); do
    file="$E2E_TMP/round-$i.prom"
    wait_for_new_scan "$file" "$previous"
    previous=$(scan_timestamp "$file")
    E2E_PROBLEMS=()
    check_scrape "$file"
    SCRAPE_ROUND=$i
    "$fn" "$file" || true
    if ((i == 1)); then
      cp "$file.ids" "$first_ids"
    else
      # Not `IFS=$'\t' read -r id line`: tab is IFS white space, so read would merge empty
      # fields and drop trailing ones (an empty image) and see a move where there is none.
      while IFS= read -r line; do
        id=${line%%$'\t'*}
        line=${line#*$'\t'}
        before=$(awk -F'\t' -v id="$id" '$1 == id { sub(/^[^\t]*\t/, ""); print }' "$first_ids")
        [[ -z $before || $before == "$line" ]] && continue
        E2E_PROBLEMS+=("identity of $id moved: round 1 '$before', round $i '$line'")
      done < <(awk -F'\t' '{ id = $1; sub(/^[^\t]*\t/, ""); print id "\t" $0 }' "$file.ids")
    fi
    if ((${#E2E_PROBLEMS[@]})); then
      log "round $i of $rounds: ${#E2E_PROBLEMS[@]} problem(s):"
      printf '  %s\n' "${E2E_PROBLEMS[@]}"
      cp "$file" "/tmp/cproc-e2e-failed-$$-round$i.prom" 2>/dev/null
      fail "scrape round $i of $rounds failed (kept in /tmp/cproc-e2e-failed-$$-round$i.prom)"
    fi
  done
  log "OK: $rounds scrapes from $rounds scans, each valid and matching the ground truth"
}

# ---------------------------------------------------------------------------------------------
# ground truth for one container, read from /proc in every scrape round, and rounds across a
# change of the host (e2e_lxc, e2e_runc_layouts, e2e_containerd_ctr). A round's checks run on a
# loaded CI machine every second: they read /proc with builtins and a scrape with one awk rather
# than a process per value.

E2E_CLK_TCK=""
E2E_BTIME=""

# read_host_truth NEEDLE PID1 [PIDS]: fill E2E_HOST from /proc as it is now, for the processes
# whose /proc/PID/cgroup mentions NEEDLE (container_pids; or PIDS, "pid pid ...", when the caller
# just listed them, e.g. with needle_pids): one count per state (E2E_STATES), total, threads
# (the sum of num_threads), zombies_pid1 / zombies_other / zombies_outside (a zombie's parent:
# PID1, another of those processes, or none of them), and of PID1: comm, start_cs (its start,
# unix time in hundredths of a second), handles_sigterm (1: SIGTERM caught or blocked, and not
# ignored; "unknown" while it waits in sigtimedwait), pids_current (pids.current of its pids
# cgroup, v1 or unified; "absent" when there is none) and the namespace inodes ns_<kind>.
declare -A E2E_HOST=()
read_host_truth() {
  local needle=$1 pid1=$2 pid stat rest state path line kind
  local -a pids fields
  local -A inside=()
  if [[ -z $E2E_CLK_TCK ]]; then
    E2E_CLK_TCK=$(getconf CLK_TCK)
    E2E_BTIME=$(awk '$1 == "btime" { print $2 }' /proc/stat)
  fi
  E2E_HOST=([total]=0 [threads]=0 [zombies_pid1]=0 [zombies_other]=0 [zombies_outside]=0
    [comm]="?" [start_cs]=0 [pids_current]=absent)
  for state in "${E2E_STATES[@]}"; do E2E_HOST[$state]=0; done
  if (($# >= 3)); then
    read -r -a pids <<<"$3"
  else
    mapfile -t pids < <(container_pids "$needle")
  fi
  for pid in "${pids[@]}"; do inside[$pid]=1; done
  for pid in "${pids[@]}"; do
    { read -r stat <"/proc/$pid/stat"; } 2>/dev/null || continue  # gone meanwhile
    rest=${stat##*) } # comm may contain ') ': the state is the field after the LAST ')'
    read -r -a fields <<<"$rest"
    case ${fields[0]} in
      R) state=running ;; S) state=sleeping ;; D) state=disk_sleep ;; T | t) state=stopped ;;
      Z) state=zombie ;; I) state=idle ;; *) state=other ;;
    esac
    E2E_HOST[$state]=$((E2E_HOST[$state] + 1))
    E2E_HOST[total]=$((E2E_HOST[total] + 1))
    E2E_HOST[threads]=$((E2E_HOST[threads] + fields[17])) # field 20 of stat: num_threads
    if [[ $state == zombie ]]; then
      if [[ ${fields[1]} == "$pid1" ]]; then
        E2E_HOST[zombies_pid1]=$((E2E_HOST[zombies_pid1] + 1))
      elif [[ -n ${inside[${fields[1]}]:-} ]]; then
        E2E_HOST[zombies_other]=$((E2E_HOST[zombies_other] + 1))
      else
        E2E_HOST[zombies_outside]=$((E2E_HOST[zombies_outside] + 1))
      fi
    fi
    # field 22 of stat: starttime, in clock ticks after boot
    [[ $pid == "$pid1" ]] &&
      E2E_HOST[start_cs]=$((E2E_BTIME * 100 + fields[19] * 100 / E2E_CLK_TCK))
  done
  { read -r "E2E_HOST[comm]" <"/proc/$pid1/comm"; } 2>/dev/null
  # SIGTERM (15) is bit 14 of the masks in /proc/PID/status.
  local cgt=0 blk=0 ign=0 field mask
  {
    while read -r field mask; do
      case $field in
        SigCgt:) cgt=$((16#$mask >> 14 & 1)) ;; SigBlk:) blk=$((16#$mask >> 14 & 1)) ;;
        SigIgn:) ign=$((16#$mask >> 14 & 1)) ;;
      esac
    done <"/proc/$pid1/status"
  } 2>/dev/null || true
  E2E_HOST[handles_sigterm]=$(((cgt | blk) & !ign))
  # Asleep in sigtimedwait (busybox init, tini), a process has the signals it waits for
  # unblocked until the call returns: its masks cannot tell.
  local wchan=""
  { read -r wchan <"/proc/$pid1/wchan"; } 2>/dev/null || true
  [[ $wchan == *sigtimedwait* ]] && E2E_HOST[handles_sigterm]=unknown
  path=""
  {
    while IFS= read -r line; do
      [[ $line == *:pids:* ]] && { path=/sys/fs/cgroup/pids${line#*:pids:}; break; }
      [[ $line == 0::* ]] && path=/sys/fs/cgroup${line#0::}
    done <"/proc/$pid1/cgroup"
  } 2>/dev/null || true
  [[ -f $path/pids.current ]] || path=/sys/fs/cgroup/unified${path#/sys/fs/cgroup}
  { read -r "E2E_HOST[pids_current]" <"$path/pids.current"; } 2>/dev/null
  while read -r kind line; do
    E2E_HOST[ns_${kind##*/}]=$line
  done < <(stat -L -c '%n %i' /proc/"$pid1"/ns/{pid,net,ipc,uts,mnt,user,cgroup,time} 2>/dev/null)
}

# E2E_HOST_NS: the host's namespace inodes by kind (kthreadd's, see host_ns), read once.
declare -A E2E_HOST_NS=()
read_host_namespaces() {
  local kind inode
  while read -r kind inode; do
    E2E_HOST_NS[${kind##*/}]=$inode
  done < <(stat -L -c '%n %i' /proc/2/ns/{pid,net,ipc,uts,mnt,user,cgroup,time} 2>/dev/null)
}

# read_series FILE CONTAINER_ID: fill E2E_SERIES with the container's samples in FILE, keyed by
# the metric name and its labels other than container_id, container, pod and namespace, in the
# order of the exposition: E2E_SERIES[cproc_container_zombies{parent="pid1"}]=1,
# E2E_SERIES[cproc_container_threads{}]=5 (and E2E_SERIES_OF=CONTAINER_ID, for messages). Label
# values must hold no ',' or '}'.
declare -A E2E_SERIES=()
read_series() {
  local key value
  E2E_SERIES=()
  E2E_SERIES_OF=$2
  while IFS=$'\t' read -r key value; do
    E2E_SERIES[$key]=$value
  done < <(awk -v id="container_id=\"$2\"" '
    /^#/ || NF == 0 { next }
    {
      brace = index($0, "{")
      close_brace = index($0, "}")
      if (!brace || close_brace < brace) next
      n = split(substr($0, brace + 1, close_brace - brace - 1), l, ",")
      mine = 0; key = ""
      for (i = 1; i <= n; i++) {
        if (l[i] == id) { mine = 1; continue }
        if (l[i] ~ /^(container_id|container|pod|namespace)=/) continue
        key = key (key == "" ? "" : ",") l[i]
      }
      if (!mine) next
      split(substr($0, close_brace + 1), v, " ")
      print substr($0, 1, brace - 1) "{" key "}\t" v[1]
    }' "$1")
}

# expect_series KEY WANT: E2E_SERIES[KEY] (from read_series) must be WANT ("absent": no such
# series); records a problem otherwise.
expect_series() {
  local got=${E2E_SERIES[$1]:-absent}
  [[ $got == "$2" ]] && return 0
  E2E_PROBLEMS+=("$E2E_SERIES_OF $1: expected $2, seen $got")
  return 1
}
E2E_SERIES_OF=""

# centi VAR VALUE: set VAR to a non-negative decimal sample value in hundredths
# (1796616678.54 -> 179661667854); -1 when VALUE is not such a number.
centi() {
  local whole=${2%%.*} frac=""
  [[ $2 == *.* ]] && frac=${2#*.}
  frac=${frac}00
  [[ $whole$frac =~ ^[0-9]+$ ]] || { printf -v "$1" %s -1; return 0; }
  printf -v "$1" %s $((10#$whole * 100 + 10#${frac:0:2}))
}

# needle_pids NEEDLE...: E2E_NEEDLE_PIDS[NEEDLE]="pid pid ..." for each NEEDLE, the processes
# whose /proc/PID/cgroup mentions it (container_pids for several containers, in one pass).
declare -A E2E_NEEDLE_PIDS=()
needle_pids() {
  local needle line pid
  local -a patterns=()
  E2E_NEEDLE_PIDS=()
  for needle in "$@"; do
    E2E_NEEDLE_PIDS[$needle]=""
    patterns+=(-e "$needle")
  done
  while IFS= read -r line; do # /proc/PID/cgroup:NEEDLE, once per line that mentions it
    pid=${line#/proc/}
    pid=${pid%%/*}
    needle=${line#*/cgroup:}
    [[ " ${E2E_NEEDLE_PIDS[$needle]} " == *" $pid "* ]] ||
      E2E_NEEDLE_PIDS[$needle]+="${E2E_NEEDLE_PIDS[$needle]:+ }$pid"
  done < <(grep -H -o -F "${patterns[@]}" /proc/[0-9]*/cgroup 2>/dev/null || true)
}

# expect_host_truth FILE CONTAINER_ID NEEDLE PID1 [PIDS]: the container's series in FILE agree
# with /proc as read now (read_host_truth NEEDLE PID1 [PIDS]): every state emitted; total,
# zombie, stopped, idle and other processes; threads; zombies by parent; PID 1's host PID, start
# time (within 1 s) and SIGTERM handling (from its signal masks, unless they cannot tell: then
# the test checks it); the namespace kinds PID 1 shares with the host; pids.current. running,
# sleeping and disk_sleep are compared as their sum (the total less the rest): a process may be
# R for an instant between the scan and this read. Leaves E2E_SERIES and E2E_HOST (PID 1's
# comm, its namespaces, ...) for the test's own checks.
expect_host_truth() {
  local file=$1 id=$2 needle=$3 pid1=$4 kind n=0 key want start
  ((${#E2E_HOST_NS[@]})) || read_host_namespaces
  read_series "$file" "$id"
  read_host_truth "$needle" "$pid1" "${@:5}"
  for key in "${!E2E_SERIES[@]}"; do
    [[ $key == cproc_container_processes\{* ]] && n=$((n + 1))
  done
  ((n == 7)) || E2E_PROBLEMS+=("$id: $n cproc_container_processes series, expected 7 (per state)")
  n=0
  for kind in "${E2E_STATES[@]}"; do
    key="cproc_container_processes{state=\"$kind\"}"
    n=$((n + ${E2E_SERIES[$key]:-0}))
  done
  [[ $n == "${E2E_HOST[total]}" ]] ||
    E2E_PROBLEMS+=("$id: $n processes, expected ${E2E_HOST[total]} ($(declare -p E2E_HOST))")
  for kind in zombie stopped idle other; do
    expect_series "cproc_container_processes{state=\"$kind\"}" "${E2E_HOST[$kind]}"
  done
  expect_series "cproc_container_threads{}" "${E2E_HOST[threads]}"
  for kind in pid1 other outside; do
    expect_series "cproc_container_zombies{parent=\"$kind\"}" "${E2E_HOST[zombies_$kind]}"
  done
  expect_series "cproc_container_pid1_host_pid{}" "$pid1"
  [[ ${E2E_HOST[handles_sigterm]} == unknown ]] ||
    expect_series "cproc_container_pid1_handles_sigterm{}" "${E2E_HOST[handles_sigterm]}"
  key="cproc_container_pid1_start_time_seconds{}"
  centi start "${E2E_SERIES[$key]:-x}"
  ((start >= E2E_HOST[start_cs] - 100 && start <= E2E_HOST[start_cs] + 100)) ||
    E2E_PROBLEMS+=("$id: $key ${E2E_SERIES[$key]:-absent}, /proc: ${E2E_HOST[start_cs]} / 100")
  for kind in pid net ipc uts mnt user cgroup time; do
    [[ -n ${E2E_HOST[ns_$kind]:-} ]] || continue
    want=0
    [[ ${E2E_HOST[ns_$kind]} == "${E2E_HOST_NS[$kind]:-}" ]] && want=1
    expect_series "cproc_container_host_namespace{ns=\"$kind\"}" "$want"
  done
  expect_series "cproc_container_pids_current{}" "${E2E_HOST[pids_current]}"
}

# read_identities FILE: every container's identity as cproc_container_info in FILE shows it,
# E2E_INFO[<container_id>]="container|pod|namespace|runtime|image|pod_uid|layout|cgroup<TAB>value"
# (one line per series), and as /api/v1/containers (FILE.json, saved by check_scrape) does,
# E2E_JSON_INFO[<container_id>]="name|pod|namespace|runtime|image|pod_uid|cgroup".
declare -A E2E_INFO=() E2E_JSON_INFO=()
read_identities() {
  local line id
  E2E_INFO=()
  E2E_JSON_INFO=()
  while IFS= read -r line; do
    id=${line%%$'\t'*}
    E2E_INFO[$id]+=${E2E_INFO[$id]:+$'\n'}${line#*$'\t'}
  done < <(awk '
    /^cproc_container_info\{/ {
      brace = index($0, "{"); close_brace = index($0, "}")
      n = split(substr($0, brace + 1, close_brace - brace - 1), l, ",")
      for (k in lab) delete lab[k]
      for (i = 1; i <= n; i++) {
        eq = index(l[i], "=")
        lab[substr(l[i], 1, eq - 1)] = substr(l[i], eq + 2, length(l[i]) - eq - 2)
      }
      split(substr($0, close_brace + 1), v, " ")
      print lab["container_id"] "\t" lab["container"] "|" lab["pod"] "|" lab["namespace"] "|" \
        lab["runtime"] "|" lab["image"] "|" lab["pod_uid"] "|" lab["layout"] "|" lab["cgroup"] \
        "\t" v[1]
    }' "$1")
  [[ -f $1.json ]] || return 0
  while IFS= read -r line; do
    E2E_JSON_INFO[${line%%$'\t'*}]=${line#*$'\t'}
  done < <(jq -r '.containers[] | [.container_id,
    ([.name, .pod, .namespace, .runtime, .image, .pod_uid, .cgroup] | join("|"))] | @tsv' "$1.json")
}

# expect_loaded_identity CONTAINER_ID CONTAINER POD NAMESPACE RUNTIME IMAGE POD_UID LAYOUT CGROUP:
# after read_identities: one cproc_container_info series with exactly these labels and value 1,
# and /api/v1/containers naming the container the same way.
expect_loaded_identity() {
  local id=$1 want
  want="$2|$3|$4|$5|$6|$7|$8|$9"$'\t'1
  [[ ${E2E_INFO[$id]:-} == "$want" ]] ||
    E2E_PROBLEMS+=("cproc_container_info of $id: expected '$want', seen '${E2E_INFO[$id]:-none}'")
  ((${#E2E_JSON_INFO[@]})) || return 0
  want="$2|$3|$4|$5|$6|$7|$9"
  [[ ${E2E_JSON_INFO[$id]:-} == "$want" ]] ||
    E2E_PROBLEMS+=("/api/v1/containers, $id: expected '$want', seen '${E2E_JSON_INFO[$id]:-none}'")
}

# expect_identity FILE CONTAINER_ID CONTAINER POD NAMESPACE RUNTIME IMAGE POD_UID LAYOUT CGROUP:
# read_identities FILE, then expect_loaded_identity.
expect_identity() {
  read_identities "$1"
  shift
  expect_loaded_identity "$@"
}

# wait_for_scan_after FILE EPOCH: fetch /metrics into FILE until it comes from a scan that began
# after EPOCH (unix time, `date +%s.%N`), i.e. one that saw the host as it is since then
# (bounded: 20 s). A scan began before its timestamp less its duration.
wait_for_scan_after() {
  local file=$1 epoch=$2 deadline=$((SECONDS + 20)) stamp duration
  while :; do
    fetch_metrics "$file"
    stamp=$(scan_timestamp "$file")
    duration=$(awk '$1 == "cproc_scan_duration_seconds" { print $2 }' "$file")
    if [[ -n $stamp && -n $duration ]] &&
      awk -v s="$stamp" -v d="$duration" -v e="$epoch" 'BEGIN { exit !(s - d > e) }'; then
      return 0
    fi
    ((SECONDS < deadline)) || fail "no scan began after $epoch within 20 s (last: $stamp)"
    sleep 0.2
  done
}

# scrape_rounds_with_changes N CHECK [CHANGE N CHECK]...: scrape_rounds N CHECK; then, for each
# CHANGE N CHECK that follows: CHANGE (a function changing the host: a container removed, a
# process added or killed, a restart) and scrape_rounds N CHECK on scans that began after CHANGE
# returned. A container seen in the last round before a change and in the first after it must
# keep its identity across the change too.
scrape_rounds_with_changes() {
  local rounds=$1 check=$2 change moved ids_before="$E2E_TMP/identities.before-change"
  shift 2
  scrape_rounds "$rounds" "$check"
  while (($# >= 3)); do
    change=$1
    cp "$E2E_TMP/round-$rounds.prom.ids" "$ids_before"
    "$change"
    wait_for_scan_after "$E2E_TMP/after-change.prom" "$(date +%s.%N)"
    rounds=$2 check=$3
    shift 3
    log "after $change: $rounds more rounds"
    scrape_rounds "$rounds" "$check"
    moved=$(awk -F'\t' 'NR == FNR { before[$1] = $0; next }
      ($1 in before) && before[$1] != $0 { print "  before: " before[$1] "\n  after:  " $0 }' \
      "$ids_before" "$E2E_TMP/round-1.prom.ids")
    [[ -z $moved ]] || fail "identity labels moved across $change:"$'\n'"$moved"
  done
  (($# == 0)) || fail "scrape_rounds_with_changes: CHANGE N CHECK expected, left: $*"
}
