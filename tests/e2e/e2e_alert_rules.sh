#!/usr/bin/env bash
# The shipped alert rules (deploy/prometheus/cproc_alerts.yml), loaded into a real Prometheus
# that scrapes the real exporter, select the right real containers. The alerts have `for:` of
# minutes, so instead of waiting for them to fire, every alerting rule's query (as Prometheus
# loaded it, from /api/v1/rules) is evaluated with /api/v1/query:
#   - every query is valid (status success);
#   - CprocPid1IgnoresSigterm: the `sleep` PID 1 container, not the --init, trap or
#     --pid=host ones;
#   - CprocHostPidNamespace: the --pid=host container;
#   - CprocCrossContainerNamespaceSharing: both containers of a --net=container:X pair;
#   - CprocZombiesAccumulating: the container with 5 zombies, not the one with 1;
#   - CprocPid1NotReaping, with its 5-minute age threshold lowered to 0 (the only change made
#     to a query): both containers whose PID 1 leaves zombies, not the --pid=host one;
#   - CprocPidsNearLimit: a container at its --pids-limit; CprocPidsLimitReached: a container
#     whose forks (a `docker exec` loop) fail at its limit after it has been scraped;
#   - no rule selects the healthy --init container.
#
#   e2e_alert_rules.sh PATH_TO_cproc_exporter
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
e2e_init "$@"
require_docker
ensure_test_image

PROMTOOL=/usr/bin/promtool
require_file "$PROMTOOL" "Debian package prometheus"
require_file "$PROMETHEUS_BIN" "Debian package prometheus"
command -v jq >/dev/null 2>&1 || fail "jq not found; run scripts/install-deps"
RULES_SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/deploy/prometheus/cproc_alerts.yml"
[[ -f $RULES_SRC ]] || fail "alert rules $RULES_SRC not found"

LEAK="" PIDHOST="" NETX="" NETZ="" HEALTHY="" TRAP="" ZOMBIES="" FULL="" REFUSED=""
RULES="$E2E_TMP/rules.json"  # [{name, query}] of every alerting rule Prometheus loaded

write_prometheus_config() {
  local dir="$E2E_TMP/prometheus"
  mkdir -p "$dir"
  cp "$RULES_SRC" "$dir/cproc_alerts.yml"
  cat >"$dir/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
rule_files:
  - cproc_alerts.yml
scrape_configs:
  - job_name: cproc
    static_configs:
      - targets: ["127.0.0.1:$EXPORTER_PORT"]
EOF
  "$PROMTOOL" check config "$dir/prometheus.yml" >"$E2E_TMP/promtool.out" 2>&1 || {
    cat "$E2E_TMP/promtool.out"
    fail "promtool check config failed on the generated config with $RULES_SRC"
  }
  echo "$dir/prometheus.yml"
}

# rules_loaded: the alerting rules Prometheus loaded -> $RULES. At least one group expected.
rules_loaded() {
  curl -fsS --max-time 5 "$PROMETHEUS_URL/api/v1/rules?type=alert" |
    jq -c '[.data.groups[].rules[] | select(.type == "alerting") | {name, query}]' >"$RULES" 2>/dev/null &&
    (($(jq length "$RULES") > 0))
}

# rule_query NAME: the query of the alerting rule NAME (empty if there is none).
rule_query() { jq -r --arg n "$1" '.[] | select(.name == $n) | .query' "$RULES"; }

# selected NAME [QUERY]: the container ids (without docker://) the rule NAME's query (or QUERY)
# returns now, one per line; returns 1 and records a problem if the query fails.
selected() {
  local name=$1 query=${2:-} answer
  [[ -n $query ]] || query=$(rule_query "$name")
  answer=$(prom_query "$query") || { E2E_PROBLEMS+=("$name: query request failed"); return 1; }
  if [[ $(jq -r .status <<<"$answer") != success ]]; then
    E2E_PROBLEMS+=("$name: query failed: $(jq -c '{errorType, error}' <<<"$answer")")
    return 1
  fi
  jq -r '.data.result[].metric.container_id // empty' <<<"$answer" | sed 's|^docker://||'
}

# expect_selects NAME ROLE ID [QUERY]: rule NAME's query (or QUERY) must return container ID.
expect_selects() {
  local got
  got=$(selected "$1" "${4:-}") || return 1
  grep -qxF "$3" <<<"$got" && return 0
  E2E_PROBLEMS+=("$1: expected to select the $2 container ${3:0:12}, it selects: $(short_list "$got")")
  return 1
}

# expect_not_selects NAME ROLE ID [QUERY]: rule NAME's query (or QUERY) must not return ID.
expect_not_selects() {
  local got
  got=$(selected "$1" "${4:-}") || return 1
  grep -qxF "$3" <<<"$got" || return 0
  E2E_PROBLEMS+=("$1: expected NOT to select the $2 container ${3:0:12}, it selects: $(short_list "$got")")
  return 1
}

short_list() { [[ -n $1 ]] && cut -c1-12 <<<"$1" | tr '\n' ' ' || echo "(nothing)"; }

check_rules() {
  local name
  for name in CprocPid1IgnoresSigterm CprocHostPidNamespace CprocCrossContainerNamespaceSharing \
    CprocPid1NotReaping CprocZombiesAccumulating CprocPidsNearLimit CprocPidsLimitReached; do
    [[ -n $(rule_query "$name") ]] || E2E_PROBLEMS+=("rule $name is not loaded")
  done
  expect_selects CprocPid1IgnoresSigterm "sleep-PID-1" "$LEAK"
  expect_not_selects CprocPid1IgnoresSigterm "--init" "$HEALTHY"
  expect_not_selects CprocPid1IgnoresSigterm "trap TERM" "$TRAP"
  expect_not_selects CprocPid1IgnoresSigterm "--pid=host (not a namespace init)" "$PIDHOST"
  expect_selects CprocHostPidNamespace "--pid=host" "$PIDHOST"
  expect_not_selects CprocHostPidNamespace "plain --net=container target" "$NETX"
  expect_selects CprocCrossContainerNamespaceSharing "net-sharing X" "$NETX"
  expect_selects CprocCrossContainerNamespaceSharing "net-sharing --net=container:X" "$NETZ"
  expect_not_selects CprocCrossContainerNamespaceSharing "--pid=host" "$PIDHOST"
  # Every rule: a valid query that never selects the healthy container.
  while read -r name; do
    expect_not_selects "$name" "healthy --init" "$HEALTHY"
  done < <(jq -r '.[].name' "$RULES")
  expect_selects CprocZombiesAccumulating "5 zombies" "$ZOMBIES"
  expect_not_selects CprocZombiesAccumulating "1 zombie" "$LEAK"
  # A zombie 5 minutes old is out of reach: the same query with the age threshold at 0.
  local not_reaping
  not_reaping=$(rule_query CprocPid1NotReaping | sed 's/> 300/> 0/')
  if [[ $not_reaping == "$(rule_query CprocPid1NotReaping)" ]]; then
    E2E_PROBLEMS+=("CprocPid1NotReaping: no '> 300' age threshold to lower in its query")
  fi
  expect_selects CprocPid1NotReaping "sleep-PID-1 with a zombie" "$LEAK" "$not_reaping"
  expect_selects CprocPid1NotReaping "sleep-PID-1 with 5 zombies" "$ZOMBIES" "$not_reaping"
  expect_not_selects CprocPid1NotReaping "--pid=host" "$PIDHOST" "$not_reaping"
  expect_not_selects CprocPid1NotReaping "healthy --init" "$HEALTHY" "$not_reaping"
  expect_selects CprocPidsNearLimit "at its pids limit" "$FULL"
  expect_not_selects CprocPidsNearLimit "no pids limit" "$LEAK"
  expect_selects CprocPidsLimitReached "forks refused" "$REFUSED"
  expect_not_selects CprocPidsLimitReached "at its limit, no fork refused" "$FULL"
}

# rules_ok: one round of check_rules without a problem (for wait_until).
rules_ok() {
  E2E_PROBLEMS=()
  check_rules || true
  ((${#E2E_PROBLEMS[@]} == 0))
}

# data_ready: Prometheus has the exporter's series of all our containers.
data_ready() {
  local id answer
  for id in "$LEAK" "$PIDHOST" "$NETX" "$NETZ" "$HEALTHY" "$TRAP" "$ZOMBIES" "$FULL" "$REFUSED"; do
    answer=$(prom_query "cproc_container_pid1_handles_sigterm{container_id=\"docker://$id\"}") || return 1
    [[ $(jq '.data.result | length' <<<"$answer") == 1 ]] || return 1
  done
}

main() {
  run_container leak -- sh -c '(sleep 1 &); exec sleep 1000'
  LEAK=$CONTAINER_ID
  run_container pidhost --pid=host -- sleep 1000
  PIDHOST=$CONTAINER_ID
  run_container netx -- sleep 1000
  NETX=$CONTAINER_ID
  run_container_net netz "--net=container:$NETX" -- sleep 1000
  NETZ=$CONTAINER_ID
  run_container healthy --init -- sleep 1000
  HEALTHY=$CONTAINER_ID
  run_container trap -- sh -c 'trap "exit 0" TERM; while true; do sleep 1; done'
  TRAP=$CONTAINER_ID
  run_container zombies -- sh -c 'for i in 1 2 3 4 5; do (sleep 1 &); done; exec sleep 1000'
  ZOMBIES=$CONTAINER_ID
  # Three processes at a limit of three: pids.current / pids.max = 1.
  run_container full --pids-limit 3 -- sh -c 'sleep 1000 & sleep 1000 & exec sleep 1000'
  FULL=$CONTAINER_ID
  # Its forks are refused later, by a `docker exec` once Prometheus has its counter at 0.
  run_container refused --pids-limit 3 -- sleep 1000
  REFUSED=$CONTAINER_ID

  # shellcheck disable=SC2119  # no extra flags
  start_exporter
  local config
  config=$(write_prometheus_config)
  prom_start "$config"
  wait_until 20 "alerting rules loaded in Prometheus" rules_loaded || {
    curl -sS --max-time 5 "$PROMETHEUS_URL/api/v1/rules" | head -c 2000
    tail -n 20 "$PROMETHEUS_LOG"
    fail "Prometheus did not load the alerting rules of $RULES_SRC"
  }
  log "Prometheus loaded $(jq length "$RULES") alerting rules: $(jq -r '[.[].name] | join(" ")' "$RULES")"
  wait_until 30 "Prometheus has the series of all 9 containers" data_ready || {
    log "targets: $(curl -fsS --max-time 5 "$PROMETHEUS_URL/api/v1/targets" |
      jq -c '[.data.activeTargets[] | {scrapeUrl, health, lastError}]')"
    fail "the exporter's series of our containers never reached Prometheus"
  }

  # increase() needs the counter to rise while Prometheus watches: fork past the limit now.
  "$DOCKER" exec "$REFUSED" sh -c 'for i in 1 2 3 4 5 6; do sleep 1000 & done' >/dev/null 2>&1 ||
    true
  if wait_until 40 "every rule query selects what it should" rules_ok; then
    log "OK: rule queries select the expected containers"
  else
    printf '  %s\n' "${E2E_PROBLEMS[@]}"
    log "refused's limit hits in Prometheus, last minute: $(prom_query \
      "cproc_container_pids_limit_hits_total{container_id=\"docker://$REFUSED\"}[1m]" |
      jq -c '[.data.result[] | {container: .metric.container, values: [.values[][1]] | unique}]')"
    log "containers: leak=${LEAK:0:12} pidhost=${PIDHOST:0:12} netx=${NETX:0:12} netz=${NETZ:0:12} healthy=${HEALTHY:0:12} trap=${TRAP:0:12} zombies=${ZOMBIES:0:12} full=${FULL:0:12} refused=${REFUSED:0:12}"
    fail "alert rule queries do not select the expected containers (expected vs seen above)"
  fi
  # The final round's per-rule picture, for the log.
  local name
  while read -r name; do
    log "  $name -> $(short_list "$(selected "$name")")"
  done < <(jq -r '.[].name' "$RULES")
  log "PASS"
}

main
