# shellcheck shell=bash
# Podman for the end-to-end tests: a containers.conf this kind of host needs, the busybox test
# image, and cleanup of exactly what a test created. Source after lib.sh, then `podman_init`.
#
# Facts about the CI machine (a VM without CAP_SYS_RESOURCE, PID 1 not systemd, hybrid cgroups):
# - Podman's default ulimits (1048576) are above the hard limits, and runc may only lower a
#   limit: "error setting rlimit type 6/7: operation not permitted". The ones given here are the
#   hard RLIMIT_NOFILE and min(hard RLIMIT_NPROC, pid_max): conmon was seen running with
#   RLIMIT_NPROC = pid_max (below the shell's hard limit), so a container asking for more fails.
# - crun 1.8 refuses the hybrid hierarchy: runc.
# - no systemd as PID 1: the cgroupfs manager and the file events logger.

PODMAN_IMAGE=localhost/cproc-test/busybox:latest
PODMAN_NAMES=()  # containers this test created (names are unique: they carry $$)
PODMAN_PODS=()   # pods this test created

# podman_init: skips (77) when Podman is missing or cannot run a container here.
podman_init() {
  command -v podman >/dev/null 2>&1 || skip "podman is not installed (Debian package podman)"
  local nofile nproc pid_max
  nofile=$(ulimit -Hn)
  nproc=$(ulimit -Hu)
  pid_max=$(cat /proc/sys/kernel/pid_max)
  [[ $nofile == unlimited ]] && nofile=1048576
  [[ $nproc == unlimited || $nproc -gt $pid_max ]] && nproc=$pid_max
  PODMAN_CONF="$E2E_TMP/containers.conf"
  cat >"$PODMAN_CONF" <<EOF
[containers]
default_ulimits = ["nofile=$nofile:$nofile", "nproc=$nproc:$nproc"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
EOF
  chmod 644 "$PODMAN_CONF"
  export CONTAINERS_CONF=$PODMAN_CONF
}

podman_() { timeout 120 podman "$@"; }

# podman_rootfs_tar FILE: a busybox-static root filesystem as a tar (what the images are made of).
podman_rootfs_tar() {
  local busybox=/bin/busybox rootfs="$E2E_TMP/podman-rootfs" applet
  [[ -x $busybox ]] || fail "$busybox not found (package busybox-static); run scripts/install-deps"
  mkdir -p "$rootfs"/{bin,dev,etc,proc,sys,tmp}
  cp "$busybox" "$rootfs/bin/busybox"
  for applet in sh sleep cat echo ps kill true false ls wait env id head tail grep sed awk; do
    ln -sf busybox "$rootfs/bin/$applet"
  done
  tar -C "$rootfs" -cf "$1" .
  chmod 644 "$1"
}

# ensure_podman_image: import $PODMAN_IMAGE into root's Podman storage unless it is there.
ensure_podman_image() {
  podman_ image exists "$PODMAN_IMAGE" && return 0
  podman_rootfs_tar "$E2E_TMP/rootfs.tar"
  podman_ import -q -c 'ENV PATH=/bin' "$E2E_TMP/rootfs.tar" "$PODMAN_IMAGE" >/dev/null ||
    fail "podman import of $PODMAN_IMAGE failed"
}

# podman_run NAME [podman run options...] -- COMMAND...: a detached container named NAME (which
# the caller makes unique); sets PODMAN_ID to its full id and PODMAN_PID to its host PID.
PODMAN_ID=""
PODMAN_PID=""
podman_run() {
  local name=$1 opts=()
  shift
  while (($#)) && [[ $1 != -- ]]; do opts+=("$1"); shift; done
  [[ ${1:-} == -- ]] && shift
  PODMAN_NAMES+=("$name")
  PODMAN_ID=$(podman_ run -d --name "$name" --label cproc-e2e=1 "${opts[@]}" "$PODMAN_IMAGE" "$@" \
    2>"$E2E_TMP/podman-run-$name.err") ||
    fail "podman run $name failed: $(cat "$E2E_TMP/podman-run-$name.err")"
  PODMAN_PID=$(podman_ inspect -f '{{.State.Pid}}' "$name")
  log "started podman container $name = ${PODMAN_ID:0:12}, host pid $PODMAN_PID ($*)"
}

# podman_cleanup: remove this test's containers and pods (by name), keeping the exit status.
podman_cleanup() {
  local rc=$1 name
  set +e
  for name in "${PODMAN_NAMES[@]}"; do podman_ rm -f -t 0 "$name" >/dev/null 2>&1; done
  for name in "${PODMAN_PODS[@]}"; do podman_ pod rm -f -t 0 "$name" >/dev/null 2>&1; done
  return "$rc"
}

# podman_probe: skips (77) unless Podman can run a container here (runtime, cgroups, storage).
podman_probe() {
  local name="${E2E_PREFIX}probe"
  PODMAN_NAMES+=("$name")
  podman_ run --rm --network none --name "$name" "$PODMAN_IMAGE" true \
    >"$E2E_TMP/podman-probe.out" 2>&1 ||
    skip "podman cannot run a container here: $(tail -n 3 "$E2E_TMP/podman-probe.out" | tr '\n' ' ')"
}

# podman_pod_create NAME [podman pod create options...]: a pod named NAME (unique: the caller
# puts $$ in it) with its infra container started; sets PODMAN_POD_ID and PODMAN_INFRA_ID. The
# infra container goes with the pod (podman pod rm).
PODMAN_POD_ID=""
PODMAN_INFRA_ID=""
PODMAN_POD_IDS=() # ids of the pods this test created, for the cgroups Podman leaves behind
podman_pod_create() {
  local name=$1
  shift
  PODMAN_PODS+=("$name")
  PODMAN_POD_ID=$(podman_ pod create --name "$name" --label cproc-e2e=1 "$@" \
    2>"$E2E_TMP/podman-pod-$name.err") ||
    fail "podman pod create $name failed: $(cat "$E2E_TMP/podman-pod-$name.err")"
  PODMAN_POD_IDS+=("$PODMAN_POD_ID")
  podman_ pod start "$name" >/dev/null 2>"$E2E_TMP/podman-pod-$name.err" ||
    fail "podman pod start $name failed: $(cat "$E2E_TMP/podman-pod-$name.err")"
  PODMAN_INFRA_ID=$(podman_ pod inspect -f '{{.InfraContainerID}}' "$name")
  [[ -n $PODMAN_INFRA_ID ]] || fail "pod $name has no infra container"
  log "created pod $name = ${PODMAN_POD_ID:0:12}, infra container ${PODMAN_INFRA_ID:0:12}"
}

# podman_cleanup_all RC: like podman_cleanup, but also removes a container another one
# joined (--pid=container:X, --net=container:X): Podman refuses to remove it before its
# dependents ("has dependent containers"), so podman_cleanup's one call per name in creation
# order leaves it behind, and one `podman rm` of all names fails the same way (it removes them
# in parallel). Here: `podman rm` of all names again until it succeeds (each pass removes the
# containers nobody depends on any more; at most 4 passes). Then the pods (with their infra
# containers), and the pods' cgroup directories that Podman's cgroupfs manager leaves in the
# name=systemd and unified hierarchies of a hybrid host (empty ones only).
podman_cleanup_all() {
  local rc=$1 i ok=0
  set +e
  if ((${#PODMAN_NAMES[@]})); then
    for i in 1 2 3 4; do
      podman_ rm -f -i -t 0 "${PODMAN_NAMES[@]}" >/dev/null 2>&1 && { ok=1; break; }
    done
  else
    ok=1
  fi
  if ((${#PODMAN_PODS[@]})); then
    podman_ pod rm -f -i -t 0 "${PODMAN_PODS[@]}" >/dev/null 2>&1 || ok=0
  fi
  for i in "${PODMAN_POD_IDS[@]}"; do remove_cgroup_trees "libpod_parent/$i"; done
  # Removed: a second call (the EXIT trap after an explicit teardown) has nothing left to do.
  ((ok)) && PODMAN_NAMES=() PODMAN_PODS=() PODMAN_POD_IDS=()
  return "$rc"
}

# podman_leftovers ID...: print what is left of these containers and pods (full ids; infra
# containers included): Podman's records, processes in their cgroups, their conmon monitors,
# cgroup directories. Prints nothing when everything is gone.
podman_leftovers() {
  local id pid patterns=() names=()
  (($#)) || return 0
  for id in "$@"; do patterns+=(-e "$id"); names+=(-o -name "*$id*"); done
  { podman_ ps -a -q --no-trunc; podman_ pod ps -q --no-trunc; } 2>/dev/null | grep -F -x "${patterns[@]}" |
    sed 's/^/Podman still knows /' || true
  grep -s -l -F "${patterns[@]}" /proc/[0-9]*/cgroup | awk -F/ '{ print "process " $3 " in a cgroup of this test" }' || true
  grep -s -l -F "${patterns[@]}" /proc/[0-9]*/cmdline | awk -F/ '{ print $3 }' | while read -r pid; do
    [[ $(cat "/proc/$pid/comm" 2>/dev/null) != conmon ]] || echo "conmon $pid still runs"
  done || true
  find /sys/fs/cgroup -maxdepth 6 -type d \( -false "${names[@]}" \) 2>/dev/null | sed 's/^/cgroup left: /'
  return 0
}
