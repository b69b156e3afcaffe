#!/usr/bin/env bash
# Namespace sharing as it really runs, against real Docker containers:
#   - host_namespace{ns} for pid/net/ipc/uts/mnt is exactly 1 for the --X=host kind and 0
#     otherwise (user/time/cgroup are only printed: Docker without userns-remap, and cgroup v1,
#     keep the host's);
#   - namespace_peers / namespace_foreign_peers: --pid=container:X makes X and Y pid peers,
#     --net=container:X2 makes X2 and Z net peers, everything else has no peer of any kind;
#   - namespace_sharing_allowed follows the config file's allow-list (by Docker name, and by
#     id glob);
#   - mismatched_processes{kind="cgroup"}: `nsenter -p -m` from the host counts twice (its child
#     in the container's PID namespace, nsenter itself in its mount namespace), and stops
#     counting once they are gone.
#
#   e2e_namespaces.sh PATH_TO_cproc_exporter
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
e2e_init "$@"
require_docker
ensure_test_image
command -v nsenter >/dev/null 2>&1 || fail "nsenter not found (package util-linux)"

METRICS="$E2E_TMP/metrics.txt"
ALL_KINDS=(pid net ipc uts mnt user cgroup time)
EXACT_KINDS=(pid net ipc uts mnt)
declare -A ID=()        # role -> container id
declare -A HOST_NS=()   # role -> the kind that is the host's ("" for none)
declare -A PEERS=()     # "role kind" -> expected peers (default 0)
ROLES=(plain pidhost nethost ipchost utshost x y x2 z)

check_sharing() {
  local m=$1 role kind c want
  for role in "${ROLES[@]}"; do
    c=$(cid "${ID[$role]}")
    for kind in "${EXACT_KINDS[@]}"; do
      want=0
      [[ ${HOST_NS[$role]} == "$kind" ]] && want=1
      expect_sample "$m" "$want" cproc_container_host_namespace "$c" "ns=\"$kind\"" ||
        E2E_PROBLEMS+=("  ^ $role: /proc says $kind $(ns_inode "$(container_host_pid "${ID[$role]}")" "$kind"), host $(host_ns "$kind")")
    done
    for kind in "${ALL_KINDS[@]}"; do
      want=${PEERS["$role $kind"]:-0}
      expect_sample "$m" "$want" cproc_container_namespace_peers "$c" "ns=\"$kind\"" ||
        E2E_PROBLEMS+=("  ^ $role")
      expect_sample "$m" "$want" cproc_container_namespace_foreign_peers "$c" "ns=\"$kind\"" ||
        E2E_PROBLEMS+=("  ^ $role")
    done
  done
}

# The kinds we do not assert exactly: print what the exporter and /proc say.
print_loose_kinds() {
  local role kind line pid
  for role in "${ROLES[@]}"; do
    pid=$(container_host_pid "${ID[$role]}")
    line=""
    for kind in user time cgroup; do
      line+=" $kind: exporter $(sample_sum "$METRICS" cproc_container_host_namespace "$(cid "${ID[$role]}")" "ns=\"$kind\"")"
      if [[ $(ns_inode "$pid" "$kind") == "$(host_ns "$kind")" ]]; then line+=" (/proc: host)"; else line+=" (/proc: own)"; fi
    done
    log "host_namespace $role:$line"
  done
}

check_allowed() {
  local m=$1
  expect_sample "$m" 1 cproc_container_namespace_sharing_allowed "$(cid "${ID[pidhost]}")" ||
    E2E_PROBLEMS+=("  ^ allow-listed by its Docker name '$(short_name "${ID[pidhost]}")'; the exporter labels it: $(grep -F "cproc_container_info{$(cid "${ID[pidhost]}")" "$m" | grep -o 'container="[^"]*"')")
  expect_sample "$m" 1 cproc_container_namespace_sharing_allowed "$(cid "${ID[ipchost]}")" ||
    E2E_PROBLEMS+=("  ^ allow-listed by the id glob '${ID[ipchost]:0:12}*'")
  expect_sample "$m" 0 cproc_container_namespace_sharing_allowed "$(cid "${ID[plain]}")"
  expect_sample "$m" 0 cproc_container_namespace_sharing_allowed "$(cid "${ID[nethost]}")"
}

MISMATCH_WANT=0
check_mismatch() {
  local m=$1
  expect_sample "$m" "$MISMATCH_WANT" cproc_container_mismatched_processes "$(cid "${ID[plain]}")" 'kind="cgroup"'
  expect_sample "$m" 0 cproc_container_mismatched_processes "$(cid "${ID[plain]}")" 'kind="namespace"'
  # a bystander stays clean
  expect_sample "$m" 0 cproc_container_mismatched_processes "$(cid "${ID[x2]}")" 'kind="cgroup"'
}

# children_of PID: direct children of PID (all its threads).
children_of() { cat /proc/"$1"/task/*/children 2>/dev/null | tr ' ' '\n' | grep . || true; }
has_children() { [[ -n $(children_of "$1") ]]; }
is_gone() { ! kill -0 "$1" 2>/dev/null; }

main() {
  run_container plain -- sleep 1000
  ID[plain]=$CONTAINER_ID HOST_NS[plain]=""
  run_container pidhost --pid=host -- sleep 1000
  ID[pidhost]=$CONTAINER_ID HOST_NS[pidhost]=pid
  run_container_net nethost --net=host -- sleep 1000
  ID[nethost]=$CONTAINER_ID HOST_NS[nethost]=net
  run_container ipchost --ipc=host -- sleep 1000
  ID[ipchost]=$CONTAINER_ID HOST_NS[ipchost]=ipc
  run_container utshost --uts=host -- sleep 1000
  ID[utshost]=$CONTAINER_ID HOST_NS[utshost]=uts
  run_container x -- sleep 1000
  ID[x]=$CONTAINER_ID HOST_NS[x]=""
  run_container y "--pid=container:${ID[x]}" -- sleep 1000
  ID[y]=$CONTAINER_ID HOST_NS[y]=""
  run_container x2 -- sleep 1000
  ID[x2]=$CONTAINER_ID HOST_NS[x2]=""
  run_container_net z "--net=container:${ID[x2]}" -- sleep 1000
  ID[z]=$CONTAINER_ID HOST_NS[z]=""
  PEERS["x pid"]=1 PEERS["y pid"]=1 PEERS["x2 net"]=1 PEERS["z net"]=1

  local config="$E2E_TMP/cproc.yml"
  cat >"$config" <<EOF
namespace_sharing:
  allow:
    - "$(short_name "${ID[pidhost]}")"
    - "${ID[ipchost]:0:12}*"
EOF
  log "config file:"
  sed 's/^/  /' "$config"
  start_exporter --config.file="$config"

  if expect_eventually 20 "host_namespace, namespace_peers and namespace_foreign_peers of all ${#ROLES[@]} containers" \
    "$METRICS" check_sharing; then :; else
    soft_fail "namespace sharing metrics differ (expected vs seen above)"
  fi
  print_loose_kinds

  if check_round "$METRICS" check_allowed; then
    log "OK: namespace_sharing_allowed follows the allow-list"
  else
    printf '  %s\n' "${E2E_PROBLEMS[@]}"
    soft_fail "namespace_sharing_allowed differs from the config's allow-list (expected vs seen above)"
  fi

  # A host process (host cgroup) entering the plain container's PID + mount namespaces.
  MISMATCH_WANT=0
  expect_eventually 10 "no mismatched process in the plain container yet" "$METRICS" check_mismatch ||
    soft_fail "mismatched_processes before nsenter (expected vs seen above)"
  local target nsenter_pid child=""
  target=$(container_host_pid "${ID[plain]}")
  nsenter -t "$target" -p -m -- sleep 300 &
  nsenter_pid=$!
  E2E_PIDS+=("$nsenter_pid")
  wait_until 10 "nsenter (pid $nsenter_pid) to fork its child" has_children "$nsenter_pid" ||
    fail "nsenter -t $target -p -m did not start its child"
  child=$(children_of "$nsenter_pid" | head -n 1)
  E2E_PIDS+=("$child")
  log "nsenter pid $nsenter_pid, child pid $child: $(grep NSpid "/proc/$child/status" | tr '\t' ' '); cgroup $(grep -m1 pids "/proc/$child/cgroup")"

  # The child in the container's PID namespace, and nsenter itself (a host process) in its
  # mount namespace: both outside the container's cgroup.
  MISMATCH_WANT=2
  expect_eventually 15 "mismatched_processes{kind=\"cgroup\"} == 2 with nsenter and its child" \
    "$METRICS" check_mismatch || soft_fail "a host-cgroup process in the container's PID namespace is not counted (expected vs seen above)"

  # Killing nsenter alone would leave its child running in the container's PID namespace
  # (re-parented on the host): stop the child we started, nsenter then exits by itself.
  stop_pid "$child" || true # not our child: stop_pid's wait fails, which is fine
  wait_until 10 "nsenter $nsenter_pid to exit after its child" is_gone "$nsenter_pid" ||
    { stop_pid "$nsenter_pid" || true; }
  wait "$nsenter_pid" 2>/dev/null || true
  log "nsenter $nsenter_pid and its child $child are gone"
  MISMATCH_WANT=0
  expect_eventually 15 "mismatched_processes{kind=\"cgroup\"} back to 0" "$METRICS" check_mismatch ||
    soft_fail "mismatched_processes did not return to 0 after the nsenter'd process exited"

  finish
}

main
