#!/usr/bin/env bash
# The installed systemd unit: `cmake --install` into a temporary DESTDIR, then
#   - the unit and the environment file are where the packaging says, ExecStart names the
#     installed binary,
#   - systemd-analyze verify passes (on a copy whose ExecStart points into DESTDIR: verify fails
#     when the binary is missing),
#   - the hardening contract holds: CAP_SYS_PTRACE granted, never ProtectProc=/ProcSubset=/
#     PrivateUsers= (they hide or cut off the processes the exporter must see),
#   - systemd-analyze security prints its exposure score (informational).
#
#   systemd_verify.sh BUILD_DIR INSTALL_PREFIX
# Exit codes: 0 pass, 1 fail, 77 skip (reason printed).
set -euo pipefail

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*"; }
skip() { log "SKIP: $*"; exit 77; }
fail() { log "FAIL: $*"; exit 1; }

BUILD_DIR=${1:?usage: $0 BUILD_DIR INSTALL_PREFIX}
PREFIX=${2:?usage: $0 BUILD_DIR INSTALL_PREFIX}
[[ -f $BUILD_DIR/cmake_install.cmake ]] || fail "$BUILD_DIR is not a configured CMake build tree"

SYSTEMD_ANALYZE=$(command -v systemd-analyze || true)
[[ -n $SYSTEMD_ANALYZE ]] || skip "systemd-analyze not installed (Debian package: systemd)"

TMP=$(mktemp -d /tmp/cproc-pkg-systemd.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
DESTDIR=$TMP/root

log "cmake --install $BUILD_DIR into DESTDIR=$DESTDIR (prefix $PREFIX)"
DESTDIR=$DESTDIR cmake --install "$BUILD_DIR" >"$TMP/install.log" 2>&1 ||
  { cat "$TMP/install.log"; fail "cmake --install failed"; }

# --- files where they belong ------------------------------------------------------------------
BIN=$DESTDIR$PREFIX/bin/cproc_exporter
[[ -x $BIN ]] || fail "binary not installed at $BIN"
mapfile -t units < <(find "$DESTDIR" -name cproc_exporter.service)
((${#units[@]} == 1)) ||
  fail "expected one installed cproc_exporter.service, found ${#units[@]} (is add_subdirectory(systemd) in the top CMakeLists.txt?)"
UNIT=${units[0]}
case $UNIT in
  "$DESTDIR$PREFIX"/lib/systemd/system/* | "$DESTDIR"/lib/systemd/system/* | \
    "$DESTDIR"/usr/lib/systemd/system/* | "$DESTDIR"/etc/systemd/system/*) ;;
  *) fail "unit installed outside systemd's search path: ${UNIT#"$DESTDIR"}" ;;
esac
log "unit: ${UNIT#"$DESTDIR"}"
DEFAULTS=$(find "$DESTDIR" -name cproc_exporter.default -print -quit)
[[ -n $DEFAULTS ]] || fail "cproc_exporter.default (the documented /etc/default file) not installed"
log "environment file example: ${DEFAULTS#"$DESTDIR"}"

# --- ExecStart names the installed binary -----------------------------------------------------
grep -q '@[A-Z_]*@' "$UNIT" && fail "unsubstituted @VARIABLE@ left in the installed unit"
exec_line=$(grep -E '^ExecStart=' "$UNIT") || fail "no ExecStart= in the unit"
exec_bin=${exec_line#ExecStart=}
exec_bin=${exec_bin%% *}
[[ $exec_bin == "$PREFIX/bin/cproc_exporter" ]] ||
  fail "ExecStart runs '$exec_bin', the binary is installed as $PREFIX/bin/cproc_exporter"
# shellcheck disable=SC2016 # a literal $ is what the unit must contain
[[ $exec_line == *'$CPROC_EXPORTER_OPTS'* ]] || fail "ExecStart does not pass \$CPROC_EXPORTER_OPTS"
"$BIN" --version >/dev/null || fail "installed binary does not run: $BIN --version"

# --- the environment file parses and defines the variable the unit expands --------------------
# shellcheck disable=SC1090 # the installed file
(set -u; source "$DEFAULTS"; : "${CPROC_EXPORTER_OPTS?}") ||
  fail "$DEFAULTS does not define CPROC_EXPORTER_OPTS"

# --- hardening contract (directives only: comments explain what must never be set) ------------
directive() { grep -E "^[[:space:]]*$1[[:space:]]*=" "$UNIT" || true; }
for forbidden in ProtectProc ProcSubset PrivateUsers; do
  [[ -z $(directive "$forbidden") ]] ||
    fail "$forbidden= is set: it hides other users' processes from the exporter"
done
directive AmbientCapabilities | grep -q CAP_SYS_PTRACE || fail "AmbientCapabilities lacks CAP_SYS_PTRACE"
directive CapabilityBoundingSet | grep -q CAP_SYS_PTRACE || fail "CapabilityBoundingSet lacks CAP_SYS_PTRACE"
[[ -n $(directive DynamicUser) || -n $(directive User) ]] || fail "the unit would run as root"
directive User | grep -qE '=[[:space:]]*(root|0)[[:space:]]*$' && fail "User=root"
for required in 'NoNewPrivileges=yes' 'ProtectSystem=strict' 'ProtectHome=yes' \
  'EnvironmentFile=-/etc/default/cproc_exporter' 'Restart=on-failure'; do
  grep -qxF "$required" "$UNIT" || fail "missing '$required'"
done
grep -qE '^LimitNOFILE=[0-9]{6,}' "$UNIT" || fail "LimitNOFILE is missing or too low (one fd per process)"
log "hardening contract: ok"

# --- systemd-analyze verify on a copy whose ExecStart points into DESTDIR ---------------------
VERIFY_DIR=$TMP/verify
mkdir -p "$VERIFY_DIR"
sed "s#^ExecStart=$exec_bin#ExecStart=$BIN#" "$UNIT" >"$VERIFY_DIR/cproc_exporter.service"
log "systemd-analyze verify"
# verify prints its findings on stderr and exits non-zero on errors; warnings count as failures
# too (a misspelt directive is only a warning).
if ! "$SYSTEMD_ANALYZE" verify "$VERIFY_DIR/cproc_exporter.service" >"$TMP/verify.log" 2>&1 ||
  [[ -s $TMP/verify.log ]]; then
  cat "$TMP/verify.log"
  fail "systemd-analyze verify reported problems"
fi
log "systemd-analyze verify: clean"

# --- security exposure (informational) ---------------------------------------------------------
if "$SYSTEMD_ANALYZE" security --help 2>/dev/null | grep -q -- '--offline'; then
  log "systemd-analyze security (informational; 0 = locked down, 10 = fully exposed):"
  "$SYSTEMD_ANALYZE" security --offline=yes --no-pager "$VERIFY_DIR/cproc_exporter.service" \
    2>&1 | grep -E '✗|Overall exposure' || true
else
  log "systemd-analyze security --offline not supported by this systemd: score not printed"
fi
log "PASS"
