#!/usr/bin/env bash
# Real runc (Debian's, the one dockerd uses) starting containers the way Podman, CRI-O and
# containerd's CRI plugin start theirs: their cgroup paths, and for the Kubernetes ones their OCI
# bundles and containers/storage files, annotations and all, under roots given to the exporter in
# its config file (runtime.bundle_roots, runtime.storage_roots). The exporter must find each with
# the right runtime, layout and id, name it (pod, namespace, container, image, pod UID) from
# those files, count its processes and zombies as /proc does, see the pods' shared namespaces,
# and reject the conmon monitor's cgroup; over many scans, across a change (one container
# removed, a process exec'd into another).
#
#   key       cgroup (under this test's own /$TAG or /$TAG.slice)   named from
#   podman    $TAG.slice/libpod-<id>.scope/container                  nothing: the short id
#   crio_pod  $TAG/kubepods/burstable/pod<uid>/crio-<id>              storage: config + list
#   crio      $TAG/kubepods/burstable/pod<uid>/crio-<id>              storage: config + list
#   conmon    $TAG.slice/crio-conmon-<id>.scope                       (not a container)
#   ctrd_pod  $TAG/kubepods/besteffort/pod<uid>/<id>                  bundle k8s.io/<id>
#   ctrd      $TAG/kubepods/besteffort/pod<uid>/<id>                  bundle k8s.io/<id>
#   ctrd_sys  $TAG.slice/kubepods.slice/kubepods-burstable.slice/     bundle k8s.io/<id>
#               kubepods-burstable-pod<uid>.slice/cri-containerd-<id>.scope
# crio_pod and ctrd_pod are their pods' sandboxes (CRI-O's infra container, containerd's pause).
#
# crio and ctrd join their sandbox's network, IPC and UTS namespaces (by /proc/PID/ns path, as
# the CRI runtimes do); podman joins the CRI-O sandbox's network namespace (a foreign peer).
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
uuid() { cat /proc/sys/kernel/random/uuid; }

# The runtimes' file roots, given to the exporter by its config file.
STORAGE="$E2E_TMP/storage"  # containers/storage (CRI-O)
BUNDLES="$E2E_TMP/bundles"  # containerd's io.containerd.runtime.v2.task
mkdir -p "$STORAGE/overlay-containers" "$BUNDLES/k8s.io"
CONFIG="$E2E_TMP/cproc.yml"
cat >"$CONFIG" <<EOF
runtime:
  bundle_roots:
    - $BUNDLES
  storage_roots: ["$STORAGE"]
EOF

# start_runc ID CGROUPS_PATH BUNDLE ARGS_JSON [ANNOTATIONS_JSON [JOIN_PID JOIN_KINDS_JSON]]:
# runc runs the busybox root filesystem with ARGS as the container's process in a bundle at
# BUNDLE (its config.json is what the exporter reads), joining JOIN_PID's namespaces of the OCI
# types in JOIN_KINDS (e.g. ["network","ipc","uts"]).
start_runc() {
  local id=$1 cgroups_path=$2 bundle=$3 args=$4 annotations=${5:-"{}"} join_pid=${6:-0}
  local join_kinds=${7:-"[]"}
  mkdir -p "$bundle"
  (cd "$bundle" && runc spec --rootless=false) || fail "runc spec failed"
  jq --arg root "$rootfs" --arg cg "$cgroups_path" --argjson args "$args" \
    --argjson annotations "$annotations" --arg pid "$join_pid" --argjson join "$join_kinds" '
      .root = {path: $root, readonly: true} |
      .process.terminal = false |
      .process.args = $args |
      .annotations = $annotations |
      .linux.cgroupsPath = $cg |
      .linux.namespaces |= map(
        if (.type as $t | $join | index($t)) then
          .path = "/proc/\($pid)/ns/" + ({network: "net"}[.type] // .type)
        else . end) |
      if ($join | index("uts")) then del(.hostname) else . end' \
    "$bundle/config.json" >"$bundle/config.json.new" &&
    mv "$bundle/config.json.new" "$bundle/config.json"
  runc_ run -d --bundle "$bundle" "$id" </dev/null >/dev/null 2>"$E2E_TMP/runc-$id.err" ||
    fail "runc run $id failed: $(cat "$E2E_TMP/runc-$id.err")"
  RUNC_IDS+=("$id")
  log "runc container ${id:0:20} in cgroup $cgroups_path"
}
runc_pid() { runc_ state "$1" | jq -r .pid; }

# What each container should be reported as, by key: K_CID (container_id), K_NEEDLE (selects its
# processes in /proc/PID/cgroup), K_IDENTITY (container|pod|namespace|runtime|image|pod_uid|
# layout|cgroup), K_RUNC (runc's id), K_BUNDLE.
declare -A K_CID=() K_NEEDLE=() K_IDENTITY=() K_RUNC=() K_BUNDLE=()
LIVE=()  # keys of the containers that run now

# The processes: PID 1 sleeps and never reaps, and an orphaned `sleep 1` stays its zombie;
# "nested": PID 1's child (a sleep that exec'd from sh) leaves the zombie, so its parent is not
# PID 1; "pause": PID 1 alone, as a sandbox's pause.
ARGS_ZOMBIE='["sh", "-c", "(sleep 1 &); exec sleep 1000"]'
ARGS_NESTED='["sh", "-c", "sh -c \"sleep 1 & exec sleep 1000\" & exec sleep 1001"]'
ARGS_PAUSE='["sleep", "1000"]'
BUSYBOX_IMAGE="docker.io/library/busybox:1.36"
PAUSE_IMAGE="registry.k8s.io/pause:3.9"
NAMESPACE="cproc-e2e"

# --- Podman's cgroup (systemd driver, the /container child), no files: the short id.
PODMAN_ID=$(hex64)
# --- CRI-O, cgroupfs driver: a pod of an infra container and one container, named by
# containers/storage: <storage>/overlay-containers/<id>/userdata is the bundle (config.json with
# CRI-O's annotations), <storage>/overlay-containers/containers.json lists the names.
CRIO_POD_ID=$(hex64)
CRIO_ID=$(hex64)
UID_CRIO=$(uuid)
CRIO_POD="web-$$"
CRIO_PARENT="/$TAG/kubepods/burstable/pod$UID_CRIO"
# --- CRI-O's monitor: not a container.
CONMON_ID=$(hex64)
# --- containerd's CRI plugin, cgroupfs driver: a sandbox and a container, named by their bundles
# <bundles>/k8s.io/<id>/config.json.
CTRD_POD_ID=$(hex64)
CTRD_ID=$(hex64)
UID_CTRD=$(uuid)
CTRD_POD="batch-$$"
CTRD_PARENT="/$TAG/kubepods/besteffort/pod$UID_CTRD"
# --- containerd's CRI plugin, the systemd driver's path (runc writes it literally here), a
# container whose sandbox is not run; removed after the first rounds.
CTRD_SYS_ID=$(hex64)
UID_SYS=$(uuid)
SYS_POD="cron-$$"
SYS_CGROUP="/$TAG.slice/kubepods.slice/kubepods-burstable.slice"
SYS_CGROUP+="/kubepods-burstable-pod${UID_SYS//-/_}.slice/cri-containerd-$CTRD_SYS_ID.scope"

# define KEY RUNTIME ID BUNDLE LAYOUT CGROUP CONTAINER POD POD_UID IMAGE: container KEY, run by
# runc as ID, is expected as RUNTIME://ID with these labels (namespace $NAMESPACE when in a pod).
define() {
  local namespace=""
  [[ -n $8 ]] && namespace=$NAMESPACE
  K_RUNC[$1]=$3
  K_BUNDLE[$1]=$4
  K_CID[$1]="$2://$3"
  K_NEEDLE[$1]=$3
  K_IDENTITY[$1]="$7|$8|$namespace|$2|${10}|$9|$5|$6"
  LIVE+=("$1")
}

# CRI-O's annotations (its own io.kubernetes.cri-o.*, plus the kubelet's labels and annotations
# it copies) for container NAME of pod $CRIO_POD.
crio_annotations() { # NAME ID TYPE IMAGE
  jq -n --arg name "$1" --arg id "$2" --arg type "$3" --arg image "$4" --arg pod "$CRIO_POD" \
    --arg ns "$NAMESPACE" --arg uid "$UID_CRIO" --arg sandbox "$CRIO_POD_ID" '{
      "io.container.manager": "cri-o",
      "io.kubernetes.container.name": $name,
      "io.kubernetes.pod.name": $pod,
      "io.kubernetes.pod.namespace": $ns,
      "io.kubernetes.pod.uid": $uid,
      "io.kubernetes.cri-o.ContainerID": $id,
      "io.kubernetes.cri-o.ContainerName": "k8s_\($name)_\($pod)_\($ns)_\($uid)_0",
      "io.kubernetes.cri-o.ContainerType": $type,
      "io.kubernetes.cri-o.Image": $image,
      "io.kubernetes.cri-o.ImageName": $image,
      "io.kubernetes.cri-o.Metadata": ({name: $name, attempt: 0} | tojson),
      "io.kubernetes.cri-o.Name": "k8s_\($name)_\($pod)_\($ns)_\($uid)_0",
      "io.kubernetes.cri-o.SandboxID": $sandbox,
      "io.kubernetes.cri-o.SandboxName": "k8s_\($pod)_\($ns)_\($uid)_0"
    } + (if $type == "sandbox" then {"io.kubernetes.cri-o.KubeName": $pod,
      "io.kubernetes.cri-o.Namespace": $ns} else {} end)'
}
# One containers.json entry (containers/storage), with CRI-O's metadata (JSON in a string).
storage_entry() { # NAME ID IMAGE POD?
  jq -n --arg name "$1" --arg id "$2" --arg image "$3" --arg pod "${4:-}" \
    --arg podname "$CRIO_POD" --arg ns "$NAMESPACE" --arg uid "$UID_CRIO" \
    --arg sandbox "$CRIO_POD_ID" --arg imageid "$(hex64)" --arg layer "$(hex64)" '{
      id: $id,
      names: ["k8s_\($name)_\($podname)_\($ns)_\($uid)_0"],
      image: $imageid,
      layer: $layer,
      metadata: ({"pod-name": $podname, "pod-id": $sandbox, "image-name": $image,
        "image-id": $imageid, name: "k8s_\($name)_\($podname)_\($ns)_\($uid)_0",
        "metadata-name": $name, "created-at": 1700000000}
        + (if $pod == "pod" then {pod: true, uid: $uid, namespace: $ns} else {} end) | tojson),
      created: "2026-01-01T00:00:00Z",
      flags: {}
    }'
}
# containerd's CRI annotations (DefaultCRIAnnotations) for container NAME (empty: the sandbox).
cri_annotations() { # NAME SANDBOX_ID POD UID IMAGE
  jq -n --arg name "$1" --arg sandbox "$2" --arg pod "$3" --arg uid "$4" --arg image "$5" \
    --arg ns "$NAMESPACE" '{
      "io.kubernetes.cri.sandbox-id": $sandbox,
      "io.kubernetes.cri.sandbox-name": $pod,
      "io.kubernetes.cri.sandbox-namespace": $ns,
      "io.kubernetes.cri.sandbox-uid": $uid
    } + (if $name == "" then {
      "io.kubernetes.cri.container-type": "sandbox",
      "io.kubernetes.cri.sandbox-log-directory": "/var/log/pods/\($ns)_\($pod)_\($uid)"
    } else {
      "io.kubernetes.cri.container-type": "container",
      "io.kubernetes.cri.container-name": $name,
      "io.kubernetes.cri.image-name": $image
    } end)'
}

# CRI-O's list first (CRI-O writes it when it creates a container, before running it).
jq -s . <(storage_entry POD "$CRIO_POD_ID" "$PAUSE_IMAGE" pod) \
  <(storage_entry app "$CRIO_ID" "$BUSYBOX_IMAGE") >"$STORAGE/overlay-containers/containers.json"

define crio_pod cri-o "$CRIO_POD_ID" "$STORAGE/overlay-containers/$CRIO_POD_ID/userdata" \
  crio-cgroupfs "$CRIO_PARENT/crio-$CRIO_POD_ID" POD "$CRIO_POD" "$UID_CRIO" "$PAUSE_IMAGE"
start_runc "$CRIO_POD_ID" "$CRIO_PARENT/crio-$CRIO_POD_ID" "${K_BUNDLE[crio_pod]}" "$ARGS_PAUSE" \
  "$(crio_annotations POD "$CRIO_POD_ID" sandbox "$PAUSE_IMAGE")"
crio_pod_pid=$(runc_pid "$CRIO_POD_ID")

define crio cri-o "$CRIO_ID" "$STORAGE/overlay-containers/$CRIO_ID/userdata" \
  crio-cgroupfs "$CRIO_PARENT/crio-$CRIO_ID" app "$CRIO_POD" "$UID_CRIO" "$BUSYBOX_IMAGE"
start_runc "$CRIO_ID" "$CRIO_PARENT/crio-$CRIO_ID" "${K_BUNDLE[crio]}" "$ARGS_ZOMBIE" \
  "$(crio_annotations app "$CRIO_ID" container "$BUSYBOX_IMAGE")" \
  "$crio_pod_pid" '["network", "ipc", "uts"]'

define podman podman "$PODMAN_ID" "$E2E_TMP/bundle-podman" \
  podman-systemd "/$TAG.slice/libpod-$PODMAN_ID.scope" "${PODMAN_ID:0:12}" "" "" ""
start_runc "$PODMAN_ID" "/$TAG.slice/libpod-$PODMAN_ID.scope/container" "${K_BUNDLE[podman]}" \
  "$ARGS_ZOMBIE" "{}" "$crio_pod_pid" '["network"]'

start_runc "conmon-$$" "/$TAG.slice/crio-conmon-$CONMON_ID.scope" "$E2E_TMP/bundle-conmon" \
  "$ARGS_ZOMBIE"

define ctrd_pod containerd "$CTRD_POD_ID" "$BUNDLES/k8s.io/$CTRD_POD_ID" \
  kubepods-cgroupfs "$CTRD_PARENT/$CTRD_POD_ID" POD "$CTRD_POD" "$UID_CTRD" ""
start_runc "$CTRD_POD_ID" "$CTRD_PARENT/$CTRD_POD_ID" "${K_BUNDLE[ctrd_pod]}" "$ARGS_PAUSE" \
  "$(cri_annotations "" "$CTRD_POD_ID" "$CTRD_POD" "$UID_CTRD" "")"
ctrd_pod_pid=$(runc_pid "$CTRD_POD_ID")

define ctrd containerd "$CTRD_ID" "$BUNDLES/k8s.io/$CTRD_ID" \
  kubepods-cgroupfs "$CTRD_PARENT/$CTRD_ID" worker "$CTRD_POD" "$UID_CTRD" "$BUSYBOX_IMAGE"
start_runc "$CTRD_ID" "$CTRD_PARENT/$CTRD_ID" "${K_BUNDLE[ctrd]}" "$ARGS_NESTED" \
  "$(cri_annotations worker "$CTRD_POD_ID" "$CTRD_POD" "$UID_CTRD" "$BUSYBOX_IMAGE")" \
  "$ctrd_pod_pid" '["network", "ipc", "uts"]'

define ctrd_sys containerd "$CTRD_SYS_ID" "$BUNDLES/k8s.io/$CTRD_SYS_ID" \
  containerd-cri-systemd "$SYS_CGROUP" cron "$SYS_POD" "$UID_SYS" "$BUSYBOX_IMAGE"
start_runc "$CTRD_SYS_ID" "$SYS_CGROUP" "${K_BUNDLE[ctrd_sys]}" "$ARGS_ZOMBIE" \
  "$(cri_annotations cron "$(hex64)" "$SYS_POD" "$UID_SYS" "$BUSYBOX_IMAGE")"
sleep 2  # the orphans exit and stay zombies

# What each named container's config.json declares about host namespaces (OCI: a kind not
# listed is the runtime's, the host's; one joined by /proc/1/ns/ path is the host's too).
declare -A K_DECLARED=()
for key in crio_pod crio ctrd_pod ctrd ctrd_sys; do
  K_DECLARED[$key]=$(jq -r '.linux.namespaces as $n | ["pid", "network", "ipc", "uts", "mount",
      "user", "cgroup", "time"][] as $t |
    ($n | map(select(.type == $t))) as $m |
    "\({network: "net", mount: "mnt"}[$t] // $t)=\(if ($m | length) == 0 then 1
      elif (($m[0].path // "") | startswith("/proc/1/ns/")) then 1 else 0 end)"' \
    "${K_BUNDLE[$key]}/config.json" | tr '\n' ' ')
done

# --- the ground truth of one round: runc's PIDs, /proc, the files this test wrote.
declare -A PID1=() NSI=()
check_all() {
  local file=$1 key kind other peers foreign want pid n state observed path
  local -a identity other_identity paths needles
  local -A key_of=()
  # runc's answer: every container it runs, with PID 1's host PID.
  PID1=()
  while read -r key pid state; do
    [[ $state == running ]] || E2E_PROBLEMS+=("runc says ${key:0:20} is $state")
    PID1[$key]=$pid
  done < <(runc_ list -f json | jq -r '.[] | "\(.id) \(.pid) \(.status)"')
  # PID 1's namespaces, for the peers (the other containers in the same namespace).
  NSI=()
  paths=()
  for key in "${LIVE[@]}"; do
    pid=${PID1[${K_RUNC[$key]}]:-}
    [[ -n $pid ]] || { E2E_PROBLEMS+=("runc does not list ${K_RUNC[$key]}"); continue; }
    key_of[$pid]=$key
    paths+=(/proc/"$pid"/ns/{pid,net,ipc,uts,mnt})
  done
  while read -r path n; do # /proc/PID/ns/KIND INODE
    pid=${path#/proc/}
    pid=${pid%%/*}
    NSI[${key_of[$pid]}:${path##*/}]=$n
  done < <(stat -L -c '%n %i' "${paths[@]}" 2>/dev/null)
  ((${#E2E_HOST_NS[@]})) || read_host_namespaces
  read_identities "$file"
  needles=()
  for key in "${LIVE[@]}"; do needles+=("${K_NEEDLE[$key]}"); done
  needle_pids "${needles[@]}"
  for key in "${LIVE[@]}"; do
    pid=${PID1[${K_RUNC[$key]}]:-}
    [[ -n $pid ]] || continue
    IFS='|' read -r -a identity <<<"${K_IDENTITY[$key]}|"
    expect_loaded_identity "${K_CID[$key]}" "${identity[@]:0:8}"
    expect_host_truth "$file" "${K_CID[$key]}" "${K_NEEDLE[$key]}" "$pid" \
      "${E2E_NEEDLE_PIDS[${K_NEEDLE[$key]}]}"
    expect_series "cproc_container_pid1_info{comm=\"${E2E_HOST[comm]}\",init=\"none\",stop_signal=\"SIGTERM\"}" 1
    expect_series "cproc_container_pid1_is_namespace_init{}" 1
    for kind in pid net ipc uts mnt; do
      peers=0 foreign=0
      if [[ ${NSI[$key:$kind]} != "${E2E_HOST_NS[$kind]}" ]]; then
        for other in "${LIVE[@]}"; do
          [[ $other != "$key" && ${NSI[$other:$kind]:-} == "${NSI[$key:$kind]}" ]] || continue
          peers=$((peers + 1))
          IFS='|' read -r -a other_identity <<<"${K_IDENTITY[$other]}|"
          [[ -n ${identity[5]} && ${other_identity[5]} == "${identity[5]}" ]] ||
            foreign=$((foreign + 1))  # not in the same Kubernetes pod
        done
      fi
      expect_series "cproc_container_namespace_peers{ns=\"$kind\"}" "$peers"
      expect_series "cproc_container_namespace_foreign_peers{ns=\"$kind\"}" "$foreign"
    done
    for kind in namespace cgroup; do
      expect_series "cproc_container_mismatched_processes{kind=\"$kind\"}" 0
    done
    if [[ -n ${K_DECLARED[$key]:-} ]]; then
      n=0
      for want in ${K_DECLARED[$key]}; do
        kind=${want%=*}
        expect_series "cproc_container_declared_host_namespace{ns=\"$kind\"}" "${want#*=}"
        [[ -n ${E2E_HOST[ns_$kind]:-} ]] || continue
        observed=0
        [[ ${E2E_HOST[ns_$kind]} == "${E2E_HOST_NS[$kind]}" ]] && observed=1
        [[ ${want#*=} == "$observed" ]] || n=$((n + 1))
      done
      expect_series "cproc_container_namespace_declaration_mismatches{}" "$n"
    fi
  done
  # The premises: the pods' containers really share their sandbox's namespaces.
  [[ ${NSI[crio:net]:-} == "${NSI[crio_pod:net]:-x}" &&
    ${NSI[podman:net]:-} == "${NSI[crio_pod:net]:-x}" &&
    ${NSI[ctrd:uts]:-} == "${NSI[ctrd_pod:uts]:-x}" ]] ||
    E2E_PROBLEMS+=("premise: the joined namespaces differ: $(declare -p NSI)")
  # The monitor's process is a host process, not a container's.
  ! grep -qs "$CONMON_ID" "$file" "$file.json" ||
    E2E_PROBLEMS+=("crio-conmon's id appears: $(grep -hs "$CONMON_ID" "$file" "$file.json" |
      head -n 3)")
}

# The same, with the facts each scenario is about made explicit (they follow from /proc too).
before_change() {
  check_all "$1"
  read_series "$1" "podman://$PODMAN_ID"
  expect_series 'cproc_container_processes{state="zombie"}' 1
  expect_series 'cproc_container_processes{state="sleeping"}' 1
  read_series "$1" "cri-o://$CRIO_ID"
  expect_series 'cproc_container_zombies{parent="pid1"}' 1
  read_series "$1" "containerd://$CTRD_ID"
  expect_series 'cproc_container_zombies{parent="other"}' 1
  read_series "$1" "containerd://$CTRD_SYS_ID"
  expect_series 'cproc_container_zombies{parent="pid1"}' 1
}
after_change() {
  check_all "$1"
  ! grep -qs "$CTRD_SYS_ID" "$1" "$1.json" ||
    E2E_PROBLEMS+=("the removed container ${CTRD_SYS_ID:0:12} is still reported")
  read_series "$1" "cri-o://$CRIO_ID"
  expect_series 'cproc_container_processes{state="sleeping"}' 2  # PID 1 and the exec'd sleep
  expect_series 'cproc_container_zombies{parent="pid1"}' 1
}

start_exporter --config.file="$CONFIG"
METRICS="$E2E_TMP/metrics"
expect_eventually 30 "runc containers with Podman's, CRI-O's and containerd's paths and files" \
  "$METRICS" before_change || fail "the runc containers are not reported as expected"

# The change: containerd removes ctrd_sys (task and bundle); a process is exec'd into crio (runc
# exec joins its cgroup and namespaces, then execs: the exporter must re-read it).
change() {
  local i
  log "removing ${CTRD_SYS_ID:0:12} (runc delete, its bundle); runc exec into ${CRIO_ID:0:12}"
  runc_ kill "$CTRD_SYS_ID" KILL >/dev/null 2>&1
  runc_ delete --force "$CTRD_SYS_ID" >/dev/null || fail "runc delete ${CTRD_SYS_ID:0:12} failed"
  rm -rf "${K_BUNDLE[ctrd_sys]}"
  for i in "${!LIVE[@]}"; do [[ ${LIVE[$i]} == ctrd_sys ]] && unset 'LIVE[i]'; done
  LIVE=("${LIVE[@]}")
  runc_ exec -d "$CRIO_ID" sleep 1000 </dev/null >/dev/null 2>"$E2E_TMP/runc-exec.err" ||
    fail "runc exec failed: $(cat "$E2E_TMP/runc-exec.err")"
  # PID 1 of a runc container started with -d is the host init's child: it stays a zombie
  # until that init reaps it (seconds, on the CI machine, whose init reaps by polling).
  wait_until 30 "the removed container's processes gone" removed_gone ||
    fail "${CTRD_SYS_ID:0:12} still has processes: $(dump_container_procs "$CTRD_SYS_ID")"
}
removed_gone() { [[ -z $(container_pids "$CTRD_SYS_ID") ]]; }
scrape_rounds_with_changes 5 before_change change 6 after_change
finish
