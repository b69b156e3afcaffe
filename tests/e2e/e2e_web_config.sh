#!/usr/bin/env bash
# --web.config.file end to end: the real binary with TLS (server certificate, minimum version,
# client certificates) and bcrypt basic auth, checked with curl and openssl as real clients.
# Needs no root and no Docker; everything listens on 127.0.0.1.
#
# It skips (77) only when a client it drives is not installed (curl, openssl). An exporter that
# cannot serve TLS is a failure, never a skip: Debian 12's libcivetweb1 is built for OpenSSL 1.1
# and loads libssl by name, and the build ships the shims that make it work with OpenSSL 3
# (exporter/http/openssl_compat/); if they regress, this test must turn red, not quietly skip.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
e2e_init "$@"

for tool in curl openssl; do
  command -v "$tool" >/dev/null 2>&1 ||
    skip "$tool not installed (Debian package $tool; scripts/install-deps installs it)"
done

# bcrypt of "secret" at cost 4 (libxcrypt via Python crypt): cheap, so the test stays fast.
# shellcheck disable=SC2016 # a literal hash, nothing to expand
HASH='$2b$04$CKniVJ9mZzHaLWLIl/SV6uOUwTAutLluc0bBJDyKjCGUQfhT6UZ0W'
D=$E2E_TMP
CURL=(curl -sS --max-time 5)
CHECKS=0

check() { # check DESCRIPTION COMMAND...: run COMMAND, fail with DESCRIPTION when it fails.
  local what=$1
  shift
  "$@" || fail "$what"
  CHECKS=$((CHECKS + 1))
  log "ok: $what"
}

# status URL [curl options...]: the HTTP status, or "none" when no HTTP answer came.
status() {
  local url=$1 code
  shift
  code=$("${CURL[@]}" -o /dev/null -w '%{http_code}' "$@" "$url" 2>/dev/null) || code=none
  [[ $code == 000 ]] && code=none
  echo "$code"
}
is() { [[ $1 == "$2" ]] || { log "expected '$2', got '$1'"; return 1; }; }

# ---------------------------------------------------------------------------------------------
# certificates: a self-signed server certificate, and two CAs with a client certificate each

gen_certs() {
  openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 \
    -addext subjectAltName=IP:127.0.0.1 -keyout "$D/server.key" -out "$D/server.crt" 2>/dev/null
  local ca
  for ca in ca other; do
    openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=cproc test $ca" \
      -keyout "$D/$ca.key" -out "$D/$ca.crt" 2>/dev/null
    openssl req -new -newkey rsa:2048 -nodes -subj "/CN=client of $ca" \
      -keyout "$D/client-$ca.key" -out "$D/client-$ca.csr" 2>/dev/null
    openssl x509 -req -in "$D/client-$ca.csr" -CA "$D/$ca.crt" -CAkey "$D/$ca.key" \
      -CAcreateserial -days 1 -out "$D/client-$ca.crt" 2>/dev/null
  done
}
gen_certs || fail "openssl could not make the test certificates"

# ---------------------------------------------------------------------------------------------
# the exporter with a web config

PORT=""
PID=""
LOG=""
HEALTH_ARGS=() # extra curl options for the readiness probe (a client certificate for mTLS)

# start_web CONFIG SCHEME: start the exporter on a free port; wait until /-/healthy (never behind
# auth) answers. Returns 1 with the log in $LOG when it exits; retries a lost port race.
start_web() {
  local config=$1 scheme=$2 _
  for _ in 1 2 3; do
    PORT=$(free_port)
    LOG="$D/exporter.$RANDOM.log"
    "$EXPORTER_BIN" --web.listen-address="127.0.0.1:$PORT" --scan.interval=1s \
      --web.config.file="$config" >"$LOG" 2>&1 &
    PID=$!
    E2E_PIDS+=("$PID")
    # healthy also ends the wait when the exporter exits: only a live exporter is a success.
    if wait_until 30 "exporter answering $scheme://127.0.0.1:$PORT/-/healthy" healthy "$scheme" &&
      running; then
      return 0
    fi
    running && fail "exporter runs but does not answer $scheme /-/healthy: $(cat "$LOG")"
    grep -qiE 'address already in use|bind' "$LOG" || return 1
  done
  fail "no free port in 3 attempts"
}
healthy() {
  kill -0 "$PID" 2>/dev/null || return 0 # exited: stop waiting, start_web looks at why
  [[ $(status "$1://127.0.0.1:$PORT/-/healthy" --cacert "$D/server.crt" "${HEALTH_ARGS[@]}") == 200 ]]
}
running() { kill -0 "$PID" 2>/dev/null; }
stop_web() { stop_pid "$PID"; }

write_config() { # write_config NAME: stdin to $D/NAME.yml (relative paths: resolved from $D)
  cat >"$D/$1.yml"
}

# auth_routes URL WHAT [curl options...]: with basic_auth_users set, every path but /-/healthy
# needs credentials: the JSON API, and unknown paths too (401 before 404, so a client without
# credentials learns nothing about which paths exist); the health check stays open for probes,
# and only its exact path. The first scan must have completed (the API answers 503 before).
auth_routes() {
  local url=$1 what=$2
  shift 2
  local api=$url/api/v1/containers
  check "$what /api/v1/containers without credentials: 401" is "$(status "$api" "$@")" 401
  check "$what /api/v1/containers with a wrong password: 401" \
    is "$(status "$api" "$@" -u alice:wrong)" 401
  check "$what /api/v1/containers with credentials: 200" \
    is "$(status "$api" "$@" -u alice:secret)" 200
  "${CURL[@]}" "$@" -u alice:secret -o "$D/containers.json" "$api" || fail "GET $api failed"
  check "$what /api/v1/containers with credentials: the containers JSON" \
    grep -q '"containers"' "$D/containers.json"
  check "$what unknown path /nope without credentials: 401, not 404" \
    is "$(status "$url/nope" "$@")" 401
  check "$what unknown path /nope with a wrong password: 401" \
    is "$(status "$url/nope" "$@" -u alice:wrong)" 401
  check "$what unknown path /nope with credentials: 404" \
    is "$(status "$url/nope" "$@" -u alice:secret)" 404
  check "$what /-/healthy without credentials: 200" is "$(status "$url/-/healthy" "$@")" 200
  check "$what /-/healthy with a wrong password: still 200" \
    is "$(status "$url/-/healthy" "$@" -u alice:wrong)" 200
  check "$what /-/healthy/ (not the health path) without credentials: 401" \
    is "$(status "$url/-/healthy/" "$@")" 401
}

# ---------------------------------------------------------------------------------------------
# 1. TLS with basic auth

write_config tls-auth <<EOF
tls_server_config:
  cert_file: server.crt
  key_file: server.key
  min_version: TLS12
http_server_config:
  headers:
    Strict-Transport-Security: max-age=31536000
basic_auth_users:
  alice: '$HASH'
EOF

# A valid TLS config that does not give a working HTTPS port is a broken build: fail.
if ! start_web "$D/tls-auth.yml" https; then
  log "exporter output:"
  cat "$LOG"
  if grep -qiE 'ssl|libcrypto|tls' "$LOG"; then
    fail "the exporter cannot serve TLS ($(grep -m1 -iE 'ssl|libcrypto|tls' "$LOG")); civetweb" \
      "loads OpenSSL at run time through the shims of exporter/http/openssl_compat/: check them"
  fi
  fail "exporter with a valid TLS config did not start"
fi

URL="https://127.0.0.1:$PORT"
CA=(--cacert "$D/server.crt")
# shellcheck disable=SC2016 # expanded by eval, on every try
wait_until 30 "first scan (/metrics 200 with credentials)" \
  eval '[[ $(status "$URL/metrics" "${CA[@]}" -u alice:secret) == 200 ]]' ||
  fail "https /metrics with credentials never answered 200"
"${CURL[@]}" "${CA[@]}" -u alice:secret -D "$D/headers" -o "$D/metrics" "$URL/metrics" ||
  fail "GET $URL/metrics failed"
check "https /metrics with the right password: 200 and metrics" grep -q '^# TYPE ' "$D/metrics"
check "configured header on the response" grep -qi '^Strict-Transport-Security: max-age=31536000' \
  "$D/headers"
check "wrong password: 401" is "$(status "$URL/metrics" "${CA[@]}" -u alice:wrong)" 401
check "unknown user: 401" is "$(status "$URL/metrics" "${CA[@]}" -u eve:secret)" 401
check "no credentials: 401" is "$(status "$URL/metrics" "${CA[@]}")" 401
"${CURL[@]}" "${CA[@]}" -D "$D/headers401" -o /dev/null "$URL/metrics" || true
check "401 carries WWW-Authenticate: Basic realm=\"cproc_exporter\"" \
  grep -qi '^WWW-Authenticate: Basic realm="cproc_exporter"' "$D/headers401"
check "landing page needs credentials too" is "$(status "$URL/" "${CA[@]}")" 401
check "landing page with credentials: 200" is "$(status "$URL/" "${CA[@]}" -u alice:secret)" 200
check "/-/healthy without credentials: 200" is "$(status "$URL/-/healthy" "${CA[@]}")" 200
auth_routes "$URL" https "${CA[@]}"
check "plain HTTP to the TLS port gets no HTTP answer" \
  is "$(status "http://127.0.0.1:$PORT/-/healthy")" none
check "TLS 1.1 is refused (min_version TLS12)" \
  is "$(status "$URL/-/healthy" "${CA[@]}" --tlsv1.1 --tls-max 1.1)" none
check "TLS 1.2 is accepted" is "$(status "$URL/-/healthy" "${CA[@]}" --tls-max 1.2)" 200
check "an unknown server certificate is refused by a verifying client" \
  is "$(status "$URL/-/healthy")" none
stop_web

# 2. min_version TLS13: a TLS 1.2 client is refused, so the setting is really applied (OpenSSL
# refuses TLS 1.1 by itself, which makes check 1 alone inconclusive).
write_config tls13 <<EOF
tls_server_config:
  cert_file: $D/server.crt
  key_file: $D/server.key
  min_version: TLS13
EOF
start_web "$D/tls13.yml" https || fail "exporter with min_version TLS13 did not start: $(cat "$LOG")"
URL="https://127.0.0.1:$PORT"
check "min_version TLS13: a TLS 1.2 client is refused" \
  is "$(status "$URL/-/healthy" "${CA[@]}" --tls-max 1.2)" none
check "min_version TLS13: a TLS 1.3 client is served" \
  is "$(status "$URL/-/healthy" "${CA[@]}" --tlsv1.3)" 200
stop_web

# 3. client certificates required and verified (mTLS)
write_config mtls <<EOF
tls_server_config:
  cert_file: server.crt
  key_file: server.key
  client_auth_type: RequireAndVerifyClientCert
  client_ca_file: ca.crt
EOF
GOOD=(--cert "$D/client-ca.crt" --key "$D/client-ca.key")
HEALTH_ARGS=("${GOOD[@]}") # the readiness probe itself needs a client certificate here
start_web "$D/mtls.yml" https ||
  fail "exporter with mTLS did not start or refused a client certificate signed by the CA: $(cat "$LOG")"
HEALTH_ARGS=()
URL="https://127.0.0.1:$PORT"
# shellcheck disable=SC2016 # expanded by eval, on every try
check "mTLS: a client certificate signed by the CA is accepted (/metrics 200)" \
  wait_until 30 "first scan" eval '[[ $(status "$URL/metrics" "${CA[@]}" "${GOOD[@]}") == 200 ]]'
check "mTLS: a client without a certificate is refused" \
  is "$(status "$URL/-/healthy" "${CA[@]}")" none
check "mTLS: a client certificate from another CA is refused" \
  is "$(status "$URL/-/healthy" "${CA[@]}" --cert "$D/client-other.crt" \
    --key "$D/client-other.key")" none
stop_web

# ---------------------------------------------------------------------------------------------
# 4. plain HTTP with basic auth only

write_config auth-only <<EOF
basic_auth_users:
  alice: $HASH
EOF
start_web "$D/auth-only.yml" http || fail "exporter with basic auth only did not start: $(cat "$LOG")"
URL="http://127.0.0.1:$PORT"
# shellcheck disable=SC2016 # expanded by eval, on every try
wait_until 30 "first scan" eval '[[ $(status "$URL/metrics" -u alice:secret) == 200 ]]' ||
  fail "http /metrics with credentials never answered 200"
"${CURL[@]}" -u alice:secret -o "$D/metrics-http" "$URL/metrics" || fail "GET $URL/metrics failed"
check "http /metrics with the right password: metrics" grep -q '^# TYPE ' "$D/metrics-http"
check "http wrong password: 401" is "$(status "$URL/metrics" -u alice:nope)" 401
check "http no credentials: 401" is "$(status "$URL/metrics")" 401
check "http /-/healthy without credentials: 200" is "$(status "$URL/-/healthy")" 200
check "http HEAD /metrics without credentials: 401" is "$(status "$URL/metrics" -I)" 401
auth_routes "$URL" http
stop_web

# ---------------------------------------------------------------------------------------------
# 5. a bad config stops the exporter with one line naming the file and the problem

# bad_config NAME EXPECTED_TEXT: stdin is the config.
bad_config() {
  local name=$1 expected=$2 rc=0 out
  write_config "$name"
  out=$(timeout 20 "$EXPORTER_BIN" --web.listen-address=127.0.0.1:0 \
    --web.config.file="$D/$name.yml" 2>&1) || rc=$?
  # README: a bad flag or config value exits with status 2 and one line naming the problem.
  check "bad config '$name': exits with status 2 (got $rc)" test "$rc" -eq 2
  check "bad config '$name': one line" test "$(grep -c . <<<"$out")" -eq 1
  check "bad config '$name': not logged at a level --log.level does not offer" \
    test "$(grep -c 'level=critical' <<<"$out")" -eq 0
  check "bad config '$name': names the file and says '$expected'" \
    grep -qF -- "$D/$name.yml" <<<"$out"
  grep -qF -- "$expected" <<<"$out" || fail "bad config '$name': '$expected' not in: $out"
  log "   $out"
}
bad_config unknown-key 'cert_fil" in tls_server_config (expected one of: cert_file' <<EOF
tls_server_config:
  cert_fil: server.crt
EOF
bad_config missing-cert 'cannot open: No such file or directory' <<EOF
tls_server_config:
  cert_file: missing.crt
  key_file: server.key
EOF
# The key's line: what to fix.
bad_config wrong-key 'wrong-key.yml:3: tls_server_config: key_file' <<EOF
tls_server_config:
  cert_file: server.crt
  key_file: ca.key
EOF
bad_config bad-hash 'expected a bcrypt hash' <<EOF
basic_auth_users:
  alice: secret
EOF
bad_config bad-yaml 'invalid YAML' <<EOF
basic_auth_users: [alice
EOF

# The same rule for the listen address and a web config file that is not there.
bad_flag() { # bad_flag EXPECTED_TEXT FLAGS...
  local expected=$1 rc=0 out
  shift
  out=$(timeout 20 "$EXPORTER_BIN" "$@" 2>&1) || rc=$?
  check "bad flag $*: exits with status 2 (got $rc)" test "$rc" -eq 2
  check "bad flag $*: one line" test "$(grep -c . <<<"$out")" -eq 1
  # This build's civetweb has no IPv6 (Debian 12): never suggested.
  local given=${1#*=}
  check "bad flag $*: suggests no IPv6 address" test "$(grep -c '::1' <<<"${out//"$given"/}")" -eq 0
  grep -qF -- "$expected" <<<"$out" || fail "bad flag $*: '$expected' not in: $out"
  log "   $out"
}
bad_flag 'expected [host]:port' --web.listen-address=19455
bad_flag 'out of range' --web.listen-address=127.0.0.1:99999
bad_flag 'IPv6 is not supported' --web.listen-address='[::1]:19455'
bad_flag 'cannot open web config file' --web.listen-address=127.0.0.1:0 \
  --web.config.file="$D/nonexist.yml"

log "PASS: $CHECKS checks"
