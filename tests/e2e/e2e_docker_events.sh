#!/usr/bin/env bash
# The process lifecycle counters (README "Between scans: process lifecycle events") against the
# real kernel's process events connector and real Docker containers, compared with ground truth:
#   (1) a fork storm (N children that exec and exit 0; tests/e2e/e2e_docker_events_helper.c):
#       started, execs and exits exit_zero move by exactly N + 1 (the helper itself);
#   (2) exits by outcome: exit 0, exit 3, killed by SIGTERM, SIGKILL, SIGUSR1, SIGSEGV, and by
#       SIGXCPU and SIGRTMIN+1 (signal="other"), each series exactly;
#   (3) `kill -9` of PID 1 from the host under --restart=always, three times: pid1_exits
#       {signal,SIGKILL} +3, pid1_killed_from_outside +3, the same container id and name, each
#       new init seen; an init exiting 5 under --restart=on-failure:3, twice: pid1_exits
#       {exit_nonzero} +2 and killed_from_outside unchanged;
#   (4) orphan bursts of K = 50 (children that live on for 3 s, and children that exit as soon
#       as they are orphaned, before any scan): orphans_adopted +K each;
#   (5) forced loss (a second exporter with --events.buffer-bytes=4096, SIGSTOPped for 1 s
#       during a storm): its cproc_events_lost_total moves, no lifecycle counter exceeds the
#       truth, and its gauges still equal /proc;
#   (6) --events.source=off: cproc_events_source_active 0, the lifecycle families absent, the
#       rest present.
# The rule: exact whenever the exporter reported no loss (cproc_events_lost_total unchanged);
# with loss, every counter is <= the truth. Every counter of the container that is not expected
# to move must not move.
#
# Ground truth without `docker exec` (which would add its own exec and exit): each workload
# container's PID 1 is a busybox sh reading one command line at a time from a FIFO bind-mounted
# from the host, running it with `eval` (no fork of its own) and creating /ctl/done.N after it.
# A workload is sent only once the container has lifecycle series (its first seconds count as
# the host's), right after a scan, and the counters are compared before and after it.
#
# Short-lived processes (born after a scan, gone before the next) are exact when no scan
# overlapped the workload ("clean window"); when scans did overlap (a storm longer than the scan
# interval), a process a scan listed may or may not count, so the count must lie between the
# truth less the processes those scans listed (read from their cproc_container_processes) and
# the truth.
#
#   e2e_docker_events.sh PATH_TO_cproc_exporter PATH_TO_cproc_check_exposition
# Environment: E2E_EVENTS_STORM (default 3000) and E2E_EVENTS_LOSS_STORM (1500): storm sizes.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
e2e_init "$@"
require_docker
ensure_test_image

STORM_N=${E2E_EVENTS_STORM:-3000}
LOSS_STORM_N=${E2E_EVENTS_LOSS_STORM:-1500}
ORPHANS_K=50
HELPER="$E2E_TMP/helper"
METRICS="$E2E_TMP/metrics.prom"

# The counters of one container that the process events make (orphans_adopted is there without
# events too, from the scan).
LIFECYCLE_FAMILIES=(cproc_container_processes_started_total cproc_container_execs_total
  cproc_container_processes_exited_total cproc_container_short_lived_processes_total
  cproc_container_pid1_exits_total cproc_container_pid1_killed_from_outside_total)
K_STARTED='cproc_container_processes_started_total{}'
K_EXECS='cproc_container_execs_total{}'
K_SHORT='cproc_container_short_lived_processes_total{}'
K_ORPHANS='cproc_container_orphans_adopted_total{}'
K_OUTSIDE='cproc_container_pid1_killed_from_outside_total{}'
k_exit() { printf 'cproc_container_processes_exited_total{outcome="%s",signal="%s"}' "$1" "${2:-}"; }
k_pid1() { printf 'cproc_container_pid1_exits_total{outcome="%s",signal="%s"}' "$1" "${2:-}"; }

# ---------------------------------------------------------------------------------------------
# several exporters: A (the main one), B (tiny buffer), C (events off)

declare -A EXP_PID=() EXP_URL=() EXP_LOG=()
start_named_exporter() { # NAME FLAGS...
  local name=$1
  shift
  start_exporter "$@"
  # start_exporter names its log by attempt; another exporter would reuse the name.
  mv "$EXPORTER_LOG" "$E2E_TMP/exporter.$name.log"
  EXPORTER_LOG="$E2E_TMP/exporter.$name.log"
  EXP_PID[$name]=$EXPORTER_PID EXP_URL[$name]=$EXPORTER_URL EXP_LOG[$name]=$EXPORTER_LOG
}
use_exporter() {
  EXPORTER_PID=${EXP_PID[$1]} EXPORTER_URL=${EXP_URL[$1]} EXPORTER_LOG=${EXP_LOG[$1]}
}
# stop_named_exporter NAME: SIGTERM; it must exit with status 0.
stop_named_exporter() {
  stop_pid "${EXP_PID[$1]}"
  [[ -z $STOPPED_STATUS || $STOPPED_STATUS == 0 ]] ||
    soft_fail "exporter $1 (pid ${EXP_PID[$1]}) exited with status $STOPPED_STATUS after SIGTERM"
}

scans_total() { awk '$1 == "cproc_scans_total" { print $2 }' "$1"; }

# ---------------------------------------------------------------------------------------------
# workload containers: PID 1 runs the command lines written into the FIFO /ctl/cmd

declare -A CTL_DIR=() CTL_SEQ=()
# shellcheck disable=SC2016  # expanded by the container's sh
CTL_LOOP='n=0; while :; do read -r cmd </ctl/cmd || continue; n=$((n + 1)); eval "$cmd"; : >"/ctl/done.$n"; done'

# start_ctl_container SUFFIX: sets CONTAINER_ID.
start_ctl_container() {
  local dir="$E2E_TMP/ctl-$1"
  mkdir -p "$dir"
  mkfifo "$dir/cmd"
  cp "$HELPER" "$dir/helper"
  run_container "$1" -v "$dir:/ctl" -- /bin/sh -c "$CTL_LOOP"
  CTL_DIR[$CONTAINER_ID]=$dir
  CTL_SEQ[$CONTAINER_ID]=0
}

# has_lifecycle_series FILE ID: the exporter counts the container's lifecycle (it was seen).
has_lifecycle_series() {
  [[ $(sample_count "$1" cproc_container_processes_started_total "$(cid "$2")") == 1 ]]
}
# wait_counted ID: until the current exporter has the container's lifecycle series.
wait_counted() {
  local id=$1 deadline=$((SECONDS + 20))
  while :; do
    fetch_metrics "$METRICS"
    has_lifecycle_series "$METRICS" "$id" && return 0
    ((SECONDS < deadline)) || fail "no lifecycle series of $(short_name "$id") at $EXPORTER_URL within 20 s"
    sleep 0.3
  done
}

# nonzombie_extra FILE ID: the container's processes in FILE's scan that are not zombies, less
# PID 1.
nonzombie_extra() {
  local all zombies
  all=$(sample_sum "$1" cproc_container_processes "$(cid "$2")")
  zombies=$(sample_sum "$1" cproc_container_processes "$(cid "$2")" 'state="zombie"')
  [[ $all == absent ]] && all=1
  [[ $zombies == absent ]] && zombies=0
  echo $((all - zombies - 1))
}

# window_run ID COMMAND [WAIT_GONE]: right after a scan of the current exporter, have the
# container's PID 1 run COMMAND, and wait until it has returned (bounded: 180 s) and, with
# WAIT_GONE, until the container has no process left but PID 1 and zombies (orphans that exit
# by themselves). Then follows the scans up to the first one that began after that. Sets
#   WINDOW_SCANS  the scans that overlapped the run (0: a clean window; no scan saw it),
#   WINDOW_SEEN   how many of the run's processes those scans may have listed (their non-zombie
#                 processes besides PID 1, summed; 60 for each scan missed between two scrapes),
#   WINDOW_SECONDS the run's duration, WINDOW_FILE the scrape of the first scan after it.
WINDOW_SCANS=0 WINDOW_SEEN=0 WINDOW_SECONDS=0 WINDOW_FILE=""
_WINDOW_TS="" _WINDOW_N=""
_window_follow() { # FILE ID: account for a scan not yet seen in FILE
  local file=$1 id=$2 ts n
  ts=$(scan_timestamp "$file")
  [[ $ts == "$_WINDOW_TS" ]] && return 1
  n=$(scans_total "$file")
  if [[ -n $_WINDOW_N && -n $n ]] && ((n > _WINDOW_N + 1)); then
    WINDOW_SEEN=$((WINDOW_SEEN + 60 * (n - _WINDOW_N - 1)))
    WINDOW_SCANS=$((WINDOW_SCANS + n - _WINDOW_N - 1))
  fi
  _WINDOW_TS=$ts _WINDOW_N=$n
  return 0
}
window_run() {
  local id=$1 cmd=$2 wait_gone=${3:-} dir=${CTL_DIR[$1]} seq file="$E2E_TMP/window.prom"
  local t_send t_done deadline stamp duration extra
  seq=$((CTL_SEQ[$id] + 1))
  CTL_SEQ[$id]=$seq
  fetch_metrics "$file"
  wait_for_new_scan "$file" "$(scan_timestamp "$file")"
  _WINDOW_TS=$(scan_timestamp "$file") _WINDOW_N=$(scans_total "$file")
  WINDOW_SCANS=0 WINDOW_SEEN=0
  t_send=$(date +%s.%N)
  # shellcheck disable=SC2016  # the arguments of bash -c
  timeout 20 bash -c 'printf "%s\n" "$1" >"$2"' _ "$cmd" "$dir/cmd" ||
    fail "could not hand '$cmd' to $(short_name "$id") (its PID 1 does not read $dir/cmd)"
  deadline=$((SECONDS + 180))
  while [[ ! -e $dir/done.$seq ]] || { [[ -n $wait_gone ]] && (($(live_besides_pid1 "$id") > 0)); }; do
    ((SECONDS < deadline)) || fail "'$cmd' in $(short_name "$id") did not finish within 180 s"
    fetch_metrics "$file"
    if _window_follow "$file" "$id"; then
      WINDOW_SCANS=$((WINDOW_SCANS + 1))
      extra=$(nonzombie_extra "$file" "$id")
      WINDOW_SEEN=$((WINDOW_SEEN + extra))
    fi
    sleep 0.2
  done
  t_done=$(date +%s.%N)
  WINDOW_SECONDS=$(awk -v a="$t_send" -v b="$t_done" 'BEGIN { printf "%.2f", b - a }')
  deadline=$((SECONDS + 20))
  while :; do
    ((SECONDS < deadline)) || fail "no scan began after the workload within 20 s"
    fetch_metrics "$file"
    if _window_follow "$file" "$id"; then
      stamp=$(scan_timestamp "$file")
      duration=$(awk '$1 == "cproc_scan_duration_seconds" { print $2 }' "$file")
      awk -v s="$stamp" -v d="$duration" -v e="$t_done" 'BEGIN { exit !(s - d > e) }' && break
      WINDOW_SCANS=$((WINDOW_SCANS + 1))
      extra=$(nonzombie_extra "$file" "$id")
      WINDOW_SEEN=$((WINDOW_SEEN + extra))
    fi
    sleep 0.1
  done
  WINDOW_FILE="$E2E_TMP/window-$seq-${id:0:12}.prom"
  cp "$file" "$WINDOW_FILE"
  log "ran '$cmd' in $(short_name "$id"): ${WINDOW_SECONDS}s, $WINDOW_SCANS scan(s) overlapped, up to $WINDOW_SEEN of its processes listed"
}

# live_besides_pid1 ID: the container's processes in /proc now that are neither PID 1 nor
# zombies.
live_besides_pid1() {
  local pid1 pid n=0 stat
  pid1=$(container_host_pid "$1")
  for pid in $(container_pids "$1"); do
    [[ $pid == "$pid1" ]] && continue
    { read -r stat <"/proc/$pid/stat"; } 2>/dev/null || continue
    stat=${stat##*) }
    [[ ${stat:0:1} == Z ]] || n=$((n + 1))
  done
  echo "$n"
}

# ---------------------------------------------------------------------------------------------
# counters before and after, compared with the truth

declare -A BEFORE=() AFTER=() EXPECT=()
CHECK_ID="" LOSS_BEFORE="" CHECK_MODE=exact

# read_lifecycle FILE ID ARRAY: ARRAY[key]=value for the container's lifecycle counters and
# orphans_adopted (keys as read_series makes them: family{labels}).
read_lifecycle() {
  local -n into=$3
  local key
  into=()
  read_series "$1" "docker://$2"
  for key in "${!E2E_SERIES[@]}"; do
    # shellcheck disable=SC2034,SC2004  # a nameref to an associative array
    case ${key%%\{*} in
      cproc_container_processes_started_total | cproc_container_execs_total | \
        cproc_container_processes_exited_total | cproc_container_short_lived_processes_total | \
        cproc_container_pid1_exits_total | cproc_container_pid1_killed_from_outside_total | \
        cproc_container_orphans_adopted_total) into[$key]=${E2E_SERIES[$key]} ;;
    esac
  done
}

lost_total() { sample_sum "$1" cproc_events_lost_total; }

# begin_check ID: the counters of now are the baseline (BEFORE), EXPECT emptied. Taken once
# they are the same in two scans in a row: what the events said of the container's start (a
# runtime's exec into it) is added at the scan after the one that first lists it.
begin_check() {
  CHECK_ID=$1
  local previous="" now deadline=$((SECONDS + 20))
  fetch_metrics "$METRICS"
  while :; do
    wait_for_new_scan "$METRICS" "$(scan_timestamp "$METRICS")"
    now=$(lifecycle_line "$METRICS" "$1")
    [[ $now == "$previous" ]] && break
    ((SECONDS < deadline)) || fail "the counters of $(short_name "$1") do not settle: $now"
    previous=$now
  done
  read_lifecycle "$METRICS" "$1" BEFORE
  LOSS_BEFORE=$(lost_total "$METRICS")
  EXPECT=()
}
lifecycle_line() { read_lifecycle "$1" "$2" AFTER; local k; for k in $(printf '%s\n' "${!AFTER[@]}" | sort); do printf '%s=%s ' "$k" "${AFTER[$k]}"; done; }

# check_deltas FILE: every lifecycle series of CHECK_ID moved since BEFORE by EXPECT[key]
# (missing: 0; "*": anything; "LO..HI": a range), exactly, or, with CHECK_MODE=le or when the
# exporter reported a loss since the baseline, by at most the truth.
DELTAS_SEEN=""
check_deltas() {
  local m=$1 key want got lo hi mode=$CHECK_MODE
  local -A keys=()
  read_lifecycle "$m" "$CHECK_ID" AFTER
  [[ $(lost_total "$m") == "$LOSS_BEFORE" ]] || mode=le
  for key in "${!BEFORE[@]}" "${!AFTER[@]}" "${!EXPECT[@]}"; do keys[$key]=1; done
  DELTAS_SEEN=""
  for key in $(printf '%s\n' "${!keys[@]}" | sort); do
    [[ -n ${AFTER[$key]:-} ]] || { E2E_PROBLEMS+=("$key of $(short_name "$CHECK_ID"): no series"); continue; }
    got=$((${AFTER[$key]} - ${BEFORE[$key]:-0}))
    want=${EXPECT[$key]:-0}
    ((got == 0)) || DELTAS_SEEN+=" $key+$got"
    [[ $want == '*' ]] && continue
    if [[ $want == *..* ]]; then lo=${want%..*} hi=${want#*..}; else lo=$want hi=$want; fi
    ((lo < 0)) && lo=0
    [[ $mode == le ]] && lo=0
    ((got >= lo && got <= hi)) && continue
    E2E_PROBLEMS+=("$key of $(short_name "$CHECK_ID"): moved by $got, expected $([[ $mode == le ]] && echo "<= $hi" || echo "$want") (before ${BEFORE[$key]:-none}, now ${AFTER[$key]})")
  done
  [[ $mode == exact ]] ||
    log "loss reported (cproc_events_lost_total $LOSS_BEFORE -> $(lost_total "$m"): $(grep '^cproc_events_lost_total' "$m" | tr '\n' ' ')) or <= asked: counters compared as <= the truth"
}

# check_round_deltas FILE: for scrape_rounds (identity labels checked there too).
check_round_deltas() {
  check_deltas "$1"
  expect_sample "$1" 1 cproc_events_source_active
}

# expect_deltas WHAT: poll (15 s) until the counters match the truth, then 3 more scans in which
# they still do (scrape_rounds: each scrape valid, identity labels unchanged).
expect_deltas() {
  local what=$1
  if ! expect_eventually 15 "$what" "$METRICS" check_round_deltas; then
    dump_container_procs "$CHECK_ID"
    cp "$METRICS" "/tmp/cproc-e2e-failed-$$-deltas-$SECONDS.prom" 2>/dev/null &&
      log "last scrape kept in /tmp/cproc-e2e-failed-$$-deltas-$SECONDS.prom"
    soft_fail "$what: counters differ from the truth (expected vs seen above)"
    return 0
  fi
  log "  truth:$(for k in $(printf '%s\n' "${!EXPECT[@]}" | sort); do printf ' %s=%s' "$k" "${EXPECT[$k]}"; done)"
  log "  moved:$DELTAS_SEEN"
  scrape_rounds 3 check_round_deltas
}

# ---------------------------------------------------------------------------------------------
# the scenarios

scenario_storm() {
  local id n=$STORM_N
  log "=== (1) fork storm of $n"
  start_ctl_container storm
  id=$CONTAINER_ID
  wait_counted "$id"
  begin_check "$id"
  window_run "$id" "/ctl/helper storm $n"
  log "storm: $n processes in ${WINDOW_SECONDS}s ($(awk -v n="$n" -v s="$WINDOW_SECONDS" 'BEGIN { printf "%d", (s > 0 ? n / s : 0) }') per second)"
  # PID 1 forks the helper, which execs; its n children each exec and exit 0.
  EXPECT[$K_STARTED]=$((n + 1))
  EXPECT[$K_EXECS]=$((n + 1))
  EXPECT[$(k_exit exit_zero)]=$((n + 1))
  EXPECT[$K_SHORT]=$((n + 1 - WINDOW_SEEN))..$((n + 1))
  expect_deltas "fork storm of $n: started, execs, exits and short-lived"
}

scenario_outcomes() {
  local id cmd=""
  log "=== (2) exits by outcome"
  start_ctl_container outcomes
  id=$CONTAINER_ID
  wait_counted "$id"
  begin_check "$id"
  local s
  for s in 'exit 0' 'exit 0' 'exit 0' 'exit 3' 'exit 3' 'kill -TERM $$' 'kill -TERM $$' \
    'kill -KILL $$' 'kill -USR1 $$' 'kill -SEGV $$' 'kill -XCPU $$' 'kill -35 $$'; do
    cmd+="/bin/sh -c '$s'; "
  done
  window_run "$id" "$cmd"
  EXPECT[$K_STARTED]=12
  EXPECT[$K_EXECS]=12
  EXPECT[$K_SHORT]=$((12 - WINDOW_SEEN))..12
  EXPECT[$(k_exit exit_zero)]=3
  EXPECT[$(k_exit exit_nonzero)]=2
  EXPECT[$(k_exit signal SIGTERM)]=2
  EXPECT[$(k_exit signal SIGKILL)]=1
  EXPECT[$(k_exit signal SIGUSR1)]=1
  EXPECT[$(k_exit signal SIGSEGV)]=1
  EXPECT[$(k_exit signal other)]=2 # SIGXCPU (24) and SIGRTMIN+1 (35)
  expect_deltas "exits by outcome"
}

# run_restart_container SUFFIX [docker run options...] -- COMMAND...: like run_container, with a
# restart policy (which --rm excludes).
run_restart_container() {
  local name="$E2E_PREFIX$1" opts=()
  shift
  while (($#)) && [[ $1 != -- ]]; do opts+=("$1"); shift; done
  [[ ${1:-} == -- ]] && shift
  CONTAINER_ID=$("$DOCKER" run -d --pull never --network none --label cproc-e2e=1 \
    --name "$name" "${opts[@]}" "$E2E_IMAGE" "$@") || fail "docker run $name failed"
  E2E_CONTAINERS+=("$CONTAINER_ID")
  log "started container $name = ${CONTAINER_ID:0:12} (${opts[*]} $*)"
}

# new_init_seen ID OLD_PID: Docker restarted the container (a running PID 1 other than OLD_PID)
# and the exporter reports that PID 1.
NEW_PID=""
new_init_seen() {
  local id=$1 old=$2
  NEW_PID=$("$DOCKER" inspect -f '{{if .State.Running}}{{.State.Pid}}{{end}}' "$id" 2>/dev/null) || return 1
  [[ -n $NEW_PID && $NEW_PID != 0 && $NEW_PID != "$old" ]] || return 1
  fetch_metrics "$METRICS"
  [[ $(sample_sum "$METRICS" cproc_container_pid1_host_pid "$(cid "$id")") == "$NEW_PID" ]]
}

# identity_of FILE ID: the container's cproc_container_info line (labels and value).
identity_of() { read_identities "$1"; echo "${E2E_INFO[docker://$2]:-none}"; }

scenario_restarts() {
  local id pid i identity0 identity
  log "=== (3a) kill -9 of PID 1 from the host, --restart=always, 3 times"
  run_restart_container crashloop --restart=always -- /bin/sleep 1000
  id=$CONTAINER_ID
  wait_counted "$id"
  pid=$(container_host_pid "$id")
  wait_until 10 "the exporter reports PID 1 = $pid" new_init_seen "$id" 0 ||
    fail "the exporter does not report PID 1 of $(short_name "$id")"
  identity0=$(identity_of "$METRICS" "$id")
  begin_check "$id"
  for i in 1 2 3; do
    pid=$(container_host_pid "$id")
    log "kill -9 $pid (PID 1 of $(short_name "$id")), restart $i"
    kill -KILL "$pid"
    wait_until 30 "restart $i of $(short_name "$id") seen by the exporter" new_init_seen "$id" "$pid" ||
      fail "$(short_name "$id") was not restarted, or its new PID 1 not reported"
    identity=$(identity_of "$METRICS" "$id")
    [[ $identity == "$identity0" ]] ||
      soft_fail "identity of $(short_name "$id") moved across restart $i: '$identity0' -> '$identity'"
    log "  new PID 1: $NEW_PID, restart count $("$DOCKER" inspect -f '{{.RestartCount}}' "$id")"
  done
  EXPECT[$(k_pid1 signal SIGKILL)]=3
  EXPECT[$K_OUTSIDE]=3
  EXPECT[$(k_exit signal SIGKILL)]=3
  # runc's processes join the container and exec its init: counted as they come (and a runc
  # process a scan caught in the container's cgroup counts there when it exits 0).
  EXPECT[$K_EXECS]='*' EXPECT[$K_STARTED]='*' EXPECT[$K_SHORT]='*' EXPECT[$(k_exit exit_zero)]='*'
  expect_deltas "PID 1 killed from outside 3 times"

  log "=== (3b) PID 1 exits 5 on its own, --restart=on-failure:3, twice"
  local dir="$E2E_TMP/ctl-exit5"
  mkdir -p "$dir"
  mkfifo "$dir/go"
  run_restart_container exit5 --restart=on-failure:3 -v "$dir:/ctl" -- /bin/sh -c 'read x </ctl/go; exit 5'
  id=$CONTAINER_ID
  wait_counted "$id"
  wait_until 10 "the exporter reports PID 1 of $(short_name "$id")" new_init_seen "$id" 0 ||
    fail "the exporter does not report PID 1 of $(short_name "$id")"
  identity0=$(identity_of "$METRICS" "$id")
  begin_check "$id"
  for i in 1 2; do
    pid=$(container_host_pid "$id")
    # shellcheck disable=SC2016  # the argument of bash -c
    timeout 20 bash -c ': >"$1"' _ "$dir/go" || fail "PID 1 of $(short_name "$id") does not read $dir/go"
    wait_until 30 "restart $i of $(short_name "$id") seen by the exporter" new_init_seen "$id" "$pid" ||
      fail "$(short_name "$id") was not restarted, or its new PID 1 not reported"
    identity=$(identity_of "$METRICS" "$id")
    [[ $identity == "$identity0" ]] ||
      soft_fail "identity of $(short_name "$id") moved across restart $i: '$identity0' -> '$identity'"
  done
  EXPECT[$(k_pid1 exit_nonzero)]=2
  EXPECT[$(k_exit exit_nonzero)]=2
  EXPECT[$K_EXECS]='*' EXPECT[$K_STARTED]='*' EXPECT[$K_SHORT]='*' EXPECT[$(k_exit exit_zero)]='*'
  expect_deltas "PID 1 exited 5 twice (not killed from outside)"
}

scenario_orphans() {
  local id k=$ORPHANS_K
  log "=== (4) orphan bursts of $k"
  start_ctl_container orphans
  id=$CONTAINER_ID
  wait_counted "$id"

  begin_check "$id"
  window_run "$id" "/ctl/helper orphans $k 3000"
  # The first scan after the helper returned lists the orphans, alive for 3 s more.
  local listed
  listed=$(nonzombie_extra "$WINDOW_FILE" "$id")
  ((listed == k)) || soft_fail "the scan after the burst lists $listed live orphans, expected $k"
  EXPECT[$K_STARTED]=$((k + 1))
  EXPECT[$K_EXECS]=1
  EXPECT[$(k_exit exit_zero)]=$((k + 1))
  EXPECT[$K_ORPHANS]=$k
  EXPECT[$K_SHORT]=$((1 - WINDOW_SEEN))..1 # the helper; its children were listed
  expect_deltas "burst of $k orphans that live on"

  begin_check "$id"
  window_run "$id" "/ctl/helper orphans $k 0" wait_gone
  EXPECT[$K_STARTED]=$((k + 1))
  EXPECT[$K_EXECS]=1
  EXPECT[$(k_exit exit_zero)]=$((k + 1))
  EXPECT[$K_ORPHANS]=$k
  EXPECT[$K_SHORT]=$((k + 1 - WINDOW_SEEN))..$((k + 1))
  ((WINDOW_SCANS == 0)) || log "note: $WINDOW_SCANS scan(s) overlapped the fast burst"
  expect_deltas "burst of $k orphans that exit before any scan"
}

scenario_loss() {
  local id n=$LOSS_STORM_N
  log "=== (5) forced loss: exporter B with --events.buffer-bytes=4096, stopped 1 s in a storm of $n"
  start_named_exporter B --events.buffer-bytes=4096
  start_ctl_container lossy
  id=$CONTAINER_ID
  use_exporter B
  wait_counted "$id"
  begin_check "$id"
  local -A b_before=()
  local key b_lost_before=$LOSS_BEFORE
  for key in "${!BEFORE[@]}"; do b_before[$key]=${BEFORE[$key]}; done
  use_exporter A
  wait_counted "$id"
  begin_check "$id"

  # The storm in the background of this shell; B stopped for 1 s while it runs.
  window_run "$id" "/ctl/helper storm $n" &
  local runner=$!
  E2E_PIDS+=("$runner")
  sleep 2
  kill -STOP "${EXP_PID[B]}"
  sleep 1
  kill -CONT "${EXP_PID[B]}"
  wait "$runner" || fail "the storm in $(short_name "$id") failed"
  # window_run ran in a subshell: recompute its window from A's side conservatively.
  EXPECT[$K_STARTED]=$((n + 1))
  EXPECT[$K_EXECS]=$((n + 1))
  EXPECT[$(k_exit exit_zero)]=$((n + 1))
  EXPECT[$K_SHORT]=0..$((n + 1))
  expect_deltas "exporter A during the loss storm"

  use_exporter B
  BEFORE=()
  for key in "${!b_before[@]}"; do BEFORE[$key]=${b_before[$key]}; done
  LOSS_BEFORE=$b_lost_before
  CHECK_MODE=le
  fetch_metrics "$METRICS"
  local b_lost
  b_lost=$(lost_total "$METRICS")
  log "exporter B: cproc_events_lost_total $b_lost_before -> $b_lost ($(series_for "$METRICS" 'cproc_events_lost_total{' | tr '\n' ' '))"
  if [[ $b_lost == absent || $b_lost_before == absent ]] || ((b_lost <= b_lost_before)); then
    soft_fail "exporter B (4096-byte buffer, stopped 1 s in a storm) reported no loss: $b_lost_before -> $b_lost"
  fi
  expect_eventually 15 "exporter B: no lifecycle counter above the truth" "$METRICS" check_deltas ||
    soft_fail "exporter B over-counts after a loss (expected vs seen above)"
  log "  B moved:$DELTAS_SEEN"
  # The gauges still come from the scan: equal to /proc, over 3 scans.
  local pid1
  pid1=$(container_host_pid "$id")
  LOSS_ID=$id LOSS_PID1=$pid1
  scrape_rounds 3 check_loss_gauges
  CHECK_MODE=exact
  stop_named_exporter B
  use_exporter A
}
LOSS_ID="" LOSS_PID1=""
check_loss_gauges() {
  check_deltas "$1"
  expect_host_truth "$1" "docker://$LOSS_ID" "$LOSS_ID" "$LOSS_PID1"
  expect_sample "$1" 1 cproc_events_source_active
}

scenario_off() {
  log "=== (6) --events.source=off"
  start_named_exporter C --events.source=off
  local id=$1 family
  wait_until 20 "exporter C lists $(short_name "$id")" exporter_lists "$id" ||
    fail "exporter C does not list $(short_name "$id")"
  E2E_PROBLEMS=()
  check_scrape "$METRICS"
  expect_sample "$METRICS" 0 cproc_events_source_active
  for family in "${LIFECYCLE_FAMILIES[@]}"; do
    expect_sample "$METRICS" absent "$family"
  done
  expect_sample "$METRICS" absent cproc_events_received_total
  expect_sample_cmp "$METRICS" '>=' 0 cproc_container_orphans_adopted_total "$(cid "$id")"
  expect_true "cproc_container_pid1_host_pid of $(short_name "$id") absent" \
    test "$(sample_count "$METRICS" cproc_container_pid1_host_pid "$(cid "$id")")" -eq 1
  expect_sample_cmp "$METRICS" '>=' 1 cproc_container_processes "$(cid "$id")"
  expect_sample_cmp "$METRICS" '>=' 1 cproc_container_threads "$(cid "$id")"
  if ((${#E2E_PROBLEMS[@]})); then
    printf '  %s\n' "${E2E_PROBLEMS[@]}"
    soft_fail "--events.source=off: metrics differ (above)"
  else
    log "OK: --events.source=off: source inactive, lifecycle families absent, the rest present"
  fi
  stop_named_exporter C
  use_exporter A
}
exporter_lists() {
  fetch_metrics "$METRICS"
  [[ $(sample_count "$METRICS" cproc_container_processes "$(cid "$1")") -ge 1 ]]
}

main() {
  command -v cc >/dev/null 2>&1 || skip "no C compiler (cc) to build the static workload helper"
  cc -static -O2 -o "$HELPER" "$(dirname "${BASH_SOURCE[0]}")/e2e_docker_events_helper.c" \
    >"$E2E_TMP/cc.log" 2>&1 || skip "cannot link the workload helper statically: $(head -c 300 "$E2E_TMP/cc.log")"

  # A large buffer: the host's other work (other tests' fork storms, on a loaded CI machine)
  # must not overflow it while this exporter waits for a CPU; exactness needs no loss.
  start_named_exporter A --events.buffer-bytes=67108864
  fetch_metrics "$METRICS"
  if [[ $(sample_sum "$METRICS" cproc_events_source_active) != 1 ]]; then
    skip "process events unavailable here (cproc_events_source_active $(sample_sum "$METRICS" cproc_events_source_active)): $(grep -m 1 -i 'events' "$EXPORTER_LOG" || true)"
  fi

  scenario_storm
  scenario_outcomes
  scenario_restarts
  scenario_orphans
  scenario_loss
  scenario_off "$CHECK_ID"
  use_exporter A
  finish
}

main
