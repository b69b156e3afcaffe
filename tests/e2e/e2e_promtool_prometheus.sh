#!/usr/bin/env bash
# The real /metrics output passes `promtool check metrics`, and a real Prometheus scrapes it:
# up == 1 for the exporter's job and cproc_scan_processes is queryable. With a Docker daemon,
# the output checked holds the per-container families of a real container with a zombie.
#
#   e2e_promtool_prometheus.sh PATH_TO_cproc_exporter
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
e2e_init "$@"
require_root # the exporter must read every /proc/PID to produce its full output

PROMTOOL=/usr/bin/promtool
require_file "$PROMTOOL" "Debian package prometheus"
require_file "$PROMETHEUS_BIN" "Debian package prometheus"
command -v jq >/dev/null 2>&1 || fail "jq not found; run scripts/install-deps"

check_metrics_with_promtool() {
  local metrics="$E2E_TMP/metrics.txt" out="$E2E_TMP/promtool.out"
  fetch_metrics "$metrics"
  if ! "$PROMTOOL" check metrics <"$metrics" >"$out" 2>&1; then
    log "promtool check metrics reported:"
    sed 's/^/  /' "$out"
    log "families in the output:"
    grep '^# TYPE' "$metrics" | sed 's/^/  /'
    fail "promtool check metrics failed on the exporter's /metrics"
  fi
  log "promtool check metrics: OK ($(grep -vc '^#' "$metrics") samples)"
}

# start_prometheus: Prometheus scraping the exporter (lib.sh's prom_start).
start_prometheus() {
  local dir="$E2E_TMP/prometheus"
  mkdir -p "$dir"
  sed "s/@TARGET@/127.0.0.1:$EXPORTER_PORT/" "$(dirname "${BASH_SOURCE[0]}")/prometheus.yml.in" \
    >"$dir/prometheus.yml"
  "$PROMTOOL" check config "$dir/prometheus.yml" >/dev/null || fail "generated prometheus.yml is invalid"
  prom_start "$dir/prometheus.yml"
}

# query EXPR: print the instant-query result vector (JSON) for EXPR.
query() { prom_query "$1" | jq -c '.data.result'; }

# query_value EXPR: the value of the first sample of EXPR, or nothing.
query_value() { query "$1" | jq -r '.[0].value[1] // empty'; }

up_is_one() { [[ $(query_value 'up{job="cproc"}') == 1 ]]; }
has_scan_processes() { [[ -n $(query_value 'cproc_scan_processes{job="cproc"}') ]]; }

# with_container: a container with a zombie, if a Docker daemon answers (else only host series).
with_container() {
  if ! { command -v "$DOCKER" >/dev/null 2>&1 && timeout 20 "$DOCKER" info >/dev/null 2>&1; }; then
    skip_part "no container series checked, only the host's (no Docker daemon)"
    return 0
  fi
  ensure_test_image
  run_container promtool -- sh -c '(sleep 1 &); exec sleep 1000'
  CONTAINER=$CONTAINER_ID
}

has_container_series() {
  fetch_metrics "$E2E_TMP/metrics.txt"
  grep -q "^cproc_container_oldest_pid1_zombie_seconds{container_id=\"docker://$CONTAINER\"" \
    "$E2E_TMP/metrics.txt"
}

CONTAINER=""
main() {
  with_container
  # shellcheck disable=SC2119  # no extra flags
  start_exporter
  if [[ -n $CONTAINER ]]; then
    wait_until 15 "the container's series in /metrics" has_container_series ||
      fail "no per-container series for container ${CONTAINER:0:12} in /metrics"
  fi
  check_metrics_with_promtool
  if [[ -n $CONTAINER ]]; then
    local families
    families=$(grep -c "^# TYPE cproc_container_" "$E2E_TMP/metrics.txt")
    ((families >= 20)) || fail "only $families cproc_container_ families in the checked output"
    log "promtool checked $families per-container families of container ${CONTAINER:0:12}"
  fi

  start_prometheus
  if ! wait_until 30 'up{job="cproc"} == 1' up_is_one; then
    log "query up: $(query up)"
    log "scrape targets: $(curl -fsS --max-time 5 "$PROMETHEUS_URL/api/v1/targets" |
      jq -c '[.data.activeTargets[] | {scrapeUrl, health, lastError}]')"
    fail "Prometheus does not see the exporter as up"
  fi
  log "Prometheus: up{job=\"cproc\"} == 1"

  if ! wait_until 15 "cproc_scan_processes in Prometheus" has_scan_processes; then
    log "query cproc_scan_processes: $(query cproc_scan_processes)"
    log "names Prometheus knows matching cproc_: $(curl -fsS --max-time 5 "$PROMETHEUS_URL/api/v1/label/__name__/values" |
      jq -c '[.data[] | select(startswith("cproc_"))]')"
    fail "cproc_scan_processes not queryable in Prometheus"
  fi
  local n
  n=$(query_value 'cproc_scan_processes{job="cproc"}')
  awk -v n="$n" 'BEGIN { exit !(n > 0) }' || fail "cproc_scan_processes is $n, want > 0"
  log "Prometheus: cproc_scan_processes = $n"
  log "PASS"
}

main
