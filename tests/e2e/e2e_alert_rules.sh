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
#   - no rule selects the healthy --init container;
#   - CprocPid1NotReaping needs a 5-minute-old zombie: only its validity is checked.
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

LEAK="" PIDHOST="" NETX="" NETZ="" HEALTHY="" TRAP=""
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

# selected NAME: the container ids (without docker://) the rule NAME's query returns now, one
# per line; returns 1 and records a problem if the query fails.
selected() {
  local name=$1 answer
  answer=$(prom_query "$(rule_query "$name")") || { E2E_PROBLEMS+=("$name: query request failed"); return 1; }
  if [[ $(jq -r .status <<<"$answer") != success ]]; then
    E2E_PROBLEMS+=("$name: query failed: $(jq -c '{errorType, error}' <<<"$answer")")
    return 1
  fi
  jq -r '.data.result[].metric.container_id // empty' <<<"$answer" | sed 's|^docker://||'
}

# expect_selects NAME ROLE ID: rule NAME's query must return container ID.
expect_selects() {
  local got
  got=$(selected "$1") || return 1
  grep -qxF "$3" <<<"$got" && return 0
  E2E_PROBLEMS+=("$1: expected to select the $2 container ${3:0:12}, it selects: $(short_list "$got")")
  return 1
}

# expect_not_selects NAME ROLE ID: rule NAME's query must not return container ID.
expect_not_selects() {
  local got
  got=$(selected "$1") || return 1
  grep -qxF "$3" <<<"$got" || return 0
  E2E_PROBLEMS+=("$1: expected NOT to select the $2 container ${3:0:12}, it selects: $(short_list "$got")")
  return 1
}

short_list() { [[ -n $1 ]] && cut -c1-12 <<<"$1" | tr '\n' ' ' || echo "(nothing)"; }

check_rules() {
  local name
  for name in CprocPid1IgnoresSigterm CprocHostPidNamespace CprocCrossContainerNamespaceSharing \
    CprocPid1NotReaping; do
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
  # A zombie 5 minutes old is out of reach; the query must at least be valid.
  selected CprocPid1NotReaping >/dev/null
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
  for id in "$LEAK" "$PIDHOST" "$NETX" "$NETZ" "$HEALTHY" "$TRAP"; do
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
  wait_until 30 "Prometheus has the series of all 6 containers" data_ready || {
    log "targets: $(curl -fsS --max-time 5 "$PROMETHEUS_URL/api/v1/targets" |
      jq -c '[.data.activeTargets[] | {scrapeUrl, health, lastError}]')"
    fail "the exporter's series of our containers never reached Prometheus"
  }

  if wait_until 20 "every rule query selects what it should" rules_ok; then
    log "OK: rule queries select the expected containers"
  else
    printf '  %s\n' "${E2E_PROBLEMS[@]}"
    log "containers: leak=${LEAK:0:12} pidhost=${PIDHOST:0:12} netx=${NETX:0:12} netz=${NETZ:0:12} healthy=${HEALTHY:0:12} trap=${TRAP:0:12}"
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
