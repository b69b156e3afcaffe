#!/usr/bin/env bash
# Real rootless Podman on a host where it cannot create cgroups (cgroup v1, or v2 without a
# systemd user manager): every container of the user runs in the user's own cgroup, so no
# cgroup line names it. The exporter must find each container through the pidfile conmon
# writes in the user's run root, trust it only for a process in that user's namespaces, and
# report each container like any other, over many scans:
#   - a container with its own PID namespace, whose PID 1 leaves a zombie;
#   - a --pid=host container, whose processes are told apart by descent only;
#   - conmon and Podman's pause process stay host processes;
#   - a stopped container's pidfile (left behind) is neither a container nor an error;
#   - without CAP_SYS_PTRACE the pidfiles cannot be verified: nothing is attributed and
#     cproc_scan_unattributed_runtime_containers says how many.
# The test creates its own user (subordinate ids for newuidmap) and removes it and everything it
# ran at the end.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=podman_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/podman_lib.sh"
e2e_init "$@"
require_root
podman_init
command -v newuidmap >/dev/null 2>&1 || skip "newuidmap is not installed (Debian package uidmap)"
command -v capsh >/dev/null 2>&1 || fail "capsh not found (libcap2-bin); run scripts/install-deps"
command -v jq >/dev/null 2>&1 || fail "jq not found; run scripts/install-deps"

RL_USER="cprl$$"
RL_UID=""
RL_HOME=""
RL_RUNROOT=""
rl_podman() {
  (cd / && timeout 120 runuser -u "$RL_USER" -- env -i HOME="$RL_HOME" PATH=/usr/bin:/bin \
    CONTAINERS_CONF="$PODMAN_CONF" podman "$@")
}

# Removes every process the test user runs (all started by this test: the user is new), its
# containers, the user, its home, subordinate ids and run root.
cleanup_rootless() {
  local rc=$1 pid i
  set +e
  if [[ -n $RL_UID ]]; then
    rl_podman rm -af -t 0 >/dev/null 2>&1
    for i in 1 2 3; do
      for pid in $(ps -o pid= -u "$RL_UID" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
      [[ -z $(ps -o pid= -u "$RL_UID" 2>/dev/null) ]] && break
      sleep 0.5
    done
    userdel -r "$RL_USER" >/dev/null 2>&1 || log "warning: userdel $RL_USER failed"
    sed -i "/^$RL_USER:/d" /etc/subuid /etc/subgid
    rm -rf "/tmp/podman-run-$RL_UID" "/tmp/containers-user-$RL_UID" "/run/user/$RL_UID"
  fi
  return "$rc"
}
trap 'cleanup_rootless $?; e2e_cleanup' EXIT

useradd -m -s /bin/sh "$RL_USER" || fail "useradd $RL_USER failed"
RL_UID=$(id -u "$RL_USER")
RL_HOME=$(getent passwd "$RL_USER" | cut -d: -f6)
if ! grep -q "^$RL_USER:" /etc/subuid; then
  # useradd gives new users subordinate ids where login.defs asks for them; otherwise a range
  # far above the ones in use.
  echo "$RL_USER:$((300000 + RL_UID * 65536)):65536" >>/etc/subuid
  echo "$RL_USER:$((300000 + RL_UID * 65536)):65536" >>/etc/subgid
fi
RL_RUNROOT="/tmp/podman-run-$RL_UID/containers"  # Podman's run root without XDG_RUNTIME_DIR
chmod 711 "$E2E_TMP"  # the user reads containers.conf and the image's tar from here
podman_rootfs_tar "$E2E_TMP/rootfs.tar"
rl_podman import -q -c 'ENV PATH=/bin' "$E2E_TMP/rootfs.tar" "$PODMAN_IMAGE" >/dev/null 2>&1 ||
  skip "rootless podman cannot import an image here: $(rl_podman info 2>&1 | tail -n 3)"

# rl_run NAME [options...] -- COMMAND...: sets RL_ID and RL_PID.
rl_run() {
  local name=$1 opts=()
  shift
  while (($#)) && [[ $1 != -- ]]; do opts+=("$1"); shift; done
  [[ ${1:-} == -- ]] && shift
  RL_ID=$(rl_podman run -d --name "$name" --network none "${opts[@]}" "$PODMAN_IMAGE" "$@" \
    2>"$E2E_TMP/run-$name.err") || fail "rootless podman run $name: $(cat "$E2E_TMP/run-$name.err")"
  RL_PID=$(rl_podman inspect -f '{{.State.Pid}}' "$name")
  log "rootless container $name = ${RL_ID:0:12}, host pid $RL_PID ($*)"
}

rl_run rl-own -- sh -c '(sleep 1 &); sleep 1000 & exec sleep 1001'
OWN_ID=$RL_ID OWN_PID=$RL_PID
rl_run rl-hostpid --pid=host -- sh -c 'sleep 1000 & exec sleep 1001'
HOSTPID_ID=$RL_ID HOSTPID_PID=$RL_PID
grep -qE '^[0-9]+:pids:/$|^0::/$' "/proc/$OWN_PID/cgroup" ||
  log "note: rootless containers have cgroups here: $(grep pids "/proc/$OWN_PID/cgroup")"
sleep 2  # the orphaned `sleep 1` exits and stays a zombie under PID 1

# The processes of a container, from /proc: those in its PID 1's PID namespace (own namespace)
# or its PID 1 and descendants (--pid=host). One process each, not one per pid: the machine is
# busy while the suite runs.
pids_in_pid_ns() {
  local ns
  ns=$(stat -L -c %i "/proc/$1/ns/pid")
  stat -L -c '%i %n' /proc/[0-9]*/ns/pid 2>/dev/null |
    awk -v ns="$ns" '$1 == ns { split($2, p, "/"); print p[3] }'
}
descendants() {
  cat /proc/[0-9]*/stat 2>/dev/null | awk -v root="$1" '
    { rest = substr($0, index($0, ") ") + 2); split(rest, f, " "); parent[$1 + 0] = f[2] + 0 }
    END { for (pid in parent) { p = pid + 0; for (d = 0; d < 64 && p > 1; d++) {
            if (p == root) { print pid; break }; p = parent[p] } } }'
}
# state_counts PID...: "state=N ..." for the given processes, as host_counts prints.
state_counts() {
  cat /proc/[0-9]*/stat 2>/dev/null | awk -v pids=" $* " '
    BEGIN { split("running sleeping disk_sleep stopped zombie idle other", names, " ")
            for (i in names) n[names[i]] = 0 }
    index(pids, " " $1 " ") {
      rest = substr($0, index($0, ") ") + 2); s = substr(rest, 1, 1); name = "other"
      if (s == "R") name = "running"; else if (s == "S") name = "sleeping"
      else if (s == "D") name = "disk_sleep"; else if (s == "T" || s == "t") name = "stopped"
      else if (s == "Z") name = "zombie"; else if (s == "I") name = "idle"
      n[name]++ }
    END { for (i = 1; i <= 7; i++) printf "%s=%s ", names[i], n[names[i]] }'
}

# expect_container FILE ID NAME PID1 COUNTS: identity, PID 1 and processes by state.
expect_container() {
  local file=$1 id=$2 name=$3 pid1=$4 counts=$5 m pair
  m="container_id=\"podman://$id\""
  [[ $counts == *sleeping=* ]] || fail "no ground truth for $name (state_counts: '$counts')"
  expect_sample "$file" 1 cproc_container_info "$m" "container=\"$name\"" 'runtime="podman"' \
    "image=\"$PODMAN_IMAGE\"" 'layout="podman-pidfile"' 'cgroup=""'
  expect_sample "$file" "$pid1" cproc_container_pid1_host_pid "$m"
  for pair in $counts; do
    expect_sample "$file" "${pair#*=}" cproc_container_processes "$m" "state=\"${pair%%=*}\""
  done
}

rootless_truth() {
  local file=$1
  expect_container "$file" "$OWN_ID" rl-own "$OWN_PID" \
    "$(state_counts $(pids_in_pid_ns "$OWN_PID"))"
  expect_sample "$file" 1 cproc_container_zombies "container_id=\"podman://$OWN_ID\"" \
    'parent="pid1"'
  expect_sample "$file" 1 cproc_container_pid1_is_namespace_init "container_id=\"podman://$OWN_ID\""
  expect_sample "$file" 0 cproc_container_host_namespace "container_id=\"podman://$OWN_ID\"" \
    'ns="pid"'
  expect_container "$file" "$HOSTPID_ID" rl-hostpid "$HOSTPID_PID" \
    "$(state_counts $(descendants "$HOSTPID_PID"))"
  expect_sample "$file" 1 cproc_container_host_namespace "container_id=\"podman://$HOSTPID_ID\"" \
    'ns="pid"'
  # Rootless: the user namespace is the user's, declared by nobody; no false mismatch.
  expect_sample "$file" 0 cproc_container_host_namespace "container_id=\"podman://$OWN_ID\"" \
    'ns="user"'
  expect_sample "$file" 0 cproc_container_namespace_declaration_mismatches \
    "container_id=\"podman://$OWN_ID\""
  expect_sample "$file" 0 cproc_scan_unattributed_runtime_containers
}

# Where rootless Podman keeps its files: the run root (pidfiles) and the graph root (names).
CONFIG="$E2E_TMP/config.yml"
cat >"$CONFIG" <<EOF
runtime:
  storage_roots:
    - /run/containers/storage
    - /var/lib/containers/storage
    - /tmp/podman-run-*/containers
    - /home/*/.local/share/containers/storage
EOF
start_exporter --config.file="$CONFIG"
METRICS="$E2E_TMP/metrics"
expect_eventually 20 "rootless containers found through their pidfiles" "$METRICS" \
  rootless_truth || fail "the rootless containers are not reported as expected"

# conmon and the pause process are the user's but no container's.
conmon_pid=$(cat "$RL_RUNROOT"/*-containers/"$OWN_ID"/userdata/conmon.pid)
[[ $(awk '{ print $4 }' "/proc/$OWN_PID/stat") == "$conmon_pid" ]] ||
  fail "conmon.pid ($conmon_pid) is not the parent of PID 1 ($OWN_PID)"

# A container started and stopped during the rounds: found, then gone, its pidfile left behind
# and never counted as unattributed.
LATE_ID=""
changing_host() {
  local file=$1 round=$SCRAPE_ROUND
  rootless_truth "$file"
  if ((round == 3)); then
    rl_run rl-late -- sleep 1000
    LATE_ID=$RL_ID
  elif ((round == 5)); then
    expect_sample "$file" 1 cproc_container_info "container_id=\"podman://$LATE_ID\"" \
      'container="rl-late"' 'layout="podman-pidfile"'
    rl_podman stop -t 0 rl-late >/dev/null || fail "podman stop rl-late failed"
  elif ((round > 6)); then
    [[ -f $(echo "$RL_RUNROOT"/*-containers/"$LATE_ID"/userdata/pidfile) ]] ||
      log "note: Podman removed rl-late's pidfile"
    expect_sample "$file" absent cproc_container_info "container_id=\"podman://$LATE_ID\""
  fi
}
scrape_rounds 10 changing_host

# Without CAP_SYS_PTRACE the user's namespaces are unreadable: the pidfiles cannot be verified.
check_exporter_exit
EXPORTER_PREFIX=(capsh --drop=cap_sys_ptrace -- -c 'exec "$0" "$@"')
start_exporter --config.file="$CONFIG"
unverified() {
  # At least this test's two (the host may run other users' rootless containers).
  expect_sample_cmp "$1" '>=' 2 cproc_scan_unattributed_runtime_containers
  expect_sample "$1" absent cproc_container_info "container_id=\"podman://$OWN_ID\""
  expect_sample "$1" absent cproc_container_info "container_id=\"podman://$HOSTPID_ID\""
}
expect_eventually 20 "without CAP_SYS_PTRACE: counted, not attributed" "$METRICS" unverified ||
  fail "unverifiable pidfiles are not reported as expected"
grep -q 'cannot be verified' "$EXPORTER_LOG" || soft_fail "the log does not say why"
finish
