#!/usr/bin/env bash
# containerd without Docker's API: a container started with `ctr` lives in the cgroup
# /<containerd namespace>/<id>. The exporter must find it (confirmed by containerd's bundle),
# name it, count its processes (the zombie included), and drop it when it is gone.
# Uses the containerd that dockerd runs (Debian docker.io); skips if there is none.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
e2e_init "$@"
require_docker

CTR_ADDRESS=${CTR_ADDRESS:-/run/docker/containerd/containerd.sock}
command -v ctr >/dev/null 2>&1 || skip "ctr is not installed (Debian package containerd)"
[[ -S $CTR_ADDRESS ]] || skip "no containerd socket at $CTR_ADDRESS (dockerd's containerd)"

NAMESPACE="cproc-e2e-$$"
ID="ctr-probe-$$"
IMAGE="docker.io/$E2E_IMAGE"
ctr_() { timeout 60 ctr --address "$CTR_ADDRESS" --namespace "$NAMESPACE" "$@"; }

# Removes only what this test created in containerd; keeps the exit status for e2e_cleanup.
cleanup_ctr() {
  local rc=$1
  set +e  # every step is best effort: a task that is already gone must not stop the rest
  ctr_ task kill --signal SIGKILL "$ID" >/dev/null 2>&1
  for _ in $(seq 1 20); do
    ctr_ task rm "$ID" >/dev/null 2>&1 && break
    sleep 0.25
  done
  ctr_ container rm "$ID" >/dev/null 2>&1
  ctr_ images rm "$IMAGE" >/dev/null 2>&1
  # A namespace can only go once its snapshots and content blobs are gone.
  # Twice: a parent snapshot can only go after its children.
  for _ in 1 2; do
    ctr_ snapshots ls 2>/dev/null | awk 'NR > 1 { print $1 }' | while read -r key; do
      ctr_ snapshots rm "$key" >/dev/null 2>&1
    done
  done
  ctr_ content ls -q 2>/dev/null | while read -r digest; do
    ctr_ content rm "$digest" >/dev/null 2>&1
  done
  ctr --address "$CTR_ADDRESS" namespaces rm "$NAMESPACE" >/dev/null 2>&1 ||
    log "note: containerd namespace $NAMESPACE could not be removed"
  # containerd keeps the namespace's (by now empty) directory among its task bundles.
  rmdir /run/docker/containerd/daemon/io.containerd.runtime.v2.task/"$NAMESPACE" \
    /run/containerd/io.containerd.runtime.v2.task/"$NAMESPACE" 2>/dev/null
  # containerd leaves the namespace's cgroup behind and removes the task's asynchronously.
  for _ in 1 2 3 4 5; do
    remove_cgroup_trees "$NAMESPACE"
    [[ -z $(find /sys/fs/cgroup -maxdepth 2 -name "$NAMESPACE" 2>/dev/null) ]] && break
    sleep 0.5
  done
  return "$rc"
}
trap 'cleanup_ctr $?; e2e_cleanup' EXIT

# The busybox test image, moved from Docker's store into this containerd namespace.
ensure_test_image
"$DOCKER" save "$E2E_IMAGE" -o "$E2E_TMP/image.tar" || fail "docker save $E2E_IMAGE failed"
ctr_ images import "$E2E_TMP/image.tar" >/dev/null || fail "ctr images import failed"
# PID 1 is sleep and never reaps: the orphaned `sleep 1` stays a zombie.
ctr_ run -d "$IMAGE" "$ID" sh -c '(sleep 1 &); sleep 1000 & exec sleep 1001' >/dev/null ||
  fail "ctr run failed"

pid=$(ctr_ task ls | awk -v id="$ID" '$1 == id { print $2 }')
[[ -n $pid ]] || fail "ctr did not start task $ID"
grep -q ":/$NAMESPACE/$ID\$" "/proc/$pid/cgroup" ||
  fail "expected cgroup /$NAMESPACE/$ID for pid $pid, found: $(cat "/proc/$pid/cgroup")"
log "ctr task $ID runs as host pid $pid in cgroup /$NAMESPACE/$ID"

start_exporter
CID="containerd://$ID"
METRICS="$E2E_TMP/metrics"

present() {
  expect_sample "$1" 1 cproc_container_info "container_id=\"$CID\"" "container=\"$ID\"" \
    'runtime="containerd"' 'layout="containerd-namespaced"'
  expect_sample "$1" 1 cproc_container_processes "container_id=\"$CID\"" 'state="zombie"'
  expect_sample "$1" 2 cproc_container_processes "container_id=\"$CID\"" 'state="sleeping"'
  expect_sample "$1" "$pid" cproc_container_pid1_host_pid "container_id=\"$CID\""
  expect_sample "$1" 1 cproc_container_zombies "container_id=\"$CID\"" 'parent="pid1"'
}
expect_eventually 20 "ctr container found, named and counted" "$METRICS" present ||
  fail "the ctr container is not reported as expected"

# Many scans, compared with containerd's answer and /proc in each, across a change: a process
# exec'd into the task (containerd's shim is its parent, outside the container).
BUNDLE=""
for root in /run/docker/containerd/daemon/io.containerd.runtime.v2.task \
  /run/containerd/io.containerd.runtime.v2.task; do
  [[ -f $root/$NAMESPACE/$ID/config.json ]] && BUNDLE=$root/$NAMESPACE/$ID/config.json
done
[[ -n $BUNDLE ]] || fail "containerd's bundle of $ID not found"
# `ctr run` writes no annotations into the bundle: no image name for the exporter to show.
log "bundle $BUNDLE; annotations: $(jq -c '.annotations // {}' "$BUNDLE")"
NEEDLE="/$NAMESPACE/$ID"  # selects the task's processes in /proc/PID/cgroup
EXECS=0                   # processes exec'd into the task
ctr_truth() {
  local file=$1 task_pid live dead
  task_pid=$(ctr_ task ls | awk -v id="$ID" '$1 == id { print $2 }')
  [[ $task_pid == "$pid" ]] || E2E_PROBLEMS+=("ctr task ls says PID $task_pid, was $pid")
  expect_identity "$file" "$CID" "$ID" "" "" containerd "" "" containerd-namespaced "$NEEDLE"
  expect_host_truth "$file" "$CID" "$NEEDLE" "$pid"
  expect_series "cproc_container_pid1_info{comm=\"${E2E_HOST[comm]}\",init=\"none\",stop_signal=\"SIGTERM\"}" 1
  expect_series "cproc_container_pid1_is_namespace_init{}" 1
  # containerd's own list of the task's processes (its cgroup: zombies have left it).
  live=$(($(ctr_ task ps "$ID" | wc -l) - 1))
  dead=${E2E_HOST[zombie]}
  ((live == E2E_HOST[total] - dead)) ||
    E2E_PROBLEMS+=("ctr task ps lists $live processes; /proc ${E2E_HOST[total]}, $dead zombies")
  # the facts this test is about (they follow from /proc too)
  expect_series 'cproc_container_zombies{parent="pid1"}' 1
  expect_series 'cproc_container_processes{state="sleeping"}' $((2 + EXECS))
}
exec_into_task() {
  log "ctr task exec: sleep 1000 in $ID"
  ctr_ task exec -d --exec-id "probe-$$" "$ID" sleep 1000 >/dev/null || fail "ctr task exec failed"
  EXECS=1
  wait_until 10 "the exec'd process in the task's cgroup" exec_running ||
    fail "the exec'd process did not appear: $(dump_container_procs "$NEEDLE")"
}
exec_running() {
  read_host_truth "$NEEDLE" "$pid"
  ((E2E_HOST[total] == 4))
}
scrape_rounds_with_changes 5 ctr_truth exec_into_task 6 ctr_truth

ctr_ task kill --signal SIGKILL "$ID" >/dev/null || fail "ctr task kill failed"
gone() {
  local left
  left=$(grep -c "container_id=\"$CID\"" "$1" || true)
  [[ $left -eq 0 ]] || E2E_PROBLEMS+=("$left series of $CID still present")
}
expect_eventually 20 "ctr container gone from the metrics" "$METRICS" gone ||
  fail "series of a killed ctr container remain"
finish
