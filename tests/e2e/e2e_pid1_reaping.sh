#!/usr/bin/env bash
# PID 1 identity, reaping and the pids controller, against real Docker containers:
#   (a) a non-reaping `sleep` PID 1 keeps one zombie: zombies{parent="pid1"} == 1, the oldest
#       zombie's age grows, pid1_info{comm="sleep",init="none"}, handles_sigterm 0,
#       is_namespace_init 1;
#   (b) the same command under --init: no zombie, init="docker-init", handles_sigterm 1;
#   (c) for every container: pid1_host_pid == docker inspect's .State.Pid;
#   (d) --pids-limit 7 -> pids_limit 7; no limit -> no pids_limit series; a refused fork at
#       --pids-limit 2 -> pids_limit_hits_total >= 1;
#   (e) --pid=host: pid1_host_pid is the main process, is_namespace_init 0;
#   (f) a busybox sh with `trap ... TERM` as PID 1: handles_sigterm 1, init none, and a
#       `docker exec -d` session does not become "PID 1";
#   (g) the stop signal, over several scans: `--stop-signal SIGUSR1` with a PID 1 that traps
#       USR1 only: pid1_info{stop_signal="SIGUSR1"}, handles_stop_signal 1, handles_sigterm 0;
#       the same under --init (docker-init forwards USR1): 1; no --stop-signal: "SIGTERM", with
#       handles_stop_signal = handles_sigterm (0 for `sleep`, 1 for the TERM trap and --init).
#       Ground truth: SigCgt in /proc/PID/status before, and `docker stop` at the end: the
#       containers said to handle their stop signal stop at once, `sleep` only at the timeout.
#
#   e2e_pid1_reaping.sh PATH_TO_cproc_exporter
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
e2e_init "$@"
require_docker
ensure_test_image

METRICS="$E2E_TMP/metrics.txt"
ZOMBIE="" INIT="" LIMIT7="" NOLIMIT="" FORKFAIL="" PIDHOST="" TRAP="" USR1="" USR1_INIT=""
ALL=()

# --- expectations, each a function of the metrics file (see expect_eventually in lib.sh)

check_pid1_basics() {
  local m=$1 c
  # (a) the zombie leaker
  c=$(cid "$ZOMBIE")
  expect_sample "$m" 1 cproc_container_zombies "$c" 'parent="pid1"'
  expect_sample "$m" 0 cproc_container_zombies "$c" 'parent="other"'
  expect_sample "$m" 0 cproc_container_zombies "$c" 'parent="outside"'
  expect_sample_cmp "$m" '>' 0 cproc_container_oldest_zombie_seconds "$c"
  expect_sample "$m" 1 cproc_container_pid1_info "$c" 'comm="sleep"' 'init="none"'
  expect_sample "$m" 0 cproc_container_pid1_handles_sigterm "$c"
  expect_sample "$m" 1 cproc_container_pid1_is_namespace_init "$c"
  # (b) under --init (zombies are checked separately, once the orphan has exited)
  c=$(cid "$INIT")
  expect_sample "$m" 1 cproc_container_pid1_info "$c" 'comm="docker-init"' 'init="docker-init"'
  expect_sample "$m" 1 cproc_container_pid1_handles_sigterm "$c"
  expect_sample "$m" 1 cproc_container_pid1_is_namespace_init "$c"
  # (d) limits
  expect_sample "$m" 7 cproc_container_pids_limit "$(cid "$LIMIT7")"
  expect_sample "$m" absent cproc_container_pids_limit "$(cid "$NOLIMIT")"
  expect_sample "$m" 1 cproc_container_pids_current "$(cid "$NOLIMIT")"
  expect_sample "$m" 2 cproc_container_pids_limit "$(cid "$FORKFAIL")"
  # (e) --pid=host
  c=$(cid "$PIDHOST")
  expect_sample "$m" 0 cproc_container_pid1_is_namespace_init "$c"
  expect_sample "$m" 1 cproc_container_pid1_info "$c" 'comm="sleep"' 'init="none"'
  # (f) the shell that traps TERM
  c=$(cid "$TRAP")
  expect_sample "$m" 1 cproc_container_pid1_handles_sigterm "$c"
  expect_sample "$m" 1 cproc_container_pid1_info "$c" 'comm="sh"' 'init="none"'
  expect_sample "$m" 1 cproc_container_pid1_is_namespace_init "$c"
  # (c) every container
  check_host_pids "$m"
}

# check_host_pids FILE: pid1_host_pid == docker inspect's .State.Pid for every container.
check_host_pids() {
  local m=$1 id pid
  for id in "${ALL[@]}"; do
    pid=$(container_host_pid "$id")
    expect_sample "$m" "$pid" cproc_container_pid1_host_pid "$(cid "$id")" ||
      E2E_PROBLEMS+=("  ^ $(short_name "$id"): docker inspect .State.Pid = $pid")
  done
}

# (b): no zombie under --init, while the zombie leaker (same command, started at the same
# time) does show its zombie: the orphan has exited in both by then.
check_init_reaps() {
  local m=$1
  expect_sample "$m" 0 cproc_container_zombies "$(cid "$INIT")"
  expect_sample "$m" 0 cproc_container_oldest_zombie_seconds "$(cid "$INIT")"
  expect_sample "$m" 1 cproc_container_zombies "$(cid "$ZOMBIE")"
  expect_true "/proc shows a zombie in the --init container: $(host_counts "$INIT")" \
    no_zombie_in_proc "$INIT"
}

no_zombie_in_proc() { [[ $(host_counts "$1") == *" zombie=0 "* ]]; }

check_fork_refused() {
  expect_sample_cmp "$1" '>=' 1 cproc_container_pids_limit_hits_total "$(cid "$FORKFAIL")"
}

check_trap_exec() {
  local m=$1
  check_host_pids "$m"
  expect_sample "$m" 1 cproc_container_pid1_info "$(cid "$TRAP")" 'comm="sh"' 'init="none"'
  expect_sample "$m" 1 cproc_container_pid1_handles_sigterm "$(cid "$TRAP")"
}

# exec_sleep_running: the `docker exec -d` sleep 900 is running in the trap container.
exec_sleep_running() {
  local pid
  for pid in $(container_pids "$TRAP"); do
    [[ $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) == "sleep 900 " ]] && return 0
  done
  return 1
}

sample_of() { sample_sum "$METRICS" "$@"; }

# (g) every container's stop signal and whether its PID 1 handles it.
check_stop_signals() {
  local m=$1 c
  c=$(cid "$USR1")
  expect_sample "$m" 1 cproc_container_pid1_info "$c" 'comm="sh"' 'init="none"' 'stop_signal="SIGUSR1"'
  expect_sample "$m" 1 cproc_container_pid1_handles_stop_signal "$c"
  expect_sample "$m" 0 cproc_container_pid1_handles_sigterm "$c"
  c=$(cid "$USR1_INIT")
  expect_sample "$m" 1 cproc_container_pid1_info "$c" 'init="docker-init"' 'stop_signal="SIGUSR1"'
  expect_sample "$m" 1 cproc_container_pid1_handles_stop_signal "$c"
  c=$(cid "$NOLIMIT")  # sleep as PID 1, no --stop-signal
  expect_sample "$m" 1 cproc_container_pid1_info "$c" 'comm="sleep"' 'stop_signal="SIGTERM"'
  expect_sample "$m" 0 cproc_container_pid1_handles_stop_signal "$c"
  c=$(cid "$TRAP")
  expect_sample "$m" 1 cproc_container_pid1_info "$c" 'comm="sh"' 'stop_signal="SIGTERM"'
  expect_sample "$m" 1 cproc_container_pid1_handles_stop_signal "$c"
  c=$(cid "$INIT")
  expect_sample "$m" 1 cproc_container_pid1_info "$c" 'init="docker-init"' 'stop_signal="SIGTERM"'
  expect_sample "$m" 1 cproc_container_pid1_handles_stop_signal "$c"
  # One pid1_info series per container: the label never splits it.
  expect_sample "$m" 1 cproc_container_pid1_info "$(cid "$USR1")"
}

# caught_signal ID SIGNAL: the container's PID 1 has a handler for SIGNAL (SigCgt).
caught_signal() {
  local pid mask
  pid=$(container_host_pid "$1")
  mask=$(awk '/^SigCgt:/ { print $2 }' "/proc/$pid/status")
  (((0x$mask >> ($2 - 1)) & 1))
}

# stop_seconds ID TIMEOUT: how long `docker stop -t TIMEOUT` takes, in whole seconds; 999 when
# it failed.
stop_seconds() {
  local started=$SECONDS
  timeout 60 "$DOCKER" stop -t "$2" "$1" >/dev/null || { echo 999; return; }
  echo $((SECONDS - started))
}

main() {
  local cmd='(sleep 1 &); exec sleep 1000'
  run_container zombie -- sh -c "$cmd"
  ZOMBIE=$CONTAINER_ID
  run_container init --init -- sh -c "$cmd"
  INIT=$CONTAINER_ID
  run_container limit7 --pids-limit 7 -- sleep 1000
  LIMIT7=$CONTAINER_ID
  run_container nolimit -- sleep 1000
  NOLIMIT=$CONTAINER_ID
  run_container forkfail --pids-limit 2 -- sleep 1000
  FORKFAIL=$CONTAINER_ID
  run_container pidhost --pid=host -- sleep 1000
  PIDHOST=$CONTAINER_ID
  run_container trap -- sh -c 'trap "exit 0" TERM; while true; do sleep 1; done'
  TRAP=$CONTAINER_ID
  # (g) USR1 only; `wait` returns when a trapped signal arrives, so the trap runs at once, and
  # the one child keeps the process count steady.
  local usr1='trap "exit 0" USR1; sleep 1000 & wait'
  run_container usr1 --stop-signal SIGUSR1 -- sh -c "$usr1"
  USR1=$CONTAINER_ID
  run_container usr1init --init --stop-signal SIGUSR1 -- sh -c "$usr1"
  USR1_INIT=$CONTAINER_ID
  ALL=("$ZOMBIE" "$INIT" "$LIMIT7" "$NOLIMIT" "$FORKFAIL" "$PIDHOST" "$TRAP" "$USR1" "$USR1_INIT")
  local started=$SECONDS

  # Ground truth for the "no limit" case: Docker's default may have been changed (daemon.json
  # default-pids-limit); then the absent-series assertion would not mean anything.
  local max
  max=$(container_cgroup_file "$NOLIMIT" pids.max)
  [[ -n $max ]] || fail "no pids.max found for container ${NOLIMIT:0:12} under /sys/fs/cgroup"
  [[ $(cat "$max") == max ]] ||
    fail "$max is '$(cat "$max")', not 'max': dockerd sets a default pids limit; cannot test 'no limit'"

  # shellcheck disable=SC2119  # no extra flags
  start_exporter
  expect_eventually 20 "PID 1 identity, limits and zombie of every container" \
    "$METRICS" check_pid1_basics || {
    log "/proc of the zombie container: $(host_counts "$ZOMBIE")"
    dump_container_procs "$ZOMBIE"
    soft_fail "PID 1 / zombie / limit metrics differ (expected vs seen above)"
  }

  # (a) the oldest zombie's age grows between two samples >= 2 s apart.
  fetch_metrics "$METRICS"
  local age1 age2
  age1=$(sample_of cproc_container_oldest_zombie_seconds "$(cid "$ZOMBIE")")
  sleep 2.5
  fetch_metrics "$METRICS"
  age2=$(sample_of cproc_container_oldest_zombie_seconds "$(cid "$ZOMBIE")")
  if [[ $age1 != absent && $age2 != absent ]] && awk -v a="$age1" -v b="$age2" 'BEGIN { exit !(b > a) }'; then
    log "OK: oldest_zombie_seconds grew from $age1 to $age2 in 2.5 s"
  else
    soft_fail "cproc_container_oldest_zombie_seconds of ${ZOMBIE:0:12}: expected a value > $age1 2.5 s later, seen $age2"
  fi

  # (b) at least 3 s after start the orphan `sleep 1` has exited in both containers.
  ((SECONDS - started >= 3)) || sleep $((3 - (SECONDS - started)))
  expect_eventually 10 "--init container has no zombie (and the leaker still has one)" \
    "$METRICS" check_init_reaps || soft_fail "zombie counts under --init differ (expected vs seen above)"
  # ... and keeps having none: two more scans.
  sleep 2
  check_round "$METRICS" check_init_reaps ||
    soft_fail "--init container: $(printf '%s; ' "${E2E_PROBLEMS[@]}") (after 2 more scans)"

  # (d) a fork refused at pids.max (PID 1 + the exec'd sh = 2: the first fork fails, and
  # busybox sh gives up). Ground truth from pids.events.
  local rc=0
  "$DOCKER" exec "$FORKFAIL" sh -c 'sleep 1 & sleep 1 & sleep 1 & wait' >"$E2E_TMP/exec.out" 2>&1 || rc=$?
  local events
  events=$(container_cgroup_file "$FORKFAIL" pids.events)
  log "docker exec in the --pids-limit 2 container: rc=$rc, $(tr '\n' ' ' <"$E2E_TMP/exec.out"); ${events:-pids.events not found}: $(cat "$events" 2>/dev/null)"
  ((rc != 0)) || fail "the docker exec in the --pids-limit 2 container did not fail: fork was not refused"
  expect_eventually 10 "pids_limit_hits_total >= 1 after a refused fork" "$METRICS" check_fork_refused ||
    soft_fail "a refused fork at pids.max is not counted (expected vs seen above)"

  # (f) a `docker exec -d` session must not be taken for PID 1.
  "$DOCKER" exec -d "$TRAP" sleep 900 || fail "docker exec -d in ${TRAP:0:12} failed"
  wait_until 10 "the exec'd sleep 900 running in ${TRAP:0:12}" exec_sleep_running || {
    dump_container_procs "$TRAP"
    fail "the docker exec -d sleep 900 did not start"
  }
  log "docker exec -d sleep 900 is running in ${TRAP:0:12}"
  # Several scans (the exporter re-reads known processes every few scans): every one right.
  local i
  for i in 1 2 3 4 5 6; do
    sleep 1
    if ! check_round "$METRICS" check_trap_exec; then
      log "scan $i after the docker exec:"
      printf '  %s\n' "${E2E_PROBLEMS[@]}"
      dump_container_procs "$TRAP"
      soft_fail "a docker exec session changed the reported PID 1 of ${TRAP:0:12}"
      break
    fi
  done
  ((i == 6)) && log "OK: PID 1 of the trap container unchanged over 6 scans after docker exec -d"

  # (g) the stop signal. Ground truth first: the USR1 trap is installed, no TERM handler.
  wait_until 10 "the USR1 trap installed in ${USR1:0:12}" caught_signal "$USR1" 10 ||
    fail "PID 1 of ${USR1:0:12} shows no SIGUSR1 handler in SigCgt"
  caught_signal "$USR1" 15 && fail "PID 1 of ${USR1:0:12} catches SIGTERM: the test means it not to"
  expect_eventually 10 "stop signal and its handling of every container" "$METRICS" \
    check_stop_signals || soft_fail "stop-signal metrics differ (expected vs seen above)"
  # ... the same on every scan: neither the label nor the gauge moves.
  for i in 1 2 3 4 5; do
    sleep 1
    if ! check_round "$METRICS" check_stop_signals; then
      printf '  %s\n' "${E2E_PROBLEMS[@]}"
      soft_fail "stop-signal metrics changed at scan $i after they were right"
      break
    fi
  done
  ((i == 5)) && log "OK: stop_signal labels and handles_stop_signal unchanged over 5 more scans"
  # docker stop sends the stop signal: handled, the container goes at once; `sleep` as PID 1
  # (SIGTERM, not handled) only when the timeout SIGKILLs it.
  local took id
  for id in "$USR1" "$USR1_INIT"; do
    took=$(stop_seconds "$id" 20)
    ((took < 10)) || soft_fail "docker stop of ${id:0:12} (SIGUSR1 handled) took ${took}s: not handled"
    log "docker stop of ${id:0:12} (SIGUSR1, handled) took ${took}s"
  done
  took=$(stop_seconds "$NOLIMIT" 3)
  ((took >= 3 && took < 999)) || soft_fail "docker stop of ${NOLIMIT:0:12} (sleep, SIGTERM) took ${took}s: handled?"
  log "docker stop of ${NOLIMIT:0:12} (sleep, SIGTERM not handled) took ${took}s (timeout 3 s)"

  finish
}

main
