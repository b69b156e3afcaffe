#!/usr/bin/env bash
# Turn a built CMake tree into the Debian package cproc-exporter_<version>-<revision>_<arch>.deb,
# with Debian's own tools: dpkg-shlibdeps (Depends from the binary's shared libraries),
# dpkg-gencontrol (the control file) and dpkg-deb. Nothing is compiled here: the tree must hold
# the built cproc_exporter (`cmake --build BUILD_DIR --target cproc_exporter`).
#
#   make_deb.sh BUILD_DIR OUT_DIR [DEBIAN_REVISION]      (revision default: 1)
#
# Prints the path of the .deb on stdout; progress goes to stderr. Needs dpkg-dev and help2man.
# The maintainer field is "$DEBFULLNAME <$DEBEMAIL>" when both are set (dch's convention).
#
#   /usr/bin/cproc_exporter, /usr/lib/.../cproc_exporter/   cmake --install (its OpenSSL shims)
#   /lib/systemd/system/cproc_exporter.service               systemd/cproc_exporter.service.in
#   /etc/default/cproc_exporter (a conffile)                 systemd/cproc_exporter.default
#   /usr/share/cproc-exporter/{prometheus,grafana,kubernetes}/   deploy/
#   /usr/share/man/man1/cproc_exporter.1.gz                  help2man from --help
#   /usr/share/doc/cproc-exporter/{copyright,changelog.Debian.gz}
set -euo pipefail

log() { printf '[%s] make_deb: %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

BUILD_DIR=$(cd "${1:?usage: $0 BUILD_DIR OUT_DIR [DEBIAN_REVISION]}" && pwd)
OUT_DIR=${2:?usage: $0 BUILD_DIR OUT_DIR [DEBIAN_REVISION]}
DEB_REVISION=${3:-1}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SOURCE_DIR=$(cd "$HERE/../.." && pwd)
PACKAGE=cproc-exporter
BINARY=$BUILD_DIR/cmd/cproc_exporter

[[ $DEB_REVISION =~ ^[0-9A-Za-z.+~]+$ ]] || die "bad Debian revision '$DEB_REVISION'"
for tool in dpkg-shlibdeps dpkg-gencontrol dpkg-deb help2man; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool not found (apt-get install dpkg-dev help2man)"
done
[[ -x $BINARY ]] || die "$BINARY is not built (cmake --build $BUILD_DIR --target cproc_exporter)"
VERSION=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$BUILD_DIR/CMakeCache.txt")
[[ -n $VERSION ]] || die "no CMAKE_PROJECT_VERSION in $BUILD_DIR/CMakeCache.txt"
DEB_VERSION=$VERSION-$DEB_REVISION
if [[ -n ${DEBFULLNAME:-} && -n ${DEBEMAIL:-} ]]; then
  MAINTAINER="$DEBFULLNAME <$DEBEMAIL>"
else
  MAINTAINER="cproc_exporter maintainers <maintainers@users.noreply.b-seed-f8dfa1ba.example>"
fi
# Dates (changelog, man page) from the commit being packaged: the same tree gives the same files.
SOURCE_DATE_EPOCH=$(git -C "$SOURCE_DIR" log -1 --format=%ct 2>/dev/null || date +%s)
export SOURCE_DATE_EPOCH

umask 022
WORK=$(mktemp -d /tmp/cproc-make-deb.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
# debian/<package>/ is where dpkg-shlibdeps looks for libraries the package itself ships (the
# shims); a private library found there needs no dependency.
ROOT=$WORK/debian/$PACKAGE
mkdir -p "$ROOT/DEBIAN"

log "staging $PACKAGE $DEB_VERSION from $BUILD_DIR"
# The binary and its OpenSSL shims, by the install rules a source install uses (component
# Unspecified; the `systemd` component's unit names the tree's own prefix, see below).
DESTDIR=$ROOT cmake --install "$BUILD_DIR" --prefix /usr --component Unspecified >&2
[[ -x $ROOT/usr/bin/cproc_exporter ]] || die "cmake --install put no usr/bin/cproc_exporter"
# Stripped as dh_strip does (debug info and the compiler's notes out; libraries keep only what
# the dynamic linker needs).
strip --remove-section=.comment --remove-section=.note "$ROOT/usr/bin/cproc_exporter"
find "$ROOT/usr/lib" -name '*.so*' -type f -exec \
  strip --remove-section=.comment --remove-section=.note --strip-unneeded {} +

# The unit from its template, run from /usr/bin whatever prefix the tree was configured with.
install -d "$ROOT/lib/systemd/system"
sed 's#@CPROC_EXPORTER_BINARY@#/usr/bin/cproc_exporter#g' \
  "$SOURCE_DIR/systemd/cproc_exporter.service.in" >"$ROOT/lib/systemd/system/cproc_exporter.service"
install -D -m 0644 "$SOURCE_DIR/systemd/cproc_exporter.default" "$ROOT/etc/default/cproc_exporter"

# Alert rules, dashboard and Kubernetes manifests, as in deploy/.
for dir in prometheus grafana kubernetes; do
  (cd "$SOURCE_DIR/deploy" && find "$dir" -type f -print0) |
    while IFS= read -r -d '' file; do
      install -D -m 0644 "$SOURCE_DIR/deploy/$file" "$ROOT/usr/share/$PACKAGE/$file"
    done
done

# The man page from --help, run as `cproc_exporter` (its usage lines print argv[0]).
install -d "$ROOT/usr/share/man/man1"
PATH="$ROOT/usr/bin:$PATH" help2man --no-info --section=1 \
  --name="Prometheus exporter of the processes inside every container" \
  --version-string="cproc_exporter $VERSION" cproc_exporter |
  gzip -9n >"$ROOT/usr/share/man/man1/cproc_exporter.1.gz"

# copyright and the Debian changelog (one entry: this build, with the revision it came from).
DOC=$ROOT/usr/share/doc/$PACKAGE
install -D -m 0644 "$HERE/copyright" "$DOC/copyright"
install -D -m 0644 "$HERE/lintian-overrides" "$ROOT/usr/share/lintian/overrides/$PACKAGE"
git_revision=$("$BINARY" --version | sed -n 's/.*(revision: \([^)]*\)).*/\1/p')
cat >"$WORK/debian/changelog" <<EOF
$PACKAGE ($DEB_VERSION) unstable; urgency=medium

  * Package of cproc_exporter $VERSION, built from revision ${git_revision:-unknown}.

 -- $MAINTAINER  $(date -R -u -d "@$SOURCE_DATE_EPOCH")
EOF
gzip -9n <"$WORK/debian/changelog" >"$DOC/changelog.Debian.gz"

# Control files: the maintainer scripts and conffiles as written; the control file from
# deploy/debian/control with the computed dependencies.
install -m 0755 "$HERE/postinst" "$HERE/prerm" "$HERE/postrm" "$ROOT/DEBIAN/"
install -m 0644 "$HERE/conffiles" "$ROOT/DEBIAN/"
sed "s#@MAINTAINER@#$MAINTAINER#" "$HERE/control" >"$WORK/debian/control"
(
  cd "$WORK"
  mapfile -t elfs < <(find "debian/$PACKAGE" -type f \( -name '*.so*' -o -path '*/usr/bin/*' \))
  # The shims are meant to be linked without their symbols being used and have unversioned
  # names (libssl.so, libcrypto.so: see exporter/http/openssl_compat): the warnings saying so
  # are dropped, any other is shown.
  dpkg-shlibdeps -Tdebian/substvars "${elfs[@]}" \
    2> >(grep -vE "library name 'lib(ssl|crypto)\.so'|useless dependency" >&2)
  # The maintainer scripts call deb-systemd-helper and deb-systemd-invoke, as dh_installsystemd
  # declares for them.
  echo 'misc:Pre-Depends=init-system-helpers (>= 1.54~)' >>debian/substvars
  dpkg-gencontrol -p"$PACKAGE" -P"debian/$PACKAGE" -Tdebian/substvars
)
(cd "$ROOT" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | sort -z |
  xargs -0 md5sum >DEBIAN/md5sums)

mkdir -p "$OUT_DIR"
arch=$(sed -n 's/^Architecture: //p' "$ROOT/DEBIAN/control")
deb=$(cd "$OUT_DIR" && pwd)/${PACKAGE}_${DEB_VERSION}_$arch.deb
dpkg-deb --root-owner-group -Zxz --build "$ROOT" "$deb" >&2
log "$(dpkg-deb -f "$deb" Depends)"
echo "$deb"
