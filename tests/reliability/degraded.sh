#!/usr/bin/env bash
# Degraded environments: the exporter keeps serving what it can, logs each problem once (not per
# scan) and says so in a self-metric.
#   1. no CAP_SYS_PTRACE (run as nobody): namespaces unreadable, counted, one warning; with a
#      Docker daemon, a container's root-only runtime files too: short id, counted, one warning
#   2. procfs missing: /metrics still answers, cproc_scan_success 0, one error line
#   3. cgroupfs missing: pids metrics left out, cproc_scan_cgroup_pids_available 0, one warning
#   4. a bad config on SIGHUP keeps the running one (cproc_config_last_reload_successful 0)
#   5. SIGTERM stops it promptly: after serving scrapes, and while a scan is stuck in a read
#      that never returns (a FIFO in a procfs-like tree stands for a hung filesystem)
#   6. a --runtime.docker-root without Docker's files is said once in the log
# shellcheck source-path=SCRIPTDIR source=../e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../e2e/lib.sh"
e2e_init "$@"
require_root
command -v setpriv >/dev/null 2>&1 || skip "setpriv is missing (package util-linux)"
REAL_BIN=$EXPORTER_BIN
METRICS="$E2E_TMP/metrics"

# count_lines PATTERN: how often the exporter's log says PATTERN.
count_lines() { grep -c -- "$1" "$EXPORTER_LOG" || true; }

# after_scans N: wait until cproc_scan_timestamp_seconds moved N times (scan interval 1 s;
# bounded in time, generously: a busy host makes scans and fetches slow).
after_scans() {
  local n=$1 last="" seen=0 now deadline=$((SECONDS + 10 * $1 + 30))
  while ((SECONDS < deadline)); do
    fetch_metrics "$METRICS"
    # The raw text: awk's %.6g would round a unix time to ~1000 s.
    now=$(awk '$1 == "cproc_scan_timestamp_seconds" { print $2 }' "$METRICS")
    [[ $now != "$last" ]] && { seen=$((seen + 1)); last=$now; }
    ((seen > n)) && return 0
    sleep 0.3
  done
  fail "the exporter did not scan $n times in $((10 * n + 30)) s"
}

stop_exporter() { stop_pid "$EXPORTER_PID"; }

# --- 1. no CAP_SYS_PTRACE --------------------------------------------------------------------
log "case 1: as nobody, without capabilities"
# A binary inside root-only directories cannot be run by nobody: copy it (and its OpenSSL shims)
# where nobody can read it.
unprivileged="$E2E_TMP/nobody"
mkdir -p "$unprivileged/bin" "$unprivileged/lib/cproc_exporter"
cp "$REAL_BIN" "$unprivileged/bin/cproc_exporter"
cp "$(dirname "$REAL_BIN")"/../lib/cproc_exporter/*.so "$unprivileged/lib/cproc_exporter/" 2>/dev/null || true
chmod -R a+rX "$E2E_TMP"
cat >"$unprivileged/run" <<WRAP
#!/bin/sh
exec setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all --bounding-set=-all \
  env LD_LIBRARY_PATH=$unprivileged/lib/cproc_exporter $unprivileged/bin/cproc_exporter "\$@"
WRAP
chmod a+rx "$unprivileged/run"
EXPORTER_BIN="$unprivileged/run"
CONTAINER=""
if command -v "$DOCKER" >/dev/null 2>&1 && timeout 20 "$DOCKER" info >/dev/null 2>&1; then
  ensure_test_image
  run_container degraded -- sleep 1000
  CONTAINER=$CONTAINER_ID
else
  skip_part "case 1 without a container whose runtime files are root-only (no Docker daemon)"
fi
start_exporter
after_scans 5
processes=$(sample_sum "$METRICS" cproc_scan_processes)
unreadable=$(sample_sum "$METRICS" cproc_scan_namespaces_unreadable_processes)
permission=$(sample_sum "$METRICS" cproc_scan_errors_total 'reason="permission"')
log "nobody: $processes processes, $unreadable with unreadable namespaces, $permission permission errors"
((processes > 10)) || soft_fail "as nobody it still lists processes (saw $processes)"
((unreadable * 2 > processes)) || soft_fail "most namespaces are unreadable without CAP_SYS_PTRACE (saw $unreadable of $processes)"
((permission >= unreadable)) || soft_fail "each unreadable process counts as a permission error ($permission < $unreadable)"
[[ $(sample_sum "$METRICS" cproc_scan_success) == 1 ]] || soft_fail "cproc_scan_success is 1: the scan works, degraded"
warnings=$(count_lines "without CAP_SYS_PTRACE")
[[ $warnings == 1 ]] || soft_fail "the missing capability is logged once over 5 scans (logged $warnings times)"
if [[ -n $CONTAINER ]]; then
  # Docker's config.v2.json is root-only: the container is counted, named by its short id.
  named=$(sample_count "$METRICS" cproc_container_info "container_id=\"docker://$CONTAINER\"" \
    "container=\"${CONTAINER:0:12}\"")
  ((named == 1)) || soft_fail "as nobody the container is shown by its short id ${CONTAINER:0:12}"
  denied=$(sample_sum "$METRICS" cproc_scan_runtime_file_errors_total 'reason="permission"')
  ((denied > 0)) || soft_fail "unreadable runtime files are counted (reason=permission: $denied)"
  warned=$(count_lines "need CAP_DAC_READ_SEARCH")
  [[ $warned == 1 ]] || soft_fail "unreadable runtime files are logged once (logged $warned times)"
  log "nobody: container ${CONTAINER:0:12} by its short id, $denied runtime files denied"
fi
stop_exporter
EXPORTER_BIN=$REAL_BIN

# --- 2. procfs missing -----------------------------------------------------------------------
log "case 2: --path.procfs points nowhere"
EXPORTER_PORT=$(free_port)
EXPORTER_URL="http://127.0.0.1:$EXPORTER_PORT"
EXPORTER_LOG="$E2E_TMP/noproc.log"
"$EXPORTER_BIN" --web.listen-address="127.0.0.1:$EXPORTER_PORT" --scan.interval=1s \
  --path.procfs="/nonexistent-$$" >"$EXPORTER_LOG" 2>&1 &
EXPORTER_PID=$!
E2E_PIDS+=("$EXPORTER_PID")
wait_until 15 "exporter serving without a procfs" exporter_ready ||
  fail "without a procfs the exporter must still answer /metrics"
sleep 4
fetch_metrics "$METRICS"
[[ $(sample_sum "$METRICS" cproc_scan_success) == 0 ]] || soft_fail "cproc_scan_success is 0 without a procfs"
[[ $(sample_sum "$METRICS" cproc_build_info) == 1 ]] || soft_fail "self metrics are still served"
errors=$(count_lines "scan failed")
[[ $errors == 1 ]] || soft_fail "the failing scan is logged once over several scans (logged $errors times)"
grep -q "/nonexistent-$$" "$EXPORTER_LOG" || soft_fail "the log names the missing procfs path"
stop_exporter

# --- 3. cgroupfs missing ---------------------------------------------------------------------
log "case 3: --path.sysfs points nowhere"
start_exporter --path.sysfs="/nonexistent-$$"
after_scans 3
[[ $(sample_sum "$METRICS" cproc_scan_cgroup_pids_available) == 0 ]] ||
  soft_fail "cproc_scan_cgroup_pids_available is 0 without cgroupfs"
[[ $(sample_count "$METRICS" cproc_container_pids_current) == 0 ]] ||
  soft_fail "no pids series without cgroupfs"
((  $(sample_sum "$METRICS" cproc_scan_processes) > 10 )) || soft_fail "processes are still counted"
[[ $(count_lines "no cgroup pids controller") == 1 ]] || soft_fail "the missing cgroupfs is logged once"
[[ $(sample_count "$METRICS" cproc_container_oom_kills_total) == 0 ]] ||
  soft_fail "no OOM kill series without cgroupfs (unknown is never 0)"
[[ $(count_lines "no cgroup memory controller") == 1 ]] ||
  soft_fail "the missing memory controller is logged once"
stop_exporter

# --- 4. a bad config on SIGHUP ---------------------------------------------------------------
log "case 4: SIGHUP with a bad config keeps the running one"
config="$E2E_TMP/cproc.yml"
printf 'scan:\n  interval: 1s\n' >"$config"
start_exporter --config.file="$config"
after_scans 1
printf 'scan:\n  interval: [oops]\n' >"$config"
kill -HUP "$EXPORTER_PID"
reload_state() { fetch_metrics "$METRICS"; [[ $(sample_sum "$METRICS" cproc_config_last_reload_successful) == "$1" ]]; }
wait_until 10 "reload reported as failed" reload_state 0 || soft_fail "a bad reload sets cproc_config_last_reload_successful 0"
kill -0 "$EXPORTER_PID" 2>/dev/null || fail "the exporter died on a bad reload"
after_scans 2  # still scanning at the old 1 s interval
grep -q "reload failed, keeping the running configuration: $config:2" "$EXPORTER_LOG" ||
  soft_fail "the log names the file and line of the bad config"
printf 'scan:\n  interval: 1s\nnamespace_sharing:\n  allow: ["x*"]\n' >"$config"
kill -HUP "$EXPORTER_PID"
wait_until 10 "reload reported as successful" reload_state 1 || soft_fail "a good reload sets cproc_config_last_reload_successful 1"
stop_exporter

# --- 5. SIGTERM, promptly --------------------------------------------------------------------
# seconds_to_exit: send SIGTERM to the exporter, print how long it took to exit (bounded: 15 s).
seconds_to_exit() {
  local start=$EPOCHREALTIME i
  kill -TERM "$EXPORTER_PID"
  for ((i = 0; i < 150; i++)); do
    kill -0 "$EXPORTER_PID" 2>/dev/null || break
    sleep 0.1
  done
  awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f\n", b - a }'
}
log "case 5: SIGTERM after scrapes, and with a scan stuck in a read"
start_exporter
after_scans 2
took=$(seconds_to_exit)
log "exit after scrapes took ${took}s"
awk -v t="$took" 'BEGIN { exit !(t < 1.0) }' || soft_fail "SIGTERM after scrapes took ${took}s (>= 1 s)"
stuck="$E2E_TMP/stuck-procfs"
mkdir -p "$stuck/1"
mkfifo "$stuck/1/stat"  # opening it for reading waits for a writer that never comes
# Not start_exporter: /metrics answers 503 until a first scan completes, which never happens.
EXPORTER_PORT=$(free_port)
EXPORTER_LOG="$E2E_TMP/exporter.stuck.log"
"$EXPORTER_BIN" --web.listen-address="127.0.0.1:$EXPORTER_PORT" --path.procfs="$stuck" \
  >"$EXPORTER_LOG" 2>&1 &
EXPORTER_PID=$!
E2E_PIDS+=("$EXPORTER_PID")
healthy() { curl -fsS --max-time 2 -o /dev/null "http://127.0.0.1:$EXPORTER_PORT/-/healthy"; }
wait_until 20 "the exporter with a stuck scan answers /-/healthy" healthy ||
  fail "the exporter with a stuck scan does not serve"
took=$(seconds_to_exit)
log "exit with a stuck scan took ${took}s"
awk -v t="$took" 'BEGIN { exit !(t < 4.0) }' || soft_fail "SIGTERM with a stuck scan took ${took}s (>= 4 s)"
grep -q 'blocked in a read; exiting without waiting' "$EXPORTER_LOG" ||
  soft_fail "the log does not say why it exited without the scan"

# --- 6. a docker root without Docker's files -------------------------------------------------
log "case 6: --runtime.docker-root points at a directory without Docker's files"
start_exporter --runtime.docker-root="$E2E_TMP/no-docker-here"
after_scans 2
[[ $(count_lines 'has no containers directory') -eq 1 ]] ||
  soft_fail "the log does not say once that the docker root has no containers directory"
# At the level --log.level calls it (warn), as node_exporter writes it, not spdlog's "warning".
grep -q 'level=warn msg="--runtime.docker-root' "$EXPORTER_LOG" ||
  soft_fail "the warning is not logged as level=warn: $(grep -- '--runtime.docker-root' "$EXPORTER_LOG")"
stop_exporter
finish
