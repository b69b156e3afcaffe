#!/usr/bin/env bash
# The installed systemd unit: `cmake --install` into a temporary DESTDIR, then
#   - the unit and the environment file are where the packaging says, ExecStart names the
#     installed binary,
#   - systemd-analyze verify passes (on a copy whose ExecStart points into DESTDIR: verify fails
#     when the binary is missing),
#   - the hardening contract holds: CAP_SYS_PTRACE granted, CAP_NET_ADMIN and AF_NETLINK for the
#     process events connector, never ProtectProc=/ProcSubset=/PrivateUsers=/PrivatePIDs= (they
#     hide or cut off the processes the exporter must see) nor PrivateNetwork=/
#     NetworkNamespacePath= (the connector exists only in the host's network namespace), and the
#     sandboxing the README promises (ProtectSystem, ProtectHome, PrivateTmp, ProtectKernel*,
#     ProtectControlGroups, ...) in effect; the check is first run on mutated copies of the unit,
#     each of which it must reject (a check that cannot fail is none),
#   - systemd-analyze security prints its exposure score (informational).
#
#   systemd_verify.sh BUILD_DIR INSTALL_PREFIX
# Exit codes: 0 pass, 1 fail, 77 skip (reason printed).
set -euo pipefail

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*"; }
skip() { log "SKIPPED: $*"; exit 77; }
fail() { log "FAIL: $*"; exit 1; }

BUILD_DIR=${1:?usage: $0 BUILD_DIR INSTALL_PREFIX}
PREFIX=${2:?usage: $0 BUILD_DIR INSTALL_PREFIX}
[[ -f $BUILD_DIR/cmake_install.cmake ]] || fail "$BUILD_DIR is not a configured CMake build tree"

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
# Settings whose last assignment must have this value (systemd applies the last one).
REQUIRED=(
  NoNewPrivileges=yes ProtectSystem=strict ProtectHome=yes PrivateTmp=yes
  ProtectKernelTunables=yes ProtectKernelModules=yes ProtectKernelLogs=yes
  ProtectControlGroups=yes EnvironmentFile=-/etc/default/cproc_exporter Restart=on-failure
)
# Never set, to any value: ProtectProc= and ProcSubset= hide the processes (and /proc/stat) the
# exporter reads; with PrivateUsers= its capabilities no longer cover the host's processes;
# PrivatePIDs= (systemd 257) shows it only its own PID namespace. PrivateNetwork= and
# NetworkNamespacePath= take it out of the host's network namespace, where alone the kernel's
# process events connector exists (and the port would be unreachable). Each also puts it outside
# the namespaces the connector answers.
FORBIDDEN=(ProtectProc ProcSubset PrivateUsers PrivatePIDs PrivateNetwork NetworkNamespacePath)

# service_settings UNIT: KEY=VALUE for each setting of the [Service] section, the one systemd
# applies (its last assignment), blanks around '=' trimmed. Settings in other sections do not
# count: systemd ignores them there with a warning.
service_settings() {
  awk '
    /^[[:space:]]*\[/ { in_service = ($0 ~ /^[[:space:]]*\[Service\][[:space:]]*$/); next }
    !in_service || /^[[:space:]]*[#;]/ || index($0, "=") == 0 { next }
    {
      key = substr($0, 1, index($0, "=") - 1)
      value = substr($0, index($0, "=") + 1)
      gsub(/^[[:space:]]+|[[:space:]]+$/, "", key)
      gsub(/^[[:space:]]+|[[:space:]]+$/, "", value)
      if (!(key in last)) order[++n] = key
      last[key] = value
    }
    END { for (i = 1; i <= n; i++) print order[i] "=" last[order[i]] }' "$1"
}

# contract_check UNIT: succeeds when UNIT keeps the contract; otherwise prints why and fails.
contract_check() {
  local unit=$1 line key want forbidden_re
  local -A set=()
  while IFS= read -r line; do set[${line%%=*}]=${line#*=}; done < <(service_settings "$unit")
  # Forbidden anywhere in the file, commented lines aside.
  forbidden_re="^[[:space:]]*($(IFS='|'; echo "${FORBIDDEN[*]}"))[[:space:]]*="
  if line=$(grep -m 1 -E "$forbidden_re" "$unit"); then
    echo "'$line' is set: it hides or cuts off the processes or host namespaces the exporter needs"
    return 1
  fi
  for want in "${REQUIRED[@]}"; do
    key=${want%%=*}
    [[ "$key=${set[$key]-}" == "$want" ]] ||
      { echo "missing '$want' in [Service] (in effect: '${set[$key]-not set}')"; return 1; }
  done
  [[ ${set[AmbientCapabilities]-} == *CAP_SYS_PTRACE* ]] ||
    { echo "AmbientCapabilities lacks CAP_SYS_PTRACE"; return 1; }
  [[ ${set[CapabilityBoundingSet]-} == *CAP_SYS_PTRACE* ]] ||
    { echo "CapabilityBoundingSet lacks CAP_SYS_PTRACE"; return 1; }
  # The process events connector: cn_proc checks CAP_NET_ADMIN, the socket is AF_NETLINK.
  [[ ${set[AmbientCapabilities]-} == *CAP_NET_ADMIN* ]] ||
    { echo "AmbientCapabilities lacks CAP_NET_ADMIN (process events)"; return 1; }
  [[ ${set[CapabilityBoundingSet]-} == *CAP_NET_ADMIN* ]] ||
    { echo "CapabilityBoundingSet lacks CAP_NET_ADMIN (process events)"; return 1; }
  local families=${set[RestrictAddressFamilies]-}
  if [[ $families == '~'* ]]; then
    [[ " ${families#'~'} " != *" AF_NETLINK "* ]] ||
      { echo "RestrictAddressFamilies denies AF_NETLINK (process events)"; return 1; }
  elif [[ -n $families && $families != none ]]; then
    [[ " $families " == *" AF_NETLINK "* ]] ||
      { echo "RestrictAddressFamilies lacks AF_NETLINK (process events)"; return 1; }
  else
    [[ $families != none ]] ||
      { echo "RestrictAddressFamilies=none: no sockets at all"; return 1; }
  fi
  [[ ${set[DynamicUser]-} == yes || -n ${set[User]-} ]] ||
    { echo "the unit would run as root (neither DynamicUser=yes nor User=)"; return 1; }
  [[ ${set[User]-} != root && ${set[User]-} != 0 ]] || { echo "User=root"; return 1; }
  [[ ${set[LimitNOFILE]-} =~ ^[0-9]{6,}$ ]] ||
    { echo "LimitNOFILE is missing or too low (one fd per process)"; return 1; }
  return 0
}

# The check must reject each fault: a required setting removed, overridden by a later line,
# moved out of [Service], and each forbidden one added (also in the blank-padded spelling systemd
# accepts).
MUTANT=$TMP/mutant.service
mutants=0
LAST_SECTION=$(grep -E '^[[:space:]]*\[' "$UNIT" | tail -n 1 | tr -d '[:space:]')
# add_to_service UNIT LINE: UNIT with LINE appended at the end of its [Service] section.
add_to_service() {
  awk -v line="$2" '
    /^[[:space:]]*\[/ { if (in_service) print line; in_service = ($0 ~ /^[[:space:]]*\[Service\]/) }
    { print }
    END { if (in_service) print line }' "$1"
}
expect_rejected() { # expect_rejected WHAT: $MUTANT must fail the contract
  local why
  if why=$(contract_check "$MUTANT"); then
    fail "contract self-test: a unit with $1 passes the hardening check"
  fi
  mutants=$((mutants + 1))
  [[ -n $why ]] || fail "contract self-test: $1 rejected without a reason"
}
for want in "${REQUIRED[@]}"; do
  key=${want%%=*}
  grep -qE "^[[:space:]]*${key}[[:space:]]*=" "$UNIT" || continue # the real check reports it
  grep -vE "^[[:space:]]*${key}[[:space:]]*=" "$UNIT" >"$MUTANT"
  expect_rejected "$key= removed"
  add_to_service "$UNIT" "$key=no" >"$MUTANT"
  expect_rejected "$key=no after '$want'"
  if [[ $LAST_SECTION != "[Service]" ]]; then
    { grep -vE "^[[:space:]]*${key}[[:space:]]*=" "$UNIT"; echo "$want"; } >"$MUTANT"
    expect_rejected "'$want' moved to the last section, $LAST_SECTION"
  fi
done
for key in "${FORBIDDEN[@]}"; do
  add_to_service "$UNIT" "$key=yes" >"$MUTANT"
  expect_rejected "$key=yes added"
  add_to_service "$UNIT" "  $key = yes" >"$MUTANT"
  expect_rejected "'  $key = yes' added"
done
# The process events' needs, each taken away. These settings are lists that systemd merges
# across assignments, so each mutant resets the list first (an empty assignment), as a drop-in
# must.
reset_and_set() { # reset_and_set KEY VALUE: $UNIT with KEY reset and set to VALUE, into $MUTANT
  add_to_service "$UNIT" "$1=" | add_to_service /dev/stdin "$1=$2" >"$MUTANT"
}
reset_and_set AmbientCapabilities "CAP_SYS_PTRACE CAP_DAC_READ_SEARCH"
expect_rejected "AmbientCapabilities without CAP_NET_ADMIN"
reset_and_set CapabilityBoundingSet "CAP_SYS_PTRACE CAP_DAC_READ_SEARCH"
expect_rejected "CapabilityBoundingSet without CAP_NET_ADMIN"
reset_and_set RestrictAddressFamilies "AF_INET AF_INET6 AF_UNIX"
expect_rejected "RestrictAddressFamilies without AF_NETLINK"
reset_and_set RestrictAddressFamilies "~AF_NETLINK AF_PACKET"
expect_rejected "RestrictAddressFamilies=~AF_NETLINK"
log "hardening contract self-test: $mutants faulty units rejected"

why=$(contract_check "$UNIT") || fail "hardening contract: $why"
log "hardening contract: ok (${REQUIRED[*]}; CAP_SYS_PTRACE, CAP_NET_ADMIN, AF_NETLINK; none of ${FORBIDDEN[*]})"

# --- systemd-analyze verify on a copy whose ExecStart points into DESTDIR ---------------------
# Only this part and the score need systemd-analyze (scripts/install-deps installs systemd).
SYSTEMD_ANALYZE=$(command -v systemd-analyze || true)
[[ -n $SYSTEMD_ANALYZE ]] ||
  skip "the hardening contract holds, but systemd-analyze is not installed" \
    "(Debian package: systemd)"
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
