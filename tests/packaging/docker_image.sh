#!/usr/bin/env bash
# The Docker image: build the Dockerfile at the top of the source tree and run it the way the
# README documents (uid 0, --pid=host --network=host, --cap-drop=ALL --cap-add=SYS_PTRACE
# --cap-add=NET_ADMIN, read-only root, no-new-privileges, the host's /proc and cgroupfs mounted
# read-only, the image's default arguments repeated and --web.listen-address on loopback). Then
# /metrics must show the host's processes (cproc_scan_processes > 10), a container this test
# starts, by name, the exporter's own container with host PID sharing and
# namespace_sharing_allowed 1, and the process events source active
# (cproc_events_source_active 1) with a `docker exec` into the workload counted in
# cproc_container_execs_total. The README's variant without events (bridge network, -p, no
# NET_ADMIN, the image's default arguments), run in a private cgroup namespace
# (--cgroupns=private), must find its own container too and say why events are off
# (cproc_events_source_active 0 and one log line).
#
#   docker_image.sh SOURCE_DIR
# Exit codes: 0 pass, 1 fail, 77 skip (reason printed): not root, no docker daemon, base images
# missing and debootstrap or the Debian mirror unavailable.
#
# No registry is reachable on our machines, so debian:bookworm and debian:bookworm-slim are made
# here with debootstrap from deb.debian.org when Docker does not have them yet, and kept (the
# next run reuses them). The image build itself relies on Docker's layer cache: the apt layers
# stay cached, a source change only recompiles. Time: first run ~3 min debootstrap + ~2 min
# apt + ~4 min compile on 2 cores; a rerun without source changes ~15 s.
#
# Networking: apt-get inside `docker build` uses the default bridge network; it reaches the
# Debian mirror here. Where the bridge has no route out (rootless or firewalled daemons), the
# build is retried once with `--network host` when apt's output shows a network failure.
set -euo pipefail

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*"; }
skip() { log "SKIPPED: $*"; exit 77; }
fail() { log "FAIL: $*"; exit 1; }

SOURCE_DIR=${1:?usage: $0 SOURCE_DIR}
[[ -f $SOURCE_DIR/Dockerfile ]] || fail "no Dockerfile in $SOURCE_DIR"

BASE_IMAGE=debian:bookworm
SLIM_IMAGE=debian:bookworm-slim
MIRROR=${CPROC_DEBIAN_MIRROR:-http://deb.debian.org/debian}
# shellcheck source=tests/packaging/debian_root.sh
source "$(dirname "${BASH_SOURCE[0]}")/debian_root.sh"
IMAGE=cproc_exporter:packaging-test
BUILDER_IMAGE=cproc_exporter-builder:packaging-test
PREFIX=cproc-pkg-test-$$
DOCKER=docker
[[ -x /usr/bin/docker ]] && DOCKER=/usr/bin/docker # the Debian client matches the daemon

[[ $(id -u) -eq 0 ]] || skip "needs root (docker, debootstrap)"
command -v "$DOCKER" >/dev/null 2>&1 || skip "no docker client installed"
timeout 20 "$DOCKER" info >/dev/null 2>&1 || skip "docker daemon not reachable ('$DOCKER info' failed)"
command -v curl >/dev/null 2>&1 || skip "curl not installed"
command -v ss >/dev/null 2>&1 || skip "ss not installed (Debian package iproute2)"

TMP=$(mktemp -d /var/tmp/cproc-pkg-docker.XXXXXX)
CONTAINERS=() # names of the containers this test started: the only ones cleanup removes
cleanup() {
  local rc=$? name
  set +e
  for name in "${CONTAINERS[@]}"; do
    if ((rc != 0 && rc != 77)) && [[ $name == "$PREFIX-exporter" ]]; then
      log "exporter container log:"
      "$DOCKER" logs --tail 50 "$name" 2>&1 | sed 's/^/    /'
    fi
    "$DOCKER" rm -f "$name" >/dev/null 2>&1
  done
  rm -rf "$TMP"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

image_id() { "$DOCKER" image inspect -f '{{.Id}}' "$1" 2>/dev/null || true; }

# --- base images --------------------------------------------------------------------------------
# debian:bookworm = debootstrap minbase + the official image's apt sources. debian:bookworm-slim =
# the same minus documentation, man pages and locales, with the dpkg excludes of Debian's slim
# images so later apt-get installs stay small too.
make_base_images() {
  local rootfs=$TMP/rootfs
  debootstrap_bookworm "$rootfs" "$BASE_IMAGE/$SLIM_IMAGE absent"
  local label='LABEL org.opencontainers.image.description="made locally by tests/packaging/docker_image.sh with debootstrap"'
  tar --numeric-owner -C "$rootfs" -c . |
    "$DOCKER" import -c 'CMD ["bash"]' -c "$label" - "$BASE_IMAGE" >/dev/null ||
    fail "docker import of $BASE_IMAGE failed"

  mkdir -p "$rootfs/etc/dpkg/dpkg.cfg.d"
  cat >"$rootfs/etc/dpkg/dpkg.cfg.d/docker-slim" <<'EOF'
# Like Debian's -slim images: no documentation, man pages or translations.
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
path-exclude /usr/share/lintian/*
EOF
  find "$rootfs/usr/share/doc" -mindepth 1 ! -name copyright ! -type d -delete
  find "$rootfs/usr/share/doc" -mindepth 1 -type d -empty -delete
  rm -rf "$rootfs"/usr/share/{man,info,lintian}/*
  find "$rootfs/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} +
  tar --numeric-owner -C "$rootfs" -c . |
    "$DOCKER" import -c 'CMD ["bash"]' -c "$label" - "$SLIM_IMAGE" >/dev/null ||
    fail "docker import of $SLIM_IMAGE failed"
  rm -rf "$rootfs"
  log "imported $BASE_IMAGE and $SLIM_IMAGE"
}

if [[ -z $(image_id "$BASE_IMAGE") || -z $(image_id "$SLIM_IMAGE") ]]; then
  # One debootstrap at a time on this machine (ctest -j, several checkouts).
  exec 9>/var/tmp/cproc-pkg-base-images.lock
  flock -w 900 9 || fail "timed out waiting for another run's debootstrap"
  if [[ -z $(image_id "$BASE_IMAGE") || -z $(image_id "$SLIM_IMAGE") ]]; then
    make_base_images
  fi
  exec 9>&-
else
  log "base images $BASE_IMAGE and $SLIM_IMAGE present"
fi

# --- build --------------------------------------------------------------------------------------
revision=$(git -C "$SOURCE_DIR" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
old_ids=("$(image_id "$IMAGE")" "$(image_id "$BUILDER_IMAGE")")
# One snapshot of the tree for both builds below (others may be editing it meanwhile); Docker
# applies .dockerignore to it. .git and build trees are left out here already: they are large.
tar -C "$SOURCE_DIR" --exclude=./.git --exclude='./build*' -cf "$TMP/context.tar" . ||
  fail "could not archive $SOURCE_DIR"
build() { # build LOG [docker build options...]
  local out=$1
  shift
  # The builder stage gets its own tag so its layers (the compile) stay cache hits, not dangling.
  { "$DOCKER" build "$@" --target builder -t "$BUILDER_IMAGE" \
      --build-arg CPROC_REVISION="$revision" - <"$TMP/context.tar" &&
    "$DOCKER" build "$@" -t "$IMAGE" --build-arg CPROC_REVISION="$revision" - <"$TMP/context.tar"; } \
    >"$out" 2>&1
}
log "docker build -t $IMAGE $SOURCE_DIR"
started=$SECONDS
if ! build "$TMP/build.log"; then
  if grep -qE 'Temporary failure resolving|Could not resolve|Failed to fetch|Unable to connect|Network is unreachable|Unable to locate package' "$TMP/build.log"; then
    log "apt-get in the build could not reach the mirror over the bridge network; retrying with --network host"
    build "$TMP/build-host.log" --network host || {
      tail -40 "$TMP/build-host.log"
      fail "docker build --network host failed"
    }
  else
    tail -40 "$TMP/build.log"
    fail "docker build failed"
  fi
fi
log "built in $((SECONDS - started)) s"
# The previous images of these tags, if replaced (never someone else's: only ids our tags held).
new_ids=("$(image_id "$IMAGE")" "$(image_id "$BUILDER_IMAGE")")
for i in 0 1; do
  if [[ -n ${old_ids[i]} && ${old_ids[i]} != "${new_ids[i]}" ]]; then
    "$DOCKER" rmi "${old_ids[i]}" >/dev/null 2>&1 || true
  fi
done
size=$("$DOCKER" image inspect -f '{{.Size}}' "$IMAGE")
log "image $IMAGE: $((size / 1000000)) MB ($("$DOCKER" run --rm "$IMAGE" --version 2>&1 | head -1))"
user=$("$DOCKER" image inspect -f '{{.Config.User}}' "$IMAGE")
[[ $user == 0:0 || $user == 0 || $user == root ]] || fail "image USER is '$user', the documented setup is uid 0"

# --- a container for the exporter to find ------------------------------------------------------
WORKLOAD_IMAGE=cproc-test/busybox:latest
[[ -n $(image_id "$WORKLOAD_IMAGE") ]] || WORKLOAD_IMAGE=$SLIM_IMAGE
CONTAINERS+=("$PREFIX-workload")
workload_id=$("$DOCKER" run -d --rm --name "$PREFIX-workload" "$WORKLOAD_IMAGE" sleep 600)
log "workload container $PREFIX-workload ($WORKLOAD_IMAGE) ${workload_id:0:12}"

# --- the exporter, exactly as the README documents it --------------------------------------------
# With --network=host it listens in the host's network namespace: on a free loopback port here
# (the README's 127.0.0.1:19256 may be taken by another exporter on this machine).
free_port() {
  local port
  for _ in $(seq 1 100); do
    port=$((20000 + RANDOM % 20000))
    if ! ss -Hltn "sport = :$port" 2>/dev/null | grep -q .; then
      echo "$port"
      return 0
    fi
  done
  return 1
}
port=$(free_port) || fail "no free loopback port found"
CONTAINERS+=("$PREFIX-exporter")
"$DOCKER" run -d --name "$PREFIX-exporter" \
  --pid=host --network=host \
  --cap-drop=ALL --cap-add=SYS_PTRACE --cap-add=NET_ADMIN \
  --security-opt no-new-privileges \
  --read-only \
  -v /proc:/host/proc:ro \
  -v /sys/fs/cgroup:/host/sys/fs/cgroup:ro \
  -v /var/lib/docker/containers:/host/root/var/lib/docker/containers:ro \
  "$IMAGE" \
  --path.procfs=/host/proc --path.sysfs=/host/sys --path.rootfs=/host/root \
  --web.listen-address="127.0.0.1:$port" >/dev/null
URL=http://127.0.0.1:$port

# Wait for a scan that sees the workload.
metrics=$TMP/metrics.txt
for _ in $(seq 1 60); do
  if curl -fsS -m 5 "$URL/metrics" -o "$metrics" 2>/dev/null &&
    grep -q "^cproc_container_info{.*container_id=\"docker://$workload_id\"" "$metrics"; then
    break
  fi
  [[ $("$DOCKER" inspect -f '{{.State.Running}}' "$PREFIX-exporter") == true ]] ||
    fail "the exporter container exited"
  sleep 1
done
curl -fsS -m 5 "$URL/-/healthy" >/dev/null || fail "$URL/-/healthy did not answer 200"

processes=$(awk '$1 == "cproc_scan_processes" {print int($2)}' "$metrics")
log "cproc_scan_processes $processes"
((${processes:-0} > 10)) || fail "cproc_scan_processes is '${processes}', expected > 10 (host processes)"

info=$(grep "^cproc_container_info{.*container_id=\"docker://$workload_id\"" "$metrics") ||
  fail "no cproc_container_info for the workload container ${workload_id:0:12}"
log "$info"
[[ $info == *"container=\"$PREFIX-workload\""* ]] ||
  fail "the workload's name is missing: the Docker metadata mount (--path.rootfs) is not read"

# CAP_SYS_PTRACE works: the namespace series of the workload need readlinks of its ns/* links.
# Same uid (0) is not enough: the kernel also wants the reader's permitted capabilities to cover
# the target's, and the workload's root holds Docker's default set while the exporter has none
# but SYS_PTRACE.
grep -q "^cproc_container_host_namespace{.*docker://$workload_id.*ns=\"pid\"} 0" "$metrics" ||
  fail "no cproc_container_host_namespace{ns=\"pid\"} 0 for the workload"
grep -q "^cproc_container_pid1_info{.*docker://$workload_id" "$metrics" ||
  fail "no cproc_container_pid1_info for the workload"
perm=$(awk '$1 == "cproc_scan_errors_total{reason=\"permission\"}" {print int($2)}' "$metrics")
log "cproc_scan_errors_total{reason=\"permission\"} ${perm:-absent}"

# The exporter's own container, found by the id Docker gives it: the documented --pid=host shows
# as host PID sharing, and the container is marked allowed, which is how the alert rules
# exclude it (rule exclusion on the real thing, not only in the rule tests).
exporter_id=$("$DOCKER" inspect -f '{{.Id}}' "$PREFIX-exporter")
own_series() { # own_series METRIC [EXTRA_LABEL_REGEX]: the value for the exporter's container
  grep "^$1{" "$metrics" | grep -F "container_id=\"docker://$exporter_id\"" |
    grep -E "${2:-.}" | awk '{print $NF}' | head -1 || true
}
own_host_pid=$(own_series cproc_container_host_namespace '[{,]ns="pid"')
own_allowed=$(own_series cproc_container_namespace_sharing_allowed)
log "exporter container ${exporter_id:0:12}: cproc_container_host_namespace{ns=\"pid\"} ${own_host_pid:-absent}, cproc_container_namespace_sharing_allowed ${own_allowed:-absent}"
[[ $own_host_pid == 1 ]] ||
  fail "cproc_container_host_namespace{ns=\"pid\"} of the exporter's own container is '${own_host_pid:-absent}', expected 1 (--pid=host)"
[[ $own_allowed == 1 ]] ||
  fail "cproc_container_namespace_sharing_allowed of the exporter's own container is '${own_allowed:-absent}', expected 1"

# The process events source: subscribed (host user, PID and network namespaces, NET_ADMIN), and
# its counters reach the metrics: a `docker exec` into the workload is an exec in that container.
active=$(awk '$1 == "cproc_events_source_active" {print $2}' "$metrics")
log "cproc_events_source_active ${active:-absent}; $("$DOCKER" logs "$PREFIX-exporter" 2>&1 | grep -o 'process events[^"]*' | head -1)"
[[ $active == 1 ]] ||
  fail "cproc_events_source_active is '${active:-absent}', expected 1 with --network=host --cap-add=NET_ADMIN"
"$DOCKER" exec "$PREFIX-workload" true || fail "docker exec into the workload failed"
execs=""
for _ in $(seq 1 30); do
  curl -fsS -m 5 "$URL/metrics" -o "$metrics" 2>/dev/null || true
  execs=$(grep '^cproc_container_execs_total{' "$metrics" |
    grep -F "container_id=\"docker://$workload_id\"" | awk '{print int($NF)}' | head -1 || true)
  ((${execs:-0} >= 1)) && break
  sleep 1
done
received=$(awk '$1 == "cproc_events_received_total" {print int($2)}' "$metrics")
log "workload cproc_container_execs_total ${execs:-absent} after docker exec; cproc_events_received_total ${received:-absent}"
((${execs:-0} >= 1)) || fail "the docker exec into the workload is not counted in cproc_container_execs_total"

# The README's variant without events: bridge network, loopback port published, no NET_ADMIN,
# and no arguments (the image's CMD, --path.* = /host/..., is part of the test). Run with
# --cgroupns=private (Docker's default on cgroup v2 hosts, and containerd's): the exporter reads
# "0::/" for itself and must find its own cgroup in the mounted host tree. Outside the host's
# network namespace the connector does not answer: events must be off, and the log says why.
CONTAINERS+=("$PREFIX-exporter-cgroupns")
"$DOCKER" run -d --name "$PREFIX-exporter-cgroupns" --cgroupns=private \
  --pid=host --cap-drop=ALL --cap-add=SYS_PTRACE --security-opt no-new-privileges --read-only \
  -v /proc:/host/proc:ro -v /sys/fs/cgroup:/host/sys/fs/cgroup:ro \
  -v /var/lib/docker/containers:/host/root/var/lib/docker/containers:ro \
  -p 127.0.0.1::19256 "$IMAGE" >/dev/null
private_id=$("$DOCKER" inspect -f '{{.Id}}' "$PREFIX-exporter-cgroupns")
private_port=$("$DOCKER" port "$PREFIX-exporter-cgroupns" 19256/tcp |
  sed -n 's/^127\.0\.0\.1:\([0-9]*\)$/\1/p' | head -1)
[[ -n $private_port ]] || fail "no loopback port published for the --cgroupns=private exporter"
private_metrics=$TMP/metrics-cgroupns.txt
seen_self=""
for _ in $(seq 1 30); do
  if curl -fsS -m 5 "http://127.0.0.1:$private_port/metrics" -o "$private_metrics" 2>/dev/null; then
    seen_self=$(grep '^cproc_container_namespace_sharing_allowed{' "$private_metrics" |
      grep -F "container_id=\"docker://$private_id\"" | awk '{print $NF}' | head -1 || true)
    [[ -n $seen_self ]] && break
  fi
  sleep 1
done
log "--cgroupns=private: own container ${private_id:0:12} namespace_sharing_allowed ${seen_self:-absent}; $("$DOCKER" logs "$PREFIX-exporter-cgroupns" 2>&1 | grep -o 'private cgroup namespace rooted at [^ ]*' | head -1)"
[[ $seen_self == 1 ]] ||
  fail "with --cgroupns=private the exporter does not report its own container as allowed (saw '${seen_self:-absent}')"
grep -q "^cproc_container_info{.*container_id=\"docker://$workload_id\"" "$private_metrics" ||
  fail "with --cgroupns=private the workload container is not reported"
private_active=$(awk '$1 == "cproc_events_source_active" {print $2}' "$private_metrics")
why=$("$DOCKER" logs "$PREFIX-exporter-cgroupns" 2>&1 | grep -m 1 'lifecycle counters are left out' || true)
log "without --network=host: cproc_events_source_active ${private_active:-absent}; log: ${why:-none}"
[[ $private_active == 0 ]] ||
  fail "without --network=host and NET_ADMIN cproc_events_source_active is '${private_active:-absent}', expected 0"
[[ -n $why ]] || fail "without --network=host the log does not say why the process events are off"
"$DOCKER" rm -f "$PREFIX-exporter-cgroupns" >/dev/null

# The documented run has no capability beyond SYS_PTRACE and NET_ADMIN, and no_new_privs.
pid=$("$DOCKER" inspect -f '{{.State.Pid}}' "$PREFIX-exporter")
capeff=$(awk '/^CapEff:/ {print $2}' "/proc/$pid/status")
nnp=$(awk '/^NoNewPrivs:/ {print $2}' "/proc/$pid/status")
log "exporter process: CapEff=$capeff NoNewPrivs=$nnp"
# CAP_SYS_PTRACE (bit 19) and CAP_NET_ADMIN (bit 12), nothing else.
[[ $capeff == 0000000000081000 ]] ||
  fail "CapEff is $capeff, expected CAP_SYS_PTRACE and CAP_NET_ADMIN only (0x81000)"
[[ $nnp == 1 ]] || fail "no_new_privs is not set"

# TLS from --web.config.file works in the slim image (civetweb dlopen()s libssl.so: the
# exporter's shims must be installed where its RPATH points).
if command -v openssl >/dev/null 2>&1; then
  mkdir -p "$TMP/tls"
  openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost \
    -keyout "$TMP/tls/key.pem" -out "$TMP/tls/cert.pem" >/dev/null 2>&1 || fail "openssl req failed"
  printf 'tls_server_config:\n  cert_file: /tls/cert.pem\n  key_file: /tls/key.pem\n' \
    >"$TMP/tls/web.yml"
  chmod 0755 "$TMP/tls" && chmod 0644 "$TMP/tls"/*
  CONTAINERS+=("$PREFIX-tls")
  "$DOCKER" run -d --name "$PREFIX-tls" --pid=host --cap-drop=ALL --cap-add=SYS_PTRACE \
    --security-opt no-new-privileges --read-only -v /proc:/host/proc:ro \
    -v /sys/fs/cgroup:/host/sys/fs/cgroup:ro -v "$TMP/tls:/tls:ro" -p 127.0.0.1::19256 \
    "$IMAGE" --path.procfs=/host/proc --path.sysfs=/host/sys --web.config.file=/tls/web.yml \
    >/dev/null
  ok=""
  for _ in $(seq 1 20); do
    tls_port=$("$DOCKER" port "$PREFIX-tls" 19256/tcp 2>/dev/null | sed -n 's/^127\.0\.0\.1:\([0-9]*\)$/\1/p' | head -1)
    if [[ -n $tls_port ]] && curl -fsSk -m 5 "https://127.0.0.1:$tls_port/-/healthy" >/dev/null 2>&1; then
      ok=1
      break
    fi
    sleep 1
  done
  if [[ -z $ok ]]; then
    "$DOCKER" logs --tail 5 "$PREFIX-tls" 2>&1 | sed 's/^/    /'
    fail "the image does not serve HTTPS with --web.config.file"
  fi
  log "HTTPS with --web.config.file: ok"
else
  log "SKIPPED PART: HTTPS with --web.config.file not checked (openssl is not installed)"
fi

# Stops promptly on SIGTERM (it is PID 1 of its container).
started=$SECONDS
"$DOCKER" stop -t 10 "$PREFIX-exporter" >/dev/null
(( SECONDS - started < 8 )) || fail "docker stop took $((SECONDS - started)) s: SIGTERM not handled"
log "PASS"
