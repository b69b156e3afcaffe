#!/usr/bin/env bash
# The Debian package, installed on a clean Debian 12 the way the README says:
#   - deploy/debian/make_deb.sh makes it from this build tree's binary (nothing is recompiled),
#     twice: revision 1 and revision 2 (the upgrade);
#   - lintian reports no error (its warnings and notes are printed);
#   - the unit taken from the package passes systemd-analyze verify (on this host);
#   - in a chroot of a clean Debian 12 (debootstrap minbase, cached) `apt-get install ./x.deb`
#     pulls in only the declared dependencies, and there: `cproc_exporter --version` runs and
#     prints the build tree's version and revision, every file is where the README says, the
#     /etc/default file is a conffile, the unit is enabled and nothing is started (no systemd
#     runs in a chroot);
#   - upgrade to revision 2 keeps an edit of /etc/default/cproc_exporter; remove keeps the
#     conffile; purge and autoremove leave the root's file list as it was before the install
#     (apt's and dpkg's own databases, caches and logs aside);
#   - no process started in the chroot outlives a step (each runs in a PID namespace of its own).
#
#   deb_package.sh BUILD_DIR SOURCE_DIR
# Exit codes: 0 pass, 1 fail, 77 skip (reason printed): not root, a tool missing, no Debian 12
# root cached and debootstrap or the mirror unavailable.
#
# The clean root: a tarball of `debootstrap --variant=minbase bookworm`, kept in
# /var/tmp/cproc-pkg-bookworm-minbase.tar. Made from the debian:bookworm image that
# docker_image.sh leaves (the same debootstrap) when Docker has it, else by debootstrap; under
# the lock docker_image.sh takes for its debootstrap. Time: ~40 s, plus ~1-3 min once for it.
set -euo pipefail

# fd 3: the test's output, also from inside commands whose output goes to a log (apt_get).
exec 3>&1
log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&3; }
skip() { log "SKIPPED: $*"; exit 77; }
fail() { log "FAIL: $*"; exit 1; }

BUILD_DIR=${1:?usage: $0 BUILD_DIR SOURCE_DIR}
SOURCE_DIR=${2:?usage: $0 BUILD_DIR SOURCE_DIR}
MIRROR=${CPROC_DEBIAN_MIRROR:-http://deb.debian.org/debian}
# shellcheck source=tests/packaging/debian_root.sh
source "$(dirname "${BASH_SOURCE[0]}")/debian_root.sh"
BASE_TAR=/var/tmp/cproc-pkg-bookworm-minbase.tar
LOCK=/var/tmp/cproc-pkg-base-images.lock
MAKE_DEB=$SOURCE_DIR/deploy/debian/make_deb.sh
PACKAGE=cproc-exporter
started=$SECONDS

[[ $(id -u) -eq 0 ]] || skip "needs root (chroot, apt-get inside it)"
for tool in dpkg-deb dpkg-shlibdeps dpkg-gencontrol help2man lintian systemd-analyze chroot \
  unshare findmnt flock curl; do
  command -v "$tool" >/dev/null 2>&1 ||
    skip "$tool not installed (scripts/install-deps test: dpkg-dev help2man lintian systemd util-linux curl)"
done
[[ -x $BUILD_DIR/cmd/cproc_exporter ]] ||
  fail "$BUILD_DIR/cmd/cproc_exporter is not built (the package is made from it)"

# /var/tmp: the root is ~300 MB, /tmp may be a small tmpfs.
TMP=$(mktemp -d /var/tmp/cproc-pkg-deb.XXXXXX)
ROOT=$TMP/root

cleanup() {
  local rc=$?
  set +e
  # Nothing is mounted on the host (in_root mounts /proc in a namespace of its own); still, never
  # delete through a mount.
  if findmnt -rn -o TARGET | grep -qF "$ROOT"; then
    log "something is mounted under $ROOT: left in place"
  else
    rm -rf "$TMP"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- the packages -------------------------------------------------------------------------------
log "make_deb.sh $BUILD_DIR (revisions 1 and 2)"
deb1=$("$MAKE_DEB" "$BUILD_DIR" "$TMP/deb1" 1 2>"$TMP/make_deb1.log") ||
  { cat "$TMP/make_deb1.log"; fail "make_deb.sh failed"; }
deb2=$("$MAKE_DEB" "$BUILD_DIR" "$TMP/deb2" 2 2>"$TMP/make_deb2.log") ||
  { cat "$TMP/make_deb2.log"; fail "make_deb.sh (revision 2) failed"; }
version1=$(dpkg-deb -f "$deb1" Version)
version2=$(dpkg-deb -f "$deb2" Version)
log "$(basename "$deb1") ($(($(stat -c %s "$deb1") / 1024)) KiB), $(basename "$deb2")"
log "Depends: $(dpkg-deb -f "$deb1" Depends)"
[[ $(dpkg-deb -f "$deb1" Package) == "$PACKAGE" ]] || fail "package name is not $PACKAGE"
dpkg --compare-versions "$version2" gt "$version1" ||
  fail "revision 2 ($version2) does not sort after revision 1 ($version1)"
# Computed by dpkg-shlibdeps: every library the binary needs, the C++ runtime included.
for dep in libc6 libstdc++6 libcivetweb1 libprometheus-cpp-core1.0 libyaml-cpp0.7 libssl3; do
  [[ ", $(dpkg-deb -f "$deb1" Depends)" == *", $dep "* ]] || fail "Depends lacks $dep"
done

# --- lintian: no errors ---------------------------------------------------------------------------
log "lintian"
# Every tag down to pedantic and experimental, overridden ones too (marked O:).
lintian --display-info --display-experimental --pedantic --show-overrides "$deb1" \
  >"$TMP/lintian.log" 2>&1 || true
sed -n '/running with root privileges/!s/^/    /p' "$TMP/lintian.log"
if grep -q '^E: ' "$TMP/lintian.log"; then fail "lintian reports errors"; fi
log "lintian: no errors ($(grep -c '^W: ' "$TMP/lintian.log" || true) warnings)"

# --- systemd-analyze verify on the packaged unit (as systemd_verify.sh does) -----------------------
EXTRACTED=$TMP/extracted
dpkg-deb -x "$deb1" "$EXTRACTED"
unit=$EXTRACTED/lib/systemd/system/cproc_exporter.service
[[ -f $unit ]] || fail "no /lib/systemd/system/cproc_exporter.service in the package"
# shellcheck disable=SC2016 # a literal $ is what the unit must contain
grep -qx 'ExecStart=/usr/bin/cproc_exporter $CPROC_EXPORTER_OPTS' "$unit" ||
  fail "the packaged unit does not run /usr/bin/cproc_exporter \$CPROC_EXPORTER_OPTS"
mkdir -p "$TMP/verify"
# verify fails when ExecStart's binary is missing: point it at the extracted one.
sed "s#^ExecStart=/usr/bin/cproc_exporter#ExecStart=$EXTRACTED/usr/bin/cproc_exporter#" "$unit" \
  >"$TMP/verify/cproc_exporter.service"
if ! systemd-analyze verify "$TMP/verify/cproc_exporter.service" >"$TMP/verify.log" 2>&1 ||
  [[ -s $TMP/verify.log ]]; then
  cat "$TMP/verify.log"
  fail "systemd-analyze verify reported problems on the packaged unit"
fi
log "systemd-analyze verify of the packaged unit: clean"

# --- a clean Debian 12 root ---------------------------------------------------------------------
docker_base() { # docker_base DIR: debian:bookworm from Docker into DIR, if Docker has it
  local docker=docker id
  [[ -x /usr/bin/docker ]] && docker=/usr/bin/docker
  command -v "$docker" >/dev/null 2>&1 && timeout 20 "$docker" info >/dev/null 2>&1 || return 1
  "$docker" image inspect debian:bookworm >/dev/null 2>&1 || return 1
  id=$("$docker" create debian:bookworm true) || return 1
  "$docker" export "$id" | tar -C "$1" -x
  local rc=$?
  "$docker" rm "$id" >/dev/null 2>&1
  return "$rc"
}
if [[ ! -s $BASE_TAR ]]; then
  # One debootstrap at a time on this machine (ctest -j, several checkouts, docker_image.sh).
  exec 9>"$LOCK"
  flock -w 900 9 || fail "timed out waiting for another run's debootstrap"
  if [[ ! -s $BASE_TAR ]]; then
    mkdir "$TMP/base"
    if docker_base "$TMP/base"; then
      log "clean root from Docker's debian:bookworm (made by docker_image.sh)"
    else
      rm -rf "$TMP/base" && mkdir "$TMP/base"
      debootstrap_bookworm "$TMP/base" "no cached Debian 12 root"
    fi
    tar --numeric-owner -C "$TMP/base" -cf "$BASE_TAR.tmp" . && mv "$BASE_TAR.tmp" "$BASE_TAR"
    rm -rf "$TMP/base"
    log "cached in $BASE_TAR"
  fi
  exec 9>&-
fi
mkdir "$ROOT"
tar --numeric-owner -C "$ROOT" -xf "$BASE_TAR"
[[ -x $ROOT/usr/bin/apt-get && -f $ROOT/etc/debian_version ]] || fail "$BASE_TAR is not a Debian root"
[[ $(cut -d. -f1 "$ROOT/etc/debian_version") == 12 ]] ||
  fail "$BASE_TAR is Debian $(cat "$ROOT/etc/debian_version"), not 12"
# A root exported from Docker has no device nodes; apt writes to /dev/null.
for node in null:1:3 zero:1:5 random:1:8 urandom:1:9; do
  IFS=: read -r name major minor <<<"$node"
  [[ -c $ROOT/dev/$name ]] || { rm -f "$ROOT/dev/$name"; mknod -m 0666 "$ROOT/dev/$name" c "$major" "$minor"; }
done
rm -f "$ROOT/etc/resolv.conf"
cp -L /etc/resolv.conf "$ROOT/etc/resolv.conf"

# in_root CMD...: CMD in the chroot, without a terminal (a dpkg prompt fails instead of waiting),
# as PID 1 of a new PID namespace with its own /proc, mounted in a new mount namespace (the host
# sees no mount; the binary needs /proc: glibc resolves its RUNPATH $ORIGIN/../lib/..., where
# its OpenSSL shims are, through /proc/self/exe). When CMD is done, every other process of the
# namespace is one CMD started and left running: a failure (the kernel then kills them with the
# namespace).
in_root() {
  local rc=0
  # shellcheck disable=SC2016 # the script runs in the chroot's sh
  unshare --pid --fork --mount --mount-proc="$ROOT/proc" chroot "$ROOT" /usr/bin/env -i \
    PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive LC_ALL=C /bin/sh -c '
      rc=0
      "$@" || rc=$?
      left=""
      for dir in /proc/[0-9]*; do
        [ "$dir" = /proc/1 ] && continue
        read -r comm <"$dir/comm" 2>/dev/null || continue
        left="$left ${dir#/proc/}($comm)"
      done
      if [ -n "$left" ]; then
        echo "$left" >/tmp/cproc-left-running
        exit 99
      fi
      exit "$rc"' sh "$@" </dev/null || rc=$?
  ((rc != 99)) ||
    fail "'$*' left processes running in the chroot:$(cat "$ROOT/tmp/cproc-left-running")"
  return "$rc"
}
apt_get() { in_root apt-get -y -q -o Dpkg::Use-Pty=0 "$@" >>"$TMP/apt.log" 2>&1 || {
  tail -30 "$TMP/apt.log"
  return 1
}; }

if ! apt_get update; then
  grep -qiE 'resolv|connect|fetch' "$TMP/apt.log" && skip "apt-get update in the chroot cannot reach $MIRROR"
  fail "apt-get update in the chroot failed"
fi

# The root's files, apt's and dpkg's own state and logs aside.
file_list() {
  (cd "$ROOT" && find . -xdev \( -path ./proc -o -path ./tmp -o -path ./var/lib/dpkg \
    -o -path ./var/lib/apt -o -path ./var/cache/apt -o -path ./var/cache/debconf \
    -o -path ./var/cache/ldconfig -o -path ./var/log \) -prune -o -print | LC_ALL=C sort)
}
file_list >"$TMP/files-before"

# --- install ------------------------------------------------------------------------------------
cp "$deb1" "$deb2" "$ROOT/tmp/"
log "chroot: apt-get install ./$(basename "$deb1")"
apt_get install --no-install-recommends "/tmp/$(basename "$deb1")" || fail "apt-get install failed"
# shellcheck disable=SC2016 # dpkg-query's format, not the shell's
installed() { in_root dpkg-query -W -f='${Version} ${db:Status-Status}' "$PACKAGE" 2>/dev/null || true; }
[[ $(installed) == "$version1 installed" ]] || fail "dpkg says '$(installed)' after install"

want_version=$("$BUILD_DIR/cmd/cproc_exporter" --version)
got_version=$(in_root /usr/bin/cproc_exporter --version) ||
  fail "cproc_exporter --version does not run in the chroot (missing dependency?)"
log "in the chroot: $got_version"
[[ $got_version == "$want_version" ]] || fail "the chroot's binary says '$got_version', the build's '$want_version'"

for path in /usr/bin/cproc_exporter /lib/systemd/system/cproc_exporter.service \
  /etc/default/cproc_exporter /usr/share/man/man1/cproc_exporter.1.gz \
  /usr/share/cproc-exporter/prometheus/cproc_alerts.yml \
  /usr/share/cproc-exporter/grafana/cproc_exporter.json \
  /usr/share/cproc-exporter/kubernetes/kustomization.yaml \
  /usr/share/cproc-exporter/kubernetes/daemonset.yaml \
  /usr/share/doc/cproc-exporter/copyright /usr/share/doc/cproc-exporter/changelog.Debian.gz; do
  [[ -f $ROOT$path ]] || fail "$path is not installed"
done
# deploy/ whole (but debian/, the package's own sources): every file of it under
# /usr/share/cproc-exporter, unchanged.
while IFS= read -r -d '' file; do
  cmp -s "$SOURCE_DIR/deploy/$file" "$ROOT/usr/share/cproc-exporter/$file" ||
    fail "deploy/$file is not installed as /usr/share/cproc-exporter/$file"
done < <(cd "$SOURCE_DIR/deploy" && find . -path ./debian -prune -o -type f -printf '%P\0')
cmp -s "$SOURCE_DIR/systemd/cproc_exporter.default" "$ROOT/etc/default/cproc_exporter" ||
  fail "/etc/default/cproc_exporter is not systemd/cproc_exporter.default"
grep -q '^Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/' \
  "$ROOT/usr/share/doc/cproc-exporter/copyright" || fail "copyright is not in the DEP-5 format"
zcat "$ROOT/usr/share/man/man1/cproc_exporter.1.gz" | grep -q 'web.*config.*file=VALUE' ||
  fail "the man page does not document the flags (--web.config.file)"
zcat "$ROOT/usr/share/doc/cproc-exporter/changelog.Debian.gz" | head -1 | grep -qF "($version1)" ||
  fail "changelog.Debian.gz does not start with $version1"
# shellcheck disable=SC2016
conffiles=$(in_root dpkg-query -W -f='${Conffiles}' "$PACKAGE")
[[ $conffiles == *"/etc/default/cproc_exporter "* ]] || fail "/etc/default/cproc_exporter is not a conffile"
# Enabled as Debian enables services (deb-systemd-helper), though nothing could start here.
[[ -L $ROOT/etc/systemd/system/multi-user.target.wants/cproc_exporter.service ]] ||
  fail "the unit is not enabled (no multi-user.target.wants symlink)"
log "installed: binary, unit (enabled, not started), conffile, man page, deploy files, copyright"

# --- upgrade keeps the admin's /etc/default file ----------------------------------------------------
edit='CPROC_EXPORTER_OPTS="--scan.interval=10s" # edited by deb_package.sh'
echo "$edit" >>"$ROOT/etc/default/cproc_exporter"
log "chroot: apt-get install ./$(basename "$deb2") (upgrade)"
apt_get install --no-install-recommends "/tmp/$(basename "$deb2")" || fail "upgrade failed"
[[ $(installed) == "$version2 installed" ]] || fail "dpkg says '$(installed)' after the upgrade"
grep -qxF "$edit" "$ROOT/etc/default/cproc_exporter" || fail "the upgrade lost the edit of /etc/default/cproc_exporter"
in_root /usr/bin/cproc_exporter --version >/dev/null || fail "cproc_exporter does not run after the upgrade"
log "upgraded to $version2, the edit of /etc/default/cproc_exporter kept"

# --- remove keeps the conffile, purge leaves nothing ----------------------------------------------
apt_get remove "$PACKAGE" || fail "apt-get remove failed"
[[ $(installed) == "$version2 config-files" ]] || fail "dpkg says '$(installed)' after remove"
[[ ! -e $ROOT/usr/bin/cproc_exporter ]] || fail "remove left /usr/bin/cproc_exporter"
grep -qxF "$edit" "$ROOT/etc/default/cproc_exporter" || fail "remove did not keep /etc/default/cproc_exporter"
log "removed: /etc/default/cproc_exporter kept"
apt_get purge "$PACKAGE" || fail "apt-get purge failed"
[[ -z $(installed) || $(installed) == *not-installed ]] || fail "dpkg says '$(installed)' after purge"
# The dependencies apt pulled in go too, so that the root is compared with its state before.
apt_get autoremove --purge || fail "apt-get autoremove --purge failed"
file_list >"$TMP/files-after"
if ! diff "$TMP/files-before" "$TMP/files-after" >"$TMP/files.diff"; then
  sed 's/^/    /' "$TMP/files.diff"
  fail "the root's files differ from before the install (< gone, > left behind)"
fi
log "purged: the root holds the same files as before the install"
log "PASS ($((SECONDS - started)) s)"
