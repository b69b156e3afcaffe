#!/usr/bin/env bash
# Every query of the Grafana dashboard (deploy/grafana/cproc_exporter.json) runs without error
# against a real Prometheus scraping the real exporter, and returns data, for scenarios that
# guarantee data for every panel:
#   zombie    sh -c '(sleep 1 &); exec sleep 1000'   a zombie under a non-reaping PID 1
#   hostpid   --pid=host                             a host namespace, not allow-listed
#   pidslimit --pids-limit 50                        pids current vs limit
#   init      --init                                 docker-init (tini) as PID 1
#   forkfail  --pids-limit 3 + a loop forking 3      fork failures at the limit (pids.events)
#             children per round
#   orphans   a loop leaving a child behind, whose   orphans re-parented to PID 1 (the parent
#             parent exits 3 s later                 lives long enough for a scan to see it)
#   netx/nety --net=container:netx                   namespace peers (foreign: other "pods")
# Panels that name containers must show the scenario's container (not just any data: other
# containers on the host could fill a panel by chance). The variables' label_values queries
# must offer the job, the target and the scenario's containers.
#
#   grafana_queries.sh PATH_TO_cproc_exporter [DASHBOARD_JSON]
# shellcheck source-path=SCRIPTDIR source=../e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../e2e/lib.sh"
e2e_init "$@"
DASHBOARD=${2:-"$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/deploy/grafana/cproc_exporter.json"}
require_docker
[[ -x $PROMETHEUS_BIN ]] || skip "$PROMETHEUS_BIN not found (Debian package prometheus)"
command -v jq >/dev/null 2>&1 || fail "jq not found; run scripts/install-deps"
[[ -r $DASHBOARD ]] || fail "dashboard $DASHBOARD not found"
jq -e . "$DASHBOARD" >/dev/null || fail "$DASHBOARD is not valid JSON"
ensure_test_image

JOB=cproc
RATE_INTERVAL=1m
declare -A ID=()

# Panel title -> scenario containers (space-separated roles) that must appear in its result,
# by their `container` label; "role+" means with a value above 0. Panels not listed must return some data; panels listed here
# must exist in the dashboard (the table is kept in sync with it).
declare -A MUST_SHOW=(
  ["Processes by state"]="zombie hostpid pidslimit init forkfail orphans netx nety"
  ["Threads"]="zombie init"
  ["Zombies by container and parent"]="zombie"
  ["Oldest zombie age"]="zombie+"
  ["Orphans adopted"]="orphans+"
  ["PID 1 per container"]="zombie init hostpid"
  ["Host namespaces in use"]="hostpid"
  ["Namespaces shared between containers"]="netx nety"
  ["PIDs used of limit"]="pidslimit forkfail"
  ["PIDs current"]="pidslimit"
  ["Fork failures at the limit"]="forkfail+"
)
# Stat panels (aggregates without a container label) whose value the scenarios make >= 1.
declare -A MUST_BE_POSITIVE=(
  ["Containers"]=1
  ["Zombies"]=1
  ["PID 1 ignores SIGTERM, no init"]=1
  ["Unexpected host namespaces"]=1
)

# substitute EXPR: the dashboard's variables as Grafana would expand them for "All" on our job
# and target. $__rate_interval before $__interval (prefix).
# shellcheck disable=SC2016  # the single-quoted '$job' etc. are the literal variable names
substitute() {
  local e=$1 instance="127.0.0.1:$EXPORTER_PORT"
  e=${e//'${datasource}'/}
  e=${e//'$__rate_interval'/$RATE_INTERVAL}
  e=${e//'${__rate_interval}'/$RATE_INTERVAL}
  e=${e//'$__interval'/15s}
  e=${e//'${__interval}'/15s}
  e=${e//'$__range'/1h}
  e=${e//'${job}'/$JOB}
  e=${e//'$job'/$JOB}
  e=${e//'${instance}'/$instance}
  e=${e//'$instance'/$instance}
  e=${e//'${container}'/.*}
  e=${e//'$container'/.*}
  printf '%s' "$e"
}

# The dashboard's targets: one line per target, "title<TAB>refId<TAB>expr" (rows' nested
# panels included).
dashboard_targets() {
  jq -r '[.panels[], (.panels[] | .panels? // [] | .[])] | .[] | select(.targets != null)
         | .title as $t | .targets[] | [$t, .refId, .expr] | @tsv' "$DASHBOARD"
}

QUERY_PROBLEMS=()
# check_queries: run every target once; QUERY_PROBLEMS lists what is wrong. Succeeds when
# nothing is.
check_queries() {
  QUERY_PROBLEMS=()
  local title ref expr q answer status n role name min above
  local -A panel_result=()
  while IFS=$'\t' read -r title ref expr; do
    q=$(substitute "$expr")
    if [[ $q == *'$'* ]]; then
      QUERY_PROBLEMS+=("[$title/$ref] unsubstituted variable in: $q")
      continue
    fi
    answer=$(prom_query "$q") || { QUERY_PROBLEMS+=("[$title/$ref] HTTP request failed: $q"); continue; }
    status=$(jq -r '.status // "?"' <<<"$answer" 2>/dev/null || echo "not JSON")
    if [[ $status != success ]]; then
      QUERY_PROBLEMS+=("[$title/$ref] query error: $(jq -r '.error // .' <<<"$answer" 2>/dev/null || echo "$answer") -- $q")
      continue
    fi
    n=$(jq '.data.result | length' <<<"$answer")
    if ((n == 0)); then
      QUERY_PROBLEMS+=("[$title/$ref] no data: $q")
      continue
    fi
    panel_result[$title]+=$(jq -c '.data.result[]' <<<"$answer")$'\n'
  done < <(dashboard_targets)

  for title in "${!MUST_SHOW[@]}"; do
    [[ -n ${panel_result[$title]:-} ]] || continue # missing/no data: reported above or below
    for role in ${MUST_SHOW[$title]}; do
      name="$E2E_PREFIX${role%+}"
      min=-1 above=""
      if [[ $role == *+ ]]; then min=0 above=" above 0"; fi
      if ! jq -s -e --arg c "$name" --argjson min "$min" \
        'any(.[]; .metric.container == $c and (.value[1] | tonumber) > $min)' <<<"${panel_result[$title]}" >/dev/null; then
        QUERY_PROBLEMS+=("[$title] no series$above for container $name (scenario ${role%+}); seen: $(jq -r 'select(.metric.container // "" | startswith("cproc-e2e-")) | "\(.metric.container)=\(.value[1])"' <<<"${panel_result[$title]}" | sort -u | tr '\n' ' ')")
      fi
    done
  done
  for title in "${!MUST_BE_POSITIVE[@]}"; do
    [[ -n ${panel_result[$title]:-} ]] || continue
    if ! jq -s -e 'any(.[]; (.value[1] | tonumber) >= 1)' <<<"${panel_result[$title]}" >/dev/null; then
      QUERY_PROBLEMS+=("[$title] value $(jq -r '.value[1]' <<<"${panel_result[$title]}" | head -n1), want >= 1")
    fi
  done
  ((${#QUERY_PROBLEMS[@]} == 0))
}

# The expectation tables must name panels that exist.
check_tables_in_sync() {
  local titles title
  titles=$(jq -r '[.panels[], (.panels[] | .panels? // [] | .[])] | .[] | .title' "$DASHBOARD")
  for title in "${!MUST_SHOW[@]}" "${!MUST_BE_POSITIVE[@]}"; do
    grep -qxF -- "$title" <<<"$titles" || fail "this test expects a panel '$title' that the dashboard does not have"
  done
}

# check_variables: the template variables' label_values() offer our job, target, containers.
check_variables() {
  local name query metric label selector values want
  while IFS=$'\t' read -r name query; do
    [[ $query =~ ^label_values\((.*),\ *([a-zA-Z_]+)\)$ ]] ||
      fail "variable $name: query '$query' is not label_values(METRIC_SELECTOR, LABEL)"
    metric=${BASH_REMATCH[1]} label=${BASH_REMATCH[2]}
    selector=$(substitute "$metric")
    values=$(curl -sS --max-time 10 -G --data-urlencode "match[]=$selector" \
      "$PROMETHEUS_URL/api/v1/label/$label/values" | jq -r '.data[]?')
    case $name in
      job) want=$JOB ;;
      instance) want="127.0.0.1:$EXPORTER_PORT" ;;
      container) want="${E2E_PREFIX}zombie" ;;
      *) want="" ;;
    esac
    if [[ -z $values ]]; then
      soft_fail "variable $name ($query -> $selector): no values"
    elif [[ -n $want ]] && ! grep -qxF -- "$want" <<<"$values"; then
      soft_fail "variable $name ($query): '$want' not among: $(tr '\n' ' ' <<<"$values")"
    else
      log "OK: variable $name offers $(wc -l <<<"$values") value(s), including '${want:-?}'"
    fi
  done < <(jq -r '.templating.list[] | select(.type == "query")
                  | [.name, (.query.query // .query)] | @tsv' "$DASHBOARD")
}

prom_value() { prom_query "$1" | jq -r '.data.result[0].value[1] // empty'; }

# README's "Example queries" run without error, and the pids ratio keeps each container's
# `container` label (its threshold relaxed, so the pidslimit scenario is in the result).
check_readme_queries() {
  local readme query answer n=0 labelled
  readme="$(dirname "${BASH_SOURCE[0]}")/../../README.md"
  while IFS= read -r query; do
    n=$((n + 1))
    answer=$(prom_query "$query")
    if [[ $(jq -r .status <<<"$answer") != success ]]; then
      soft_fail "README query fails: $query: $(jq -r '.error // .' <<<"$answer")"
      continue
    fi
    if [[ $query == *pids_limit* ]]; then
      answer=$(prom_query "${query% > 0.9} >= 0")
      labelled=$(jq '[.data.result[] | select(.metric.container != null and .metric.container != "")] | length' <<<"$answer")
      [[ $labelled -gt 0 && $labelled == $(jq '.data.result | length' <<<"$answer") ]] ||
        soft_fail "README pids query drops the container label: $(jq -c '.data.result[0].metric' <<<"$answer")"
    fi
  done < <(awk '/^## Example queries/ { on = 1 } on && /^```promql/ { code = 1; next }
                code && /^```/ { exit } code && !/^#/ && NF {
                  if (/^  /) { q = q " " $0 } else { if (q != "") print q; q = $0 } }
                END { if (q != "") print q }' "$readme")
  ((n >= 5)) || soft_fail "found only $n README example queries"
  log "README example queries: $n run"
}
scraped() { [[ $(prom_value "up{job=\"$JOB\"}") == 1 ]] && [[ -n $(prom_value "cproc_container_info{container=\"${E2E_PREFIX}nety\"}") ]]; }

main() {
  check_tables_in_sync
  # The exporter first, so that it sees the scenarios start (re-parenting, zombies' age).
  # shellcheck disable=SC2119  # no extra flags
  start_exporter
  run_container zombie -- sh -c '(sleep 1 &); exec sleep 1000'
  ID[zombie]=$CONTAINER_ID
  run_container hostpid --pid=host -- sleep 1000
  run_container pidslimit --pids-limit 50 -- sleep 1000
  run_container init --init -- sleep 1000
  # Each round: a subshell forks two sleeps under a limit of 3 tasks (PID 1 + subshell + one
  # sleep): the second fork fails (pids.events max) and the subshell dies. PID 1 survives:
  # only the subshell sees the failure.
  # The first fork only after `docker run` has returned: a fork refused while runc still starts
  # the container ends its shell, and docker reports "container process is already dead" (seen
  # with other tests running at the same time).
  run_container forkfail --pids-limit 3 -- sh -c 'sleep 2; while true; do (sleep 2 & sleep 2 & wait); sleep 1; done'
  # Each round: `sleep 6` is started by a subshell that exits after 3 s, so the exporter sees
  # it first with that parent, then re-parented to PID 1.
  run_container orphans -- sh -c 'while true; do (sleep 6 & sleep 3); sleep 1; done'
  run_container netx -- sleep 1000
  ID[netx]=$CONTAINER_ID
  run_container_net nety "--net=container:${ID[netx]}" -- sleep 1000

  local dir="$E2E_TMP/prometheus"
  mkdir -p "$dir"
  cat >"$dir/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: $JOB
    static_configs:
      - targets: ["127.0.0.1:$EXPORTER_PORT"]
EOF
  prom_start "$dir/prometheus.yml"
  wait_until 40 "Prometheus to scrape the exporter and see every scenario container" scraped ||
    fail "Prometheus has not scraped the scenario containers (up: $(prom_query "up" | jq -c .data.result))"

  local targets
  targets=$(dashboard_targets | wc -l)
  log "dashboard $DASHBOARD: $targets panel targets"
  ((targets > 0)) || fail "no panel targets found in the dashboard"
  # Rates need two samples and the scenarios need a few seconds (fork failures, orphans,
  # zombie age): poll until every query has data, then report what is still missing.
  if wait_until 60 "every dashboard query to return the scenarios' data" check_queries; then
    log "OK: all $targets targets run without error and show the scenarios"
  else
    log "${#QUERY_PROBLEMS[@]} problem(s) after 60s:"
    printf '  %s\n' "${QUERY_PROBLEMS[@]}"
    soft_fail "dashboard queries fail or miss guaranteed data (listed above)"
  fi
  check_variables
  check_readme_queries
  finish
}

main
