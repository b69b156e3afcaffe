# cproc_exporter in a container: a Debian 12 build stage, and a slim Debian 12 runtime with only
# the shared libraries the binary links.
#
#   docker build -t cproc_exporter .
#   docker run -d --name cproc_exporter --pid=host --network=host \
#     --cap-drop=ALL --cap-add=SYS_PTRACE --cap-add=NET_ADMIN \
#     --security-opt no-new-privileges --read-only \
#     -v /proc:/host/proc:ro -v /sys/fs/cgroup:/host/sys/fs/cgroup:ro \
#     -v /var/lib/docker/containers:/host/root/var/lib/docker/containers:ro \
#     cproc_exporter --path.procfs=/host/proc --path.sysfs=/host/sys --path.rootfs=/host/root \
#     --web.listen-address=127.0.0.1:19256
# (README, "Docker": why each flag, and the variant without process events: no --network=host
# and NET_ADMIN, -p 127.0.0.1:19256:19256 and no arguments; add --security-opt
# apparmor=unconfined on AppArmor hosts.)
#
# Base images are arguments so a mirror or a locally made image can stand in for Docker Hub
# (tests/packaging/docker_image.sh makes both with debootstrap when they are missing).
ARG DEBIAN_IMAGE=debian:bookworm
ARG DEBIAN_SLIM_IMAGE=debian:bookworm-slim

# --- build --------------------------------------------------------------------------------------
FROM ${DEBIAN_IMAGE} AS builder
# prometheus-cpp's CMake package looks for CURL (its push library), hence libcurl4-openssl-dev.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      cmake g++ make pkg-config \
      prometheus-cpp-dev libcivetweb-dev libyaml-cpp-dev libspdlog-dev libfmt-dev \
      nlohmann-json3-dev zlib1g-dev libssl-dev libcurl4-openssl-dev \
 && rm -rf /var/lib/apt/lists/*
COPY . /src
# .git is not in the build context: the revision in cproc_build_info comes from this argument.
ARG CPROC_REVISION=
RUN cmake -S /src -B /build -DCMAKE_BUILD_TYPE=Release -DCPROC_BUILD_TESTS=OFF \
          -DCMAKE_INSTALL_PREFIX=/usr/local ${CPROC_REVISION:+-DCPROC_REVISION=$CPROC_REVISION} \
 && cmake --build /build -j"$(nproc)" --target cproc_exporter \
 && DESTDIR=/out cmake --install /build --strip --component Unspecified \
 && /out/usr/local/bin/cproc_exporter --version

# --- runtime ------------------------------------------------------------------------------------
FROM ${DEBIAN_SLIM_IMAGE}
# The runtime halves of the -dev packages above (`ldd cproc_exporter` + `dpkg -S`); libc6,
# libstdc++6, libgcc-s1, libcrypt1 and zlib1g are already in the base. No libssl-dev: the
# exporter brings its own libssl.so/libcrypto.so shims for civetweb's dlopen() (TLS), found
# through its RPATH in /usr/local/lib/cproc_exporter.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libprometheus-cpp-core1.0 libcivetweb1 libyaml-cpp0.7 libspdlog1.10 libfmt9 libssl3 \
      libcrypt1 zlib1g \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin
# `cmake --install` of the default component: the binary and the shims (the systemd unit is its
# own component and stays out).
COPY --from=builder /out/usr/local/ /usr/local/
RUN ["/usr/local/bin/cproc_exporter", "--version"]

LABEL org.opencontainers.image.title="cproc_exporter" \
      org.opencontainers.image.description="Prometheus exporter of per-container process facts: process counts by state, PID 1, zombies, shared namespaces, pids limits" \
      org.opencontainers.image.base.name="debian:bookworm-slim"

# USER stays root (uid 0), on purpose. Reading /proc/PID/ns/* and /proc/PID/exe of other users'
# processes needs CAP_SYS_PTRACE, and Docker (like Kubernetes) gives the capabilities of
# --cap-add only to uid 0: a non-root USER would start with empty effective and ambient sets,
# and a file capability on the binary is blocked by no-new-privileges. Run it as uid 0 with
# --cap-drop=ALL --cap-add=SYS_PTRACE (and NET_ADMIN for the process events), --read-only and
# --security-opt no-new-privileges: root without CAP_DAC_OVERRIDE, CAP_CHOWN, CAP_SETUID, ... can
# read what uid 0 owns and nothing else.
USER 0:0
# The port of the default --web.listen-address (:19256) with -p; with --network=host (process
# events) the exporter listens in the host's network namespace and EXPOSE does not apply.
EXPOSE 19256
# The exporter is PID 1 of its container: it handles SIGTERM itself and starts no children, so
# no init is needed.
STOPSIGNAL SIGTERM
# No HEALTHCHECK: the slim image has no HTTP client, port and TLS come from flags (a baked-in probe
# would test the wrong thing), and Kubernetes ignores it; probe /-/healthy from outside.
ENTRYPOINT ["/usr/local/bin/cproc_exporter"]
CMD ["--path.procfs=/host/proc", "--path.sysfs=/host/sys", "--path.rootfs=/host/root"]
