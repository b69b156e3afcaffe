#!/usr/bin/env bash
# A container's series must vanish once its processes are gone: after `docker stop`, and after
# its PID 1 is SIGKILLed from the host. Other containers must stay.
#
#   e2e_docker_lifecycle.sh PATH_TO_cproc_exporter
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
e2e_init "$@"
require_docker
ensure_test_image

METRICS="$E2E_TMP/metrics.txt"

# present ID / absent ID: whether a fresh scrape has any series with container_id="docker://ID".
present() {
  fetch_metrics "$METRICS"
  grep -q -F "container_id=\"docker://$1\"" "$METRICS"
}
absent() { ! present "$1"; }

# expect_gone ID HOW: poll until no series of ID is left; dump what remains if not.
expect_gone() {
  local id=$1 how=$2
  if ! wait_until 15 "series of ${id:0:12} to disappear after $how" absent "$id"; then
    log "series still present for ${id:0:12}:"
    series_for "$METRICS" "$id" | sed 's/^/  /'
    log "/proc still has for ${id:0:12}: $(host_counts "$id")"
    dump_container_procs "$id"
    fail "container ${id:0:12} still exported 15 s after $how"
  fi
  log "container ${id:0:12}: all series gone after $how"
}

# expect_present ID WHY: the container must still be exported.
expect_present() {
  present "$1" && return 0
  log "exporter series mentioning docker:// now:"
  grep -F 'container_id="docker://' "$METRICS" | sed 's/^/  /' || true
  fail "container ${1:0:12} ($2) vanished from the metrics"
}

main() {
  local stopped killed bystander pid
  run_container stopped -- sleep 1000
  stopped=$CONTAINER_ID
  run_container killed -- sleep 1000
  killed=$CONTAINER_ID
  run_container bystander -- sleep 1000
  bystander=$CONTAINER_ID

  # shellcheck disable=SC2119  # no extra flags
  start_exporter
  local id
  for id in "$stopped" "$killed" "$bystander"; do
    wait_until 15 "container ${id:0:12} in the metrics" present "$id" || {
      log "series mentioning docker:// now:"
      grep -F 'container_id="docker://' "$METRICS" | sed 's/^/  /' || true
      fail "container ${id:0:12} never appeared in the metrics"
    }
  done
  log "all 3 containers exported"

  # `sleep` as PID 1 ignores SIGTERM, so this is the kill-after-timeout path of docker stop.
  "$DOCKER" stop -t 1 "$stopped" >/dev/null || fail "docker stop ${stopped:0:12} failed"
  expect_gone "$stopped" "docker stop -t 1"
  expect_present "$killed" "not stopped yet"
  expect_present "$bystander" "never stopped"

  pid=$(container_host_pid "$killed") || fail "docker inspect ${killed:0:12} failed"
  [[ $pid =~ ^[1-9][0-9]*$ ]] || fail "docker inspect gave host PID '$pid' for ${killed:0:12}"
  log "kill -9 $pid (PID 1 of ${killed:0:12}, started by this test)"
  kill -KILL "$pid"
  expect_gone "$killed" "kill -9 of its PID 1"
  expect_present "$bystander" "never stopped"
  log "PASS"
}

main
