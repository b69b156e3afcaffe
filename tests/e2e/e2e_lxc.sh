#!/usr/bin/env bash
# Real LXC (5.x; lxc-create -t busybox, lxc-start): a system container whose processes live in
# the cgroup lxc.payload.<name> and whose monitor lives in lxc.monitor.<name>. LXC keeps no file
# the exporter reads: the container is found, and named, by its cgroup alone. Compared with
# lxc-info and /proc over many scans, across two changes: the process that leaves a zombie is
# killed, so busybox init (PID 1, which reaps) collects the orphaned zombie; then SIGTERM to PID 1
# restarts the container (a new PID 1, the same container).
# The container lives under this test's own lxcpath (-P): nothing touches /var/lib/lxc.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
e2e_init "$@"
require_root
for tool in lxc-create lxc-start lxc-wait lxc-info lxc-stop lxc-destroy; do
  command -v "$tool" >/dev/null 2>&1 || skip "$tool is not installed (Debian package lxc)"
done
[[ -f /usr/share/lxc/templates/lxc-busybox ]] ||
  skip "LXC's busybox template is missing (/usr/share/lxc/templates/lxc-busybox)"
command -v busybox >/dev/null 2>&1 || skip "busybox is not installed (the LXC template copies it)"
for kind in pid net ipc uts mnt cgroup; do
  [[ -e /proc/self/ns/$kind ]] || skip "the kernel has no $kind namespaces"
done
command -v jq >/dev/null 2>&1 || fail "jq not found; run scripts/install-deps"

LXC_NAME="cproc-e2e-$$-lxc"
LXC_PATH="$E2E_TMP/lxc"  # our own lxcpath
LXC_LOG="$E2E_TMP/lxc.log"
LXC_CREATED=""
lxc_() { # lxc_ COMMAND [ARGS...]: lxc-COMMAND on this test's container, bounded
  local command=$1
  shift
  timeout 60 "lxc-$command" -P "$LXC_PATH" -n "$LXC_NAME" "$@"
}

# Stops and destroys only this test's container; keeps the exit status for e2e_cleanup (which
# then removes $E2E_TMP, the lxcpath with it).
cleanup_lxc() {
  local rc=$1
  set +e
  if [[ -n $LXC_CREATED ]]; then
    lxc_ stop -k >/dev/null 2>&1
    lxc_ destroy >/dev/null 2>&1 || log "warning: lxc-destroy $LXC_NAME failed"
  fi
  remove_cgroup_trees "lxc.payload.$LXC_NAME" "lxc.monitor.$LXC_NAME"
  return "$rc"
}
trap 'cleanup_lxc $?; e2e_cleanup' EXIT

mkdir -p "$LXC_PATH"
cat >"$E2E_TMP/lxc.conf" <<'EOF'
lxc.net.0.type = empty
lxc.apparmor.profile = unconfined
EOF
log "creating LXC container $LXC_NAME (busybox template) under $LXC_PATH"
LXC_CREATED=1
lxc_ create -f "$E2E_TMP/lxc.conf" -t busybox >"$E2E_TMP/lxc-create.out" 2>&1 ||
  fail "lxc-create failed: $(tail -n 20 "$E2E_TMP/lxc-create.out")"
# Busybox init reaps every child, so a child leaves the zombie: sh forks `sleep 1` and execs
# `sleep 1000`, which never waits. The zombie's parent is that sleep, not PID 1.
echo "::once:/bin/sh -c 'sleep 1 & exec sleep 1000'" >>"$LXC_PATH/$LXC_NAME/rootfs/etc/inittab"
lxc_ start -l INFO -o "$LXC_LOG" >"$E2E_TMP/lxc-start.out" 2>&1 ||
  fail "lxc-start failed: $(cat "$E2E_TMP/lxc-start.out"; tail -n 20 "$LXC_LOG" 2>/dev/null)"
lxc_ wait -s RUNNING -t 30 || fail "$LXC_NAME did not reach RUNNING within 30 s"

PID1=$(lxc_ info -p -H)
[[ $PID1 =~ ^[1-9][0-9]*$ ]] || fail "lxc-info -p gave no PID for $LXC_NAME: '$PID1'"
NEEDLE="lxc.payload.$LXC_NAME"  # selects the container's processes in /proc/PID/cgroup
CGROUP="/$NEEDLE"
grep -q ":$CGROUP\$" "/proc/$PID1/cgroup" ||
  fail "expected PID 1 ($PID1) in cgroup $CGROUP, found: $(cat "/proc/$PID1/cgroup")"
log "LXC container $LXC_NAME runs, PID 1 = host pid $PID1 in cgroup $CGROUP"

CID="lxc://$LXC_NAME"

# The runtime's own answer and /proc, in every round.
lxc_truth() {
  local file=$1 pid1 series
  pid1=$(lxc_ info -p -H)
  [[ $pid1 == "$PID1" ]] || E2E_PROBLEMS+=("lxc-info now says PID 1 is '$pid1', was $PID1")
  expect_identity "$file" "$CID" "$LXC_NAME" "" "" lxc "" "" lxc-payload "$CGROUP"
  expect_host_truth "$file" "$CID" "$NEEDLE" "$PID1"
  expect_series "cproc_container_pid1_info{comm=\"${E2E_HOST[comm]}\",init=\"init\",stop_signal=\"SIGTERM\"}" 1  # busybox
  expect_series "cproc_container_pid1_is_namespace_init{}" 1
  # Busybox init takes SIGTERM (reboot) in sigtimedwait, where /proc shows no handler and no
  # block; the restart below proves it.
  expect_series "cproc_container_pid1_handles_sigterm{}" 1
  # The monitor (lxc.monitor.<name>) is LXC's own host process, no container.
  series=$(grep -c "^cproc_container_info{.*$LXC_NAME" "$file" || true)
  [[ $series == 1 ]] ||
    E2E_PROBLEMS+=("$series cproc_container_info series mention $LXC_NAME (want 1)")
}
with_zombie() {
  lxc_truth "$1"
  [[ ${E2E_HOST[zombies_other]} == 1 && ${E2E_HOST[zombies_pid1]} == 0 ]] ||
    E2E_PROBLEMS+=("premise: /proc shows no zombie of PID 1's child: $(declare -p E2E_HOST)")
  expect_series 'cproc_container_zombies{parent="other"}' 1
  expect_series 'cproc_container_oldest_pid1_zombie_seconds{}' 0
}
without_zombie() {
  lxc_truth "$1"
  expect_series 'cproc_container_processes{state="zombie"}' 0
  expect_series 'cproc_container_oldest_zombie_seconds{}' 0
}
zombie_present() {
  read_host_truth "$NEEDLE" "$PID1"
  ((E2E_HOST[zombies_other] == 1))
}
no_zombie_left() {
  read_host_truth "$NEEDLE" "$PID1"
  ((E2E_HOST[zombie] == 0))
}

start_exporter
METRICS="$E2E_TMP/metrics"
expect_eventually 20 "LXC container found, named and counted" "$METRICS" with_zombie ||
  fail "the LXC container is not reported as expected"

# Change 1: kill the zombie's parent (our container's `sleep 1000`, PID 1's child); busybox init
# adopts the zombie and reaps it.
kill_zombie_parent() {
  local pid parent=""
  for pid in $(container_pids "$NEEDLE"); do
    [[ $(cat "/proc/$pid/comm" 2>/dev/null) == sleep ]] || continue
    [[ $(awk '{ print $4 }' "/proc/$pid/stat" 2>/dev/null) == "$PID1" ]] || continue
    parent=$pid
  done
  [[ -n $parent ]] || fail "no sleep child of PID 1 in $LXC_NAME: $(dump_container_procs "$NEEDLE")"
  log "killing pid $parent (sleep 1000, the zombie's parent) in $LXC_NAME"
  kill -KILL "$parent"
  wait_until 10 "the zombie reaped by busybox init" no_zombie_left ||
    fail "the zombie was not reaped: $(dump_container_procs "$NEEDLE")"
}
# Change 2: SIGTERM to PID 1, as `docker stop` would send: busybox init reboots the container
# (lxc.signal.reboot), and LXC starts a new init, which runs the inittab (and its zombie) again.
restart_by_sigterm() {
  local old=$PID1
  log "SIGTERM to PID 1 ($old) of $LXC_NAME"
  kill -TERM "$old"
  wait_until 30 "$LXC_NAME restarted with a new PID 1" pid1_replaced ||
    fail "$LXC_NAME did not restart on SIGTERM (PID 1 still '$(lxc_ info -p -H)')"
  PID1=$(lxc_ info -p -H)
  log "$LXC_NAME restarted: PID 1 = host pid $PID1"
  wait_until 20 "the new zombie" zombie_present ||
    fail "no zombie after the restart: $(dump_container_procs "$NEEDLE")"
}
pid1_replaced() {
  local pid
  pid=$(lxc_ info -p -H 2>/dev/null) || return 1
  [[ $pid =~ ^[1-9][0-9]*$ && $pid != "$PID1" ]] && lxc_ wait -s RUNNING -t 1 >/dev/null 2>&1
}
scrape_rounds_with_changes 4 with_zombie kill_zombie_parent 3 without_zombie \
  restart_by_sigterm 4 with_zombie
finish
