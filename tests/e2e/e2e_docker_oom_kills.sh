#!/usr/bin/env bash
# cproc_container_oom_kills_total against the real kernel's OOM killer: a container with
# `--memory 16m --memory-swap 16m` whose processes allocate past the limit (a child of its PID 1,
# then a `docker exec`), while PID 1 survives. Over several scrapes after each kill the counter
# must equal the oom_kill line of the container's memory cgroup file (v1 memory.oom_control, v2
# memory.events) and the number of kills this test caused, and Docker must have reported at least
# as many `oom` events; a container without kills shows a real 0; identity labels never move; after
# `docker stop`, `docker inspect` reports OOMKilled. With the process events on, every kill is
# also an exit with outcome="oom_kill", and none a plain SIGKILL.
#
#   e2e_docker_oom_kills.sh PATH_TO_cproc_exporter PATH_TO_cproc_check_exposition
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
e2e_init "$@"
require_docker
ensure_test_image

OOM_ID=""       # the container whose processes are killed
OOM_PID1=""     # its PID 1 on the host, which must survive every kill
BYSTANDER_ID="" # a container without a memory limit: its count stays 0
KILLS=0         # OOM kills this test caused in OOM_ID
STARTED_AT=""   # for `docker events --since`

# kernel_oom_kills ID: the oom_kill count in the memory cgroup file of container ID (the
# directory named after the id, not one below it); "absent" when there is none.
kernel_oom_kills() {
  local id=$1 file
  file=$(find /sys/fs/cgroup -maxdepth 5 -type f \
    \( -name memory.oom_control -o -name memory.events \) -path "*$id/memory.*" 2>/dev/null |
    head -n 1)
  [[ -n $file ]] || { echo absent; return 0; }
  awk '$1 == "oom_kill" { print $2; found = 1 } END { if (!found) print "absent" }' "$file"
}

# docker_oom_events ID: how many `oom` events Docker reported for container ID since the test
# began (--until ends the stream at once).
docker_oom_events() {
  timeout 20 "$DOCKER" events --since "$STARTED_AT" --until "$(date +%s)" \
    --filter "container=$1" --filter event=oom 2>/dev/null | grep -c ' oom ' || true
}

# A process that doubles a shell string until the OOM killer takes it.
# shellcheck disable=SC2016  # expanded by the container's shell
HOG='x=a; while :; do x=$x$x; done'

# oom_round FILE: one scrape judged against the kernel's file and the kills made so far.
oom_round() {
  local file=$1 kernel name
  kernel=$(kernel_oom_kills "$OOM_ID")
  [[ $kernel == "$KILLS" ]] ||
    E2E_PROBLEMS+=("the kernel's oom_kill of ${OOM_ID:0:12} is $kernel, this test caused $KILLS")
  expect_sample "$file" "$kernel" cproc_container_oom_kills_total "$(cid "$OOM_ID")"
  expect_sample "$file" "$(kernel_oom_kills "$BYSTANDER_ID")" cproc_container_oom_kills_total \
    "$(cid "$BYSTANDER_ID")"
  expect_sample "$file" 0 cproc_container_oom_kills_total "$(cid "$BYSTANDER_ID")"
  # The per-container labels, nothing else, in the order every per-container series has them.
  name=$(short_name "$OOM_ID")
  grep -q -F "cproc_container_oom_kills_total{container_id=\"docker://$OOM_ID\",container=\"$name\",pod=\"\",namespace=\"\"} " "$file" ||
    E2E_PROBLEMS+=("labels of cproc_container_oom_kills_total: $(series_for "$file" "oom_kills_total{container_id=\"docker://$OOM_ID")")
  # PID 1 survived every kill: the container's init is still the same process.
  expect_sample "$file" "$OOM_PID1" cproc_container_pid1_host_pid "$(cid "$OOM_ID")"
  # With the process events, each victim's SIGKILL exit is told an OOM kill by that count, and
  # no SIGKILL is left over (nothing else was killed in the container).
  if [[ $(sample_sum "$file" cproc_events_source_active) == 1 ]]; then
    expect_sample "$file" "$KILLS" cproc_container_processes_exited_total "$(cid "$OOM_ID")" \
      'outcome="oom_kill"'
    [[ $(sample_sum "$file" cproc_container_processes_exited_total "$(cid "$OOM_ID")" \
      'signal="SIGKILL"') == absent ]] ||
      E2E_PROBLEMS+=("SIGKILL exits of ${OOM_ID:0:12} not told OOM kills: $(series_for "$file" "exited_total{container_id=\"docker://$OOM_ID")")
    expect_sample "$file" 0 cproc_container_pid1_exits_total "$(cid "$OOM_ID")" 'outcome="oom_kill"'
  fi
}

# expect_docker_oom_events: Docker saw at least as many OOM events as the kernel counted kills
# (it reads them asynchronously: allowed a few seconds). Not exactly as many: on cgroup v1 Docker
# hears the memory cgroup's OOM notification, which fires for each time the cgroup was under OOM,
# and one kill can take two (seen: 4 events for 3 kills).
docker_events_match() { (($(docker_oom_events "$OOM_ID") >= KILLS)); }
expect_docker_oom_events() {
  wait_until 15 "docker events to report $KILLS oom event(s)" docker_events_match ||
    soft_fail "docker events reported $(docker_oom_events "$OOM_ID") oom events for ${OOM_ID:0:12}, the kernel's file $(kernel_oom_kills "$OOM_ID"), this test caused $KILLS"
}

# hogs_ended: how many of PID 1's children ended killed (the loop logs "hog ended 137").
hogs_ended() { "$DOCKER" logs "$OOM_ID" 2>&1 | grep -c '^hog ended 137$' || true; }

# kill_child_of_pid1: PID 1's loop starts the hog as its own child each time the number in
# /tmp/go grows (shell builtins only: the image has few applets).
HOGS_BEFORE=0
CHILD_HOGS=0
hog_logged() { (($(hogs_ended) > HOGS_BEFORE)); }
kill_child_of_pid1() {
  HOGS_BEFORE=$(hogs_ended)
  CHILD_HOGS=$((CHILD_HOGS + 1))
  "$DOCKER" exec "$OOM_ID" sh -c "echo $CHILD_HOGS >/tmp/go" ||
    fail "docker exec writing /tmp/go failed"
  wait_until 30 "PID 1's child to be OOM-killed (exit 137)" hog_logged || {
    "$DOCKER" logs "$OOM_ID" 2>&1 | tail -n 5
    fail "PID 1's child was not OOM-killed"
  }
  KILLS=$((KILLS + 1))
  log "PID 1's child was OOM-killed; the kernel counts $(kernel_oom_kills "$OOM_ID")"
  expect_docker_oom_events
}

# kill_exec: a `docker exec` process allocates until killed; docker exec returns 137.
kill_exec() {
  local rc=0
  "$DOCKER" exec "$OOM_ID" sh -c "$HOG" >/dev/null 2>&1 || rc=$?
  ((rc == 137)) || fail "the docker exec memory hog ended with $rc, not 137 (SIGKILL)"
  KILLS=$((KILLS + 1))
  log "the docker exec hog was OOM-killed; the kernel counts $(kernel_oom_kills "$OOM_ID")"
  expect_docker_oom_events
}

main() {
  STARTED_AT=$(date +%s)
  # Not run_container: without --rm, so that `docker inspect` still answers after the stop (the
  # cleanup removes it). PID 1 survives its children's deaths and stops on SIGTERM.
  OOM_ID=$("$DOCKER" run -d --pull never --network none --label cproc-e2e=1 \
    --name "${E2E_PREFIX}oom" --memory 16m --memory-swap 16m "$E2E_IMAGE" \
    sh -c "trap 'exit 0' TERM; n=0; while :; do { read want </tmp/go; } 2>/dev/null || want=0
      if [ \$want -gt \$n ]; then n=\$want; ($HOG); echo hog ended \$?; fi; sleep 0.2; done") ||
    fail "docker run ${E2E_PREFIX}oom failed"
  E2E_CONTAINERS+=("$OOM_ID")
  log "started ${E2E_PREFIX}oom = ${OOM_ID:0:12} (--memory 16m --memory-swap 16m)"
  OOM_PID1=$(container_host_pid "$OOM_ID")
  run_container bystander -- sleep 1000
  BYSTANDER_ID=$CONTAINER_ID

  [[ $(kernel_oom_kills "$OOM_ID") == 0 ]] ||
    skip "no oom_kill in the memory cgroup of ${OOM_ID:0:12} (no memory controller, or a kernel before 4.13): $(kernel_oom_kills "$OOM_ID")"

  # shellcheck disable=SC2119  # no extra flags
  start_exporter
  # 0 kills, then one by PID 1's child, then one by docker exec, then another: 3 scrapes each.
  scrape_rounds_with_changes 3 oom_round kill_child_of_pid1 3 oom_round kill_exec 3 oom_round \
    kill_exec 3 oom_round

  "$DOCKER" stop -t 5 "$OOM_ID" >/dev/null || fail "docker stop ${OOM_ID:0:12} failed"
  local oom_killed
  oom_killed=$("$DOCKER" inspect -f '{{.State.OOMKilled}}' "$OOM_ID")
  [[ $oom_killed == true ]] ||
    soft_fail "docker inspect .State.OOMKilled of ${OOM_ID:0:12} is '$oom_killed' after $KILLS OOM kills"
  finish
}

main
