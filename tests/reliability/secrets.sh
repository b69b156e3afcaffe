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

# A host process carrying both secrets.
env CPROC_TEST_SECRET="$SECRET_ENV" sleep 300 "$SECRET_ARG" 2>/dev/null &
E2E_PIDS+=("$!")
# And a container's PID 1, when Docker is here.
if timeout 20 "$DOCKER" info >/dev/null 2>&1; then
  ensure_test_image
  run_container secret -e "CPROC_TEST_SECRET=$SECRET_ENV" -- sleep 300 "$SECRET_ARG"
else
  log "no Docker daemon: checking the host process only"
fi

# The real binary under strace: every file it opens is recorded.
trace="$E2E_TMP/strace.log"
real_bin=$EXPORTER_BIN
wrapper="$E2E_TMP/traced"
printf '#!/bin/sh\nexec strace -f -qq -e trace=open,openat,openat2 -o %s %s "$@"\n' "$trace" "$real_bin" >"$wrapper"
chmod +x "$wrapper"
EXPORTER_BIN=$wrapper
start_exporter
sleep 3  # a few scans
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
((opens > 100)) || soft_fail "strace saw only $opens opens: the trace does not cover the scans"
if grep -E 'open(at2?)?\(.*/(environ|cmdline)"' "$trace" >"$E2E_TMP/bad-opens"; then
  soft_fail "the daemon opened environ or cmdline: $(head -3 "$E2E_TMP/bad-opens")"
fi
log "strace: $opens opens, none of environ or cmdline"
finish
