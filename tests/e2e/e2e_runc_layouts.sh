#!/usr/bin/env bash
# Real runc (Debian's, the one dockerd uses) starting containers with the cgroup paths Podman and
# CRI-O give theirs, so those layouts are checked against what a real runtime creates: the
# exporter must find each with the right runtime, layout and id, count its processes, and reject
# the conmon monitor's cgroup.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
e2e_init "$@"
require_docker  # for the busybox root filesystem
command -v runc >/dev/null 2>&1 || skip "runc is not installed (Debian package runc)"
command -v jq >/dev/null 2>&1 || fail "jq not found; run scripts/install-deps"
ensure_test_image

RUNC_ROOT="$E2E_TMP/runc-state"  # our own state directory: never touches dockerd's containers
runc_() { timeout 30 runc --root "$RUNC_ROOT" "$@"; }
RUNC_IDS=()
TAG="cproc-e2e-$$"
cleanup_runc() {
  local rc=$1 id
  set +e
  for id in "${RUNC_IDS[@]}"; do
    runc_ kill "$id" KILL >/dev/null 2>&1
    runc_ delete --force "$id" >/dev/null 2>&1
  done
  remove_cgroup_trees "$TAG" "$TAG.slice"
  return "$rc"
}
trap 'cleanup_runc $?; e2e_cleanup' EXIT

# One root filesystem for every bundle, exported from the busybox test image.
rootfs="$E2E_TMP/rootfs"
mkdir -p "$rootfs"
tmp_container=$("$DOCKER" create "$E2E_IMAGE" true) || fail "docker create failed"
"$DOCKER" export "$tmp_container" | tar -C "$rootfs" -x || fail "docker export failed"
"$DOCKER" rm "$tmp_container" >/dev/null

hex64() { head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n'; }

# start_runc NAME CGROUPS_PATH: a bundle running `sleep` plus one zombie (PID 1 never reaps).
start_runc() {
  local id=$1 cgroups_path=$2 bundle="$E2E_TMP/bundle-$1"
  mkdir -p "$bundle"
  (cd "$bundle" && runc spec --rootless=false) || fail "runc spec failed"
  jq --arg root "$rootfs" --arg cg "$cgroups_path" '
      .root = {path: $root, readonly: true} |
      .process.terminal = false |
      .process.args = ["sh", "-c", "(sleep 1 &); exec sleep 1000"] |
      .linux.cgroupsPath = $cg' "$bundle/config.json" >"$bundle/config.json.new" &&
    mv "$bundle/config.json.new" "$bundle/config.json"
  runc_ run -d --bundle "$bundle" "$id" </dev/null >/dev/null 2>"$E2E_TMP/runc-$id.err" ||
    fail "runc run $id failed: $(cat "$E2E_TMP/runc-$id.err")"
  RUNC_IDS+=("$id")
  log "runc container $id in cgroup $cgroups_path"
}

PODMAN_ID=$(hex64)
CRIO_ID=$(hex64)
UID_SYSTEMD="0b5a1e6c_2f3d_4a5b_8c7d_9e0f1a2b3c4d"
UID_DASHES="0b5a1e6c-2f3d-4a5b-8c7d-9e0f1a2b3c4d"
CONMON_ID=$(hex64)
start_runc "podman-$$" "/$TAG.slice/libpod-$PODMAN_ID.scope/container"
start_runc "crio-$$" "/$TAG/kubepods/burstable/pod$UID_DASHES/crio-$CRIO_ID"
start_runc "conmon-$$" "/$TAG.slice/crio-conmon-$CONMON_ID.scope"
sleep 2  # the orphans exit and stay zombies

start_exporter
METRICS="$E2E_TMP/metrics"
found() {
  expect_sample "$1" 1 cproc_container_info "container_id=\"podman://$PODMAN_ID\"" \
    'runtime="podman"' 'layout="podman-systemd"'
  expect_sample "$1" 1 cproc_container_processes "container_id=\"podman://$PODMAN_ID\"" 'state="zombie"'
  expect_sample "$1" 1 cproc_container_processes "container_id=\"podman://$PODMAN_ID\"" 'state="sleeping"'
  expect_sample "$1" 1 cproc_container_info "container_id=\"cri-o://$CRIO_ID\"" \
    'runtime="cri-o"' 'layout="crio-cgroupfs"' "pod_uid=\"$UID_DASHES\""
  expect_sample "$1" 1 cproc_container_zombies "container_id=\"cri-o://$CRIO_ID\"" 'parent="pid1"'
  expect_sample "$1" absent cproc_container_info "container_id=\"cri-o://$CONMON_ID\""
}
expect_eventually 20 "runc containers with Podman and CRI-O cgroup paths" "$METRICS" found ||
  fail "the runc containers are not reported as expected"
# The monitor's process is a host process, not a container's.
grep -q "$CONMON_ID" "$METRICS" && soft_fail "crio-conmon's id appears in the metrics"
finish
