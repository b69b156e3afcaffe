#!/usr/bin/env bash
# Fewer privileges never turn into wrong numbers. The real binary runs three times next to real
# --pid=host, --net=host (two) and --net=container: Docker containers:
#   full   root with every capability: the reference, checked against /proc;
#   noptrace  root without CAP_SYS_PTRACE (Docker's default capability set: what anyone gets who
#          forgets --cap-add): PID 1 and kthreadd are unreadable, the host's namespaces come
#          from the kernel's fixed inode numbers, and every per-container series must equal the
#          reference (the containers' processes hold fewer capabilities than the exporter);
#   nobody a user without privileges: namespace links of root's processes are unreadable, so
#          host namespaces, peers and mismatches are absent (never 0), everything else equals the
#          reference but for the names (Docker's files are root's), and `ps` prints '?'.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
e2e_init "$@"
require_docker
command -v capsh >/dev/null 2>&1 || fail "capsh not found (libcap2-bin); run scripts/install-deps"
command -v setpriv >/dev/null 2>&1 || fail "setpriv not found (util-linux); run scripts/install-deps"
ensure_test_image

run_container_net hostpid --pid=host --network none -- sh -c 'sleep 1000 & exec sleep 1001'
HOSTPID=$CONTAINER_ID
run_container_net hostnet-a --net=host -- sleep 1000
HOSTNET_A=$CONTAINER_ID
run_container_net hostnet-b --net=host -- sleep 1000
HOSTNET_B=$CONTAINER_ID
run_container netowner -- sleep 1000
NETOWNER=$CONTAINER_ID
run_container_net netjoin --net="container:$NETOWNER" -- sleep 1000
NETJOIN=$CONTAINER_ID
IDS=("$HOSTPID" "$HOSTNET_A" "$HOSTNET_B" "$NETOWNER" "$NETJOIN")
declare -A PID1=()
for id in "${IDS[@]}"; do PID1[$id]=$(container_host_pid "$id"); done

# The process lifecycle counters: they need CAP_NET_ADMIN (checked on their own below) and
# count from each exporter's start.
LIFECYCLE='processes_started_total|execs_total|processes_exited_total|short_lived_processes_total|pid1_exits_total|pid1_killed_from_outside_total'

# The series of the test's containers, one per line, sorted, without the values that move by
# themselves (ages, lifecycle counters) and, with "anonymous", without the labels that only names
# give.
own_series() { # own_series FILE [anonymous]
  local pattern
  pattern=$(printf 'docker://%s|' "${IDS[@]}")
  grep -E "container_id=\"(${pattern%|})\"" "$1" |
    grep -vE "^cproc_container_(oldest_zombie_seconds|oldest_pid1_zombie_seconds|$LIFECYCLE)[{]" |
    if [[ ${2:-} == anonymous ]]; then
      sed -E 's/,container="[^"]*"//; s/,image="[^"]*"//' |
        grep -vE '^cproc_container_(declared_host_namespace|namespace_declaration_mismatches)'
    else
      cat
    fi | sort
}

# Ground truth from /proc, read as root with every capability.
host_ns() { readlink "/proc/2/ns/$1"; }
ns_of() { readlink "/proc/${PID1[$1]}/ns/$2"; }
reference_truth() {
  local file=$1 id kind want
  for id in "${IDS[@]}"; do
    for kind in pid net ipc uts mnt user cgroup time; do
      want=0
      [[ $(ns_of "$id" "$kind") == "$(host_ns "$kind")" ]] && want=1
      expect_sample "$file" "$want" cproc_container_host_namespace "$(cid "$id")" "ns=\"$kind\""
    done
    read -r -a counts <<<"$(host_counts "$id")"
    for pair in "${counts[@]}"; do
      case ${pair%%=*} in
        total) ;;
        threads) expect_sample "$file" "${pair#*=}" cproc_container_threads "$(cid "$id")" ;;
        *) expect_sample "$file" "${pair#*=}" cproc_container_processes "$(cid "$id")" \
          "state=\"${pair%%=*}\"" ;;
      esac
    done
    # The host's namespaces (shared by --net=host, --pid=host and every container's user) are
    # nobody's peers.
    for kind in user cgroup time; do
      expect_sample "$file" 0 cproc_container_namespace_peers "$(cid "$id")" "ns=\"$kind\""
    done
    expect_sample "$file" 0 cproc_container_mismatched_processes "$(cid "$id")" 'kind="cgroup"'
  done
  for id in "$HOSTNET_A" "$HOSTNET_B"; do
    expect_sample "$file" 0 cproc_container_namespace_foreign_peers "$(cid "$id")" 'ns="net"'
  done
  for id in "$NETOWNER" "$NETJOIN"; do
    expect_sample "$file" 1 cproc_container_namespace_peers "$(cid "$id")" 'ns="net"'
    expect_sample "$file" 1 cproc_container_namespace_foreign_peers "$(cid "$id")" 'ns="net"'
  done
}

METRICS="$E2E_TMP/metrics"
start_exporter
expect_eventually 20 "full privileges: the reference matches /proc" "$METRICS" reference_truth ||
  fail "the reference run does not match /proc"
fetch_metrics "$E2E_TMP/full.prom"
check_exporter_exit

# run_reduced NAME: start the exporter with EXPORTER_PREFIX, scrape once after a few scans.
run_reduced() {
  start_exporter
  local previous
  previous=$(scan_timestamp "$METRICS" 2>/dev/null || true)
  for _ in 1 2 3; do
    wait_for_new_scan "$METRICS" "$previous"
    previous=$(scan_timestamp "$METRICS")
  done
  E2E_PROBLEMS=()
  check_scrape "$METRICS"
  ((${#E2E_PROBLEMS[@]} == 0)) || fail "$1: invalid scrape: ${E2E_PROBLEMS[*]}"
  cp "$METRICS" "$E2E_TMP/$1.prom"
}

# Root without CAP_SYS_PTRACE: the same series, the same values.
EXPORTER_PREFIX=(capsh --drop=cap_sys_ptrace -- -c 'exec "$0" "$@"')
run_reduced noptrace
grep -q "using the kernel's fixed numbers" "$EXPORTER_LOG" ||
  soft_fail "noptrace: the log does not say the host's namespaces came from fixed inodes"
if ! diff <(own_series "$E2E_TMP/full.prom") <(own_series "$E2E_TMP/noptrace.prom") \
  >"$E2E_TMP/noptrace.diff"; then
  sed 's/^/  /' "$E2E_TMP/noptrace.diff" | head -n 40
  soft_fail "noptrace: per-container series differ from the reference (above: < full, > noptrace)"
fi
# Dropping CAP_SYS_PTRACE leaves CAP_NET_ADMIN: the process events stay on.
expect_sample "$E2E_TMP/noptrace.prom" 1 cproc_events_source_active ||
  soft_fail "noptrace: cproc_events_source_active is not 1"
self_threads=$(awk '/^Threads:/ { print $2 }' "/proc/$EXPORTER_PID/status")
log "noptrace: the exporter itself runs $self_threads threads, and is in no container"
check_exporter_exit

# nobody: what needs the namespace links is absent, what does not is unchanged.
EXPORTER_PREFIX=(setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all
  --bounding-set=-all --)
run_reduced nobody
for family in host_namespace namespace_peers namespace_foreign_peers mismatched_processes; do
  for id in "${IDS[@]}"; do
    n=$(sample_count "$E2E_TMP/nobody.prom" "cproc_container_$family" "$(cid "$id")")
    ((n == 0)) || soft_fail "nobody: $n cproc_container_$family series of ${id:0:12} (unknown must be absent)"
  done
done
if ! diff <(own_series "$E2E_TMP/full.prom" anonymous |
  grep -vE '^cproc_container_(host_namespace|namespace_peers|namespace_foreign_peers|mismatched_processes)') \
  <(own_series "$E2E_TMP/nobody.prom" anonymous) >"$E2E_TMP/nobody.diff"; then
  sed 's/^/  /' "$E2E_TMP/nobody.diff" | head -n 40
  soft_fail "nobody: the other per-container series differ from the reference (< full, > nobody)"
fi
expect_sample "$E2E_TMP/nobody.prom" 1 cproc_scan_success ||
  soft_fail "nobody: cproc_scan_success is not 1"
# Without CAP_NET_ADMIN the process events are off: said by the self-metric and the log, and
# their counters absent, never 0.
expect_sample "$E2E_TMP/nobody.prom" 0 cproc_events_source_active ||
  soft_fail "nobody: cproc_events_source_active is not 0"
grep -q "needs CAP_NET_ADMIN" "$EXPORTER_LOG" ||
  soft_fail "nobody: the log does not say the process events need CAP_NET_ADMIN"
n=$(grep -cE "^cproc_container_($LIFECYCLE)[{]" "$E2E_TMP/nobody.prom" || true)
((n == 0)) || soft_fail "nobody: $n lifecycle counter series without the process events (must be absent)"
expect_sample_cmp "$E2E_TMP/nobody.prom" '>' 0 cproc_scan_namespaces_unreadable_processes ||
  soft_fail "nobody: the unreadable namespaces are not counted"
check_exporter_exit

# ps as nobody: '?' where the answer is unknown, never '-' (which reads as "none").
setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all --bounding-set=-all -- \
  "$EXPORTER_BIN" ps >"$E2E_TMP/ps.txt" 2>"$E2E_TMP/ps.err" || fail "ps as nobody failed: $(cat "$E2E_TMP/ps.err")"
row=$(grep -F "${HOSTPID:0:12}" "$E2E_TMP/ps.txt") || fail "ps as nobody does not list ${HOSTPID:0:12}"
[[ $row == *" ? "* ]] || soft_fail "ps as nobody: no '?' in the row of the --pid=host container: $row"
finish
