#!/usr/bin/env bash
# Per-container process counts by state, zombies included, must equal what /proc shows on the
# host; the total must equal `docker top` (which cannot see zombies) plus the zombies.
#
#   e2e_docker_counts.sh PATH_TO_cproc_exporter
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
e2e_init "$@"
require_docker
ensure_test_image

MISMATCH="$E2E_TMP/mismatch"

# check_container ID METRICS_FILE: 0 if the exporter agrees with /proc and docker top for
# container ID; otherwise 1, with the differences written to $MISMATCH.
check_container() {
  local id=$1 metrics=$2 cid="container_id=\"docker://$1\"" state got want problems=()
  local -A host=()
  local kv
  for kv in $(host_counts "$id"); do host[${kv%%=*}]=${kv#*=}; done

  for state in "${E2E_STATES[@]}"; do
    got=$(sample_sum "$metrics" cproc_container_processes "$cid" "state=\"$state\"")
    want=${host[$state]}
    [[ $got == "$want" ]] || problems+=("processes{state=$state}: exporter $got, /proc $want")
  done
  got=$(sample_sum "$metrics" cproc_container_processes "$cid")
  [[ $got == "${host[total]}" ]] || problems+=("processes (all states): exporter $got, /proc ${host[total]}")

  # docker top lists cgroup.procs, which never contains zombies.
  local top zombies
  top=$("$DOCKER" top "$id" -eo pid | tail -n +2 | wc -l)
  zombies=$(sample_sum "$metrics" cproc_container_processes "$cid" 'state="zombie"')
  if [[ $got != absent && $zombies != absent ]] && ((got != top + zombies)); then
    problems+=("exporter total $got != docker top $top + exporter zombies $zombies")
  fi

  got=$(sample_sum "$metrics" cproc_container_info "$cid")
  [[ $got == 1 ]] || problems+=("cproc_container_info: want one series with value 1, got $got")

  # Threads: every live process has >= 1 thread; whether a zombie leader still counts is the
  # exporter's choice, so accept anything between the live processes and the /proc sum.
  got=$(sample_sum "$metrics" cproc_container_threads "$cid")
  local live=$((host[total] - host[zombie]))
  if [[ $got == absent ]] || ((got < live || got > host[threads])); then
    problems+=("cproc_container_threads: exporter $got, want between $live and ${host[threads]}")
  fi

  if ((${#problems[@]})); then
    printf '%s\n' "${problems[@]}" >"$MISMATCH"
    return 1
  fi
}

# all_match METRICS_FILE ID...: fetch /metrics and check every container; the ids that
# differ are left in $FAILED_IDS, their problems in $MISMATCH.
FAILED_IDS="$E2E_TMP/failed-ids"
all_match() {
  local metrics=$1 id
  shift
  fetch_metrics "$metrics"
  : >"$FAILED_IDS"
  : >"$MISMATCH.all"
  for id in "$@"; do
    if ! check_container "$id" "$metrics"; then
      echo "$id" >>"$FAILED_IDS"
      { echo "container ${id:0:12}:"; sed 's/^/  /' "$MISMATCH"; } >>"$MISMATCH.all"
    fi
  done
  [[ ! -s $FAILED_IDS ]]
}

report_mismatch() {
  local metrics=$1 id
  log "mismatch (expected = /proc on the host and docker top):"
  sed 's/^/  /' "$MISMATCH.all"
  while read -r id; do
    log "container ${id:0:12}: /proc says $(host_counts "$id")"
    dump_container_procs "$id"
    log "container ${id:0:12}: docker top"
    "$DOCKER" top "$id" -eo pid,stat,comm | sed 's/^/  /' || true
    log "container ${id:0:12}: exporter series"
    series_for "$metrics" "$id" | sed 's/^/  /'
  done <"$FAILED_IDS"
}

main() {
  local single multi zombie
  run_container single -- sleep 1000
  single=$CONTAINER_ID
  run_container multi -- sh -c 'sleep 1000 & sleep 1000 & wait'
  multi=$CONTAINER_ID
  # PID 1 becomes `sleep`, which never reaps: the orphaned `sleep 1` stays a zombie forever.
  run_container zombie -- sh -c '(sleep 1 &); exec sleep 1000'
  zombie=$CONTAINER_ID

  has_zombie() { [[ $(host_counts "$zombie") == *"zombie=1 "* ]]; }
  wait_until 15 "a zombie in container ${zombie:0:12}" has_zombie || {
    dump_container_procs "$zombie"
    fail "the zombie container did not produce exactly one zombie"
  }
  log "container ${zombie:0:12}: $(host_counts "$zombie")"

  # shellcheck disable=SC2119  # no extra flags
  start_exporter
  local metrics="$E2E_TMP/metrics.txt"
  if ! wait_until 20 "exporter counts == /proc counts" all_match "$metrics" "$single" "$multi" "$zombie"; then
    report_mismatch "$metrics"
    fail "exporter process counts differ from the host's view"
  fi
  log "process counts match /proc and docker top for all 3 containers"

  # Names and images from Docker's own files: the `container` label is the Docker name, the
  # `image` label of cproc_container_info the image the container was started from.
  local id name image got
  for id in "$single" "$multi" "$zombie"; do
    name=$("$DOCKER" inspect -f '{{.Name}}' "$id")
    name=${name#/}
    image=$("$DOCKER" inspect -f '{{.Config.Image}}' "$id")
    got=$(sample_count "$metrics" cproc_container_info "container_id=\"docker://$id\"" \
      "container=\"$name\"" "image=\"$image\"" 'runtime="docker"')
    ((got == 1)) || fail "cproc_container_info of ${id:0:12} lacks container=\"$name\" image=\"$image\":" \
      "$(series_for "$metrics" "cproc_container_info{" | grep -F "$id")"
  done
  log "names and images match docker inspect for all 3 containers"
  log "PASS"
}

main
