#!/usr/bin/env bash
# Secrets stay secret: the daemon never opens /proc/PID/environ or /proc/PID/cmdline (checked
# with strace on the real binary), and a secret placed in the environment and the command line
# of a host process and of a container's PID 1 appears nowhere in /metrics or the JSON API.
# shellcheck source-path=SCRIPTDIR source=../e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../e2e/lib.sh"
e2e_init "$@"
require_root
command -v strace >/dev/null 2>&1 || skip "strace is missing (scripts/install-deps installs it)"

SECRET_ENV="cproc-env-secret-$$-$RANDOM"
SECRET_ARG="cproc-argv-secret-$$-$RANDOM"

# A host process carrying both secrets: one `sleep` whose argv[0] is the secret argument and
# whose environment holds the other; a single process, so stopping it by PID leaves nothing.
env CPROC_TEST_SECRET="$SECRET_ENV" bash -c 'exec -a "$0" sleep 300' "$SECRET_ARG" \
  </dev/null >/dev/null 2>&1 &
host_pid=$!
E2E_PIDS+=("$host_pid")
sleep 0.5
# The secrets really are there for the taking: the test would catch a leak.
tr '\0' '\n' <"/proc/$host_pid/environ" | grep -qF "$SECRET_ENV" || fail "setup: secret not in environ"
tr '\0' '\n' <"/proc/$host_pid/cmdline" | grep -qF "$SECRET_ARG" || fail "setup: secret not in cmdline"
# And a container's PID 1, when Docker is here.
if timeout 20 "$DOCKER" info >/dev/null 2>&1; then
  ensure_test_image
  run_container secret -e "CPROC_TEST_SECRET=$SECRET_ENV" -- sh -c 'sleep 300; :' "$SECRET_ARG"
else
  skip_part "no container's PID 1 checked, only the host process (no Docker daemon)"
fi

# strace attached to the running exporter (all its threads, so the scan thread too): every file
# it opens during the scans is recorded. Attaching, rather than starting it under strace, keeps
# the exporter our own child: stopping it by its PID also ends strace.
trace="$E2E_TMP/strace.log"
start_exporter
strace -f -qq -e trace=open,openat,openat2 -o "$trace" -p "$EXPORTER_PID" 2>"$E2E_TMP/strace.err" &
strace_pid=$!
E2E_PIDS+=("$strace_pid")
sleep 4  # a few scans, traced
fetch_metrics "$E2E_TMP/metrics"
curl -fsS --max-time 10 -o "$E2E_TMP/containers.json" "$EXPORTER_URL/api/v1/containers" ||
  fail "GET /api/v1/containers failed"

for file in "$E2E_TMP/metrics" "$E2E_TMP/containers.json"; do
  for secret in "$SECRET_ENV" "$SECRET_ARG"; do
    if grep -qF -- "$secret" "$file"; then
      soft_fail "$(basename "$file") contains a secret ($secret)"
    fi
  done
done
[[ -s $trace ]] || fail "strace recorded nothing"
opens=$(grep -cE 'open(at2?)?\(' "$trace" || true)
# The scan thread's own reads must be in the trace, or it proves nothing.
scan_reads=$(grep -cE 'open(at2?)?\(.*[/"][0-9]+/cgroup"' "$trace" || true)
((scan_reads > 0)) || soft_fail "the trace has no scan reads of /proc/PID/cgroup ($opens opens in all)"
if grep -E 'open(at2?)?\(.*/(environ|cmdline)"' "$trace" >"$E2E_TMP/bad-opens"; then
  soft_fail "the daemon opened environ or cmdline: $(head -3 "$E2E_TMP/bad-opens")"
fi
log "strace: $opens opens ($scan_reads of /proc/PID/cgroup), none of environ or cmdline"
stop_pid "$strace_pid"  # detached before the exporter exits: LeakSanitizer cannot run under ptrace
finish
