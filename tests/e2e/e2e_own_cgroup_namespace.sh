#!/usr/bin/env bash
# The exporter in a private cgroup namespace, as Docker and containerd start containers on cgroup
# v2 hosts: the real binary is moved into a cgroup named like a Docker container's
# (/<tag>/docker-<id>.scope) and execs through `unshare --cgroup --mount`, so its own /proc/self/cgroup
# reads "0::/" like the host root. It must find where its namespace is rooted in the host's
# tree (--path.sysfs) and report its own container like any other: cproc_container_info for
# docker://<id>, its own process counted there and not as a host process, and
# cproc_container_namespace_sharing_allowed 1 (its own container never pages anyone).
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
e2e_init "$@"
require_root
command -v unshare >/dev/null 2>&1 || skip "unshare (util-linux) is not installed"
unshare --cgroup true 2>/dev/null || skip "this kernel refuses new cgroup namespaces"

unified=""
for candidate in /sys/fs/cgroup /sys/fs/cgroup/unified; do
  [[ -f $candidate/cgroup.controllers ]] && { unified=$candidate; break; }
done
[[ -n $unified ]] || skip "no cgroup2 hierarchy mounted at /sys/fs/cgroup or /sys/fs/cgroup/unified"

TAG="cproc-e2e-selfns-$$"
ID=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
RELATIVE="/$TAG/docker-$ID.scope"
CGROUP="$unified$RELATIVE"
mkdir -p "$CGROUP" || fail "cannot create $CGROUP"
# The exporter must be gone before its cgroup can be removed; then lib.sh's cleanup.
trap 'rc=$?; [[ -n ${EXPORTER_PID:-} ]] && stop_pid "$EXPORTER_PID"; remove_cgroup_trees "$TAG"; (exit $rc); e2e_cleanup' EXIT

# start_exporter runs $EXPORTER_BIN: a wrapper that enters the cgroup, then new cgroup and mount
# namespaces (its own mount namespace is how it tells its container from the host's processes).
REAL_BIN=$EXPORTER_BIN
EXPORTER_BIN="$E2E_TMP/in-private-cgroup-namespace"
cat >"$EXPORTER_BIN" <<WRAPPER
#!/usr/bin/env bash
echo \$\$ >"$CGROUP/cgroup.procs" || exit 1
exec unshare --cgroup --mount "$REAL_BIN" "\$@"
WRAPPER
chmod +x "$EXPORTER_BIN"
start_exporter --path.procfs=/proc --path.sysfs=/sys

# The setup is what it claims: another cgroup namespace, rooted at the container's cgroup.
[[ $(readlink "/proc/$EXPORTER_PID/ns/cgroup") != "$(readlink /proc/self/ns/cgroup)" ]] ||
  fail "the exporter is not in a cgroup namespace of its own"
grep -qx "0::$RELATIVE" "/proc/$EXPORTER_PID/cgroup" ||
  fail "the exporter is not in $RELATIVE: $(cat "/proc/$EXPORTER_PID/cgroup")"
[[ $(nsenter -t "$EXPORTER_PID" -C cat "/proc/$EXPORTER_PID/cgroup" 2>/dev/null | grep "^0::") == "0::/" ]] ||
  log "note: could not confirm the exporter reads 0::/ for itself"

grep -q "private cgroup namespace rooted at $RELATIVE" "$EXPORTER_LOG" ||
  soft_fail "the exporter logs where its cgroup namespace is rooted ($RELATIVE)"

cid="container_id=\"docker://$ID\""
own_container_reported() {
  expect_sample "$1" 1 cproc_container_info "$cid"
  expect_sample_cmp "$1" ">=" 1 cproc_container_processes "$cid"
  expect_sample "$1" 1 cproc_container_namespace_sharing_allowed "$cid"
  # Its PID 1 is the exporter itself: its own process is counted there, not on the host.
  expect_sample "$1" 1 cproc_container_pid1_info "$cid" 'comm="cproc_exporter"'
}
expect_eventually 20 "its own container reported from inside its cgroup namespace" \
  "$E2E_TMP/metrics" own_container_reported ||
  soft_fail "the exporter's own container is not reported (problems above)"
finish
