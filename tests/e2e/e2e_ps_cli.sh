#!/usr/bin/env bash
# `cproc_exporter ps`, the human view, against real Docker: every container listed with what
# `docker top` shows plus the zombies it cannot show, the tree with host and in-container PIDs,
# the JSON, and `--env` refused when stdout is not a terminal (it would print secrets), refused
# when --container matches more than one container, and printing what a container planted in its
# environment (terminal escape sequences, a forged line) escaped, never raw.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
e2e_init "$@"
require_docker
ensure_test_image

# PID 1 is sleep and never reaps: one zombie, plus one live child. Its environment holds what a
# hostile image could plant: an OSC (window title) and a CSI (colour) sequence, and a newline
# that would forge a second variable on a raw print.
run_container leaky -e $'EVIL=\e]0;pwned\a\e[31m' -e $'FORGED=a\nPATH=/evil' -- \
  sh -c '(sleep 1 &); sleep 1000 & exec sleep 1001'
id=$CONTAINER_ID
name="${E2E_PREFIX}leaky"
pid1=$(container_host_pid "$id")
sleep 2  # the orphan exits and stays a zombie

json="$E2E_TMP/ps.json"
"$EXPORTER_BIN" ps --json --container "$name" >"$json" 2>"$E2E_TMP/ps.err" ||
  fail "ps --json failed: $(cat "$E2E_TMP/ps.err")"
jq -e . "$json" >/dev/null || fail "ps --json is not JSON: $(head -c 300 "$json")"
[[ $(jq '.containers | length' "$json") == 1 ]] || soft_fail "--container selects exactly one"
[[ $(jq -r '.containers[0].name' "$json") == "$name" ]] || soft_fail "the Docker name is shown"
[[ $(jq -r '.containers[0].pid1.host_pid' "$json") == "$pid1" ]] ||
  soft_fail "PID 1 is docker inspect's pid $pid1 (saw $(jq -r '.containers[0].pid1.host_pid' "$json"))"
zombies=$(jq -r '.containers[0].processes.zombie' "$json")
[[ $zombies == 1 ]] || soft_fail "one zombie (saw $zombies)"
total=$(jq '[.containers[0].processes[]] | add' "$json")
top=$("$DOCKER" top "$id" -eo pid | tail -n +2 | wc -l)
[[ $total == $((top + zombies)) ]] ||
  soft_fail "processes = docker top ($top) + zombies ($zombies); saw $total"

table=$("$EXPORTER_BIN" ps 2>/dev/null)
grep -q "^$name .* $pid1 sleep" <<<"$table" || soft_fail "the table lists $name with PID 1 $pid1: $table"

tree=$("$EXPORTER_BIN" ps --tree --container "$name" 2>/dev/null)
grep -qE "^  $pid1 \[1\] S sleep  \(init\)$" <<<"$tree" || soft_fail "the tree starts at the init [1]: $tree"
grep -q "<defunct>" <<<"$tree" || soft_fail "the tree marks the zombie: $tree"

# Not a terminal: refused, and nothing of the environment printed.
if out=$("$EXPORTER_BIN" ps --env --container "$name" 2>&1); then
  soft_fail "ps --env must refuse without a terminal"
fi
grep -q "only for root with a terminal" <<<"$out" || soft_fail "ps --env says why it refuses: $out"
grep -q "PATH=" <<<"$out" && soft_fail "ps --env printed an environment without a terminal"
# With a terminal (script(1) gives one), root sees the init's environment and root path.
if command -v script >/dev/null 2>&1; then
  out=$(script -qec "$EXPORTER_BIN ps --env --container $name" /dev/null 2>&1 || true)
  grep -q "  PATH=" <<<"$out" || soft_fail "ps --env at a terminal shows the environment: $out"
  grep -q "root filesystem: /proc/$pid1/root" <<<"$out" || soft_fail "ps --env names the root filesystem"
  # shellcheck disable=SC2016 # literal backslashes: the escaped form ps prints
  grep -qF '  EVIL=\x1b]0;pwned\x07\x1b[31m' <<<"$out" ||
    soft_fail "ps --env shows planted escape sequences as \\xHH:" \
      "$(grep EVIL <<<"$out" | od -c | head)"
  grep -q $'\e' <<<"$out" && soft_fail "ps --env wrote a raw ESC byte to the terminal"
  grep -qF '  FORGED=a\x0aPATH=/evil' <<<"$out" || soft_fail "ps --env shows a newline as \\x0a"
  grep -qE '^ *PATH=/evil' <<<"$out" && soft_fail "a newline in a variable forged a line of its own"
else
  skip_part "ps --env at a terminal not checked (script(1), package bsdutils, is not installed)"
fi

# --env shows one container's secrets, so it must be the one meant. A second container named
# like the first one's id prefix makes that prefix match both (by id prefix and by name). It is
# started here, not with run_container, whose names carry the test's prefix; it is tracked by
# id, labelled and --rm like every container of the test.
prefix=${id:0:12}
twin=$("$DOCKER" run -d --rm --pull never --network none --label cproc-e2e=1 --name "$prefix" \
  "$E2E_IMAGE" sleep 1000) || fail "docker run --name $prefix failed"
E2E_CONTAINERS+=("$twin")
log "started container $prefix = ${twin:0:12}, named like the id prefix of $name"
# Listing, the exact name wins (as docker's); --env refuses a query that could mean either.
listed=$("$EXPORTER_BIN" ps --json --container "$prefix" 2>/dev/null | jq -r '.containers[].name')
[[ $listed == "$prefix" ]] ||
  soft_fail "--container $prefix lists the container named exactly so, saw: $listed"
rc=0
out=$("$EXPORTER_BIN" ps --env --container "$prefix" 2>&1) || rc=$?
[[ $rc == 2 ]] || soft_fail "ps --env with an ambiguous --container exits 2 (saw $rc): $out"
grep -q "'$prefix' matches 2 containers" <<<"$out" ||
  soft_fail "ps --env says the match is ambiguous: $out"
grep -qF "docker://$id" <<<"$out" || soft_fail "the ambiguity error lists docker://$id: $out"
grep -qF "docker://$twin" <<<"$out" || soft_fail "the ambiguity error lists docker://$twin: $out"
grep -q "PATH=" <<<"$out" &&
  soft_fail "ps --env printed an environment for an ambiguous --container"
if command -v script >/dev/null 2>&1; then
  rc=0
  out=$(script -qec "$EXPORTER_BIN ps --env --container $prefix" /dev/null 2>&1) || rc=$?
  [[ $rc == 2 ]] || soft_fail "at a terminal too, an ambiguous --env exits 2 (saw $rc): $out"
  grep -q "matches 2 containers" <<<"$out" || soft_fail "at a terminal, ambiguity is refused: $out"
  grep -q "PATH=" <<<"$out" && soft_fail "at a terminal, an ambiguous --env printed an environment"
  out=$(script -qec "$EXPORTER_BIN ps --env --container docker://$id" /dev/null 2>&1 || true)
  grep -q "root filesystem: /proc/$pid1/root" <<<"$out" ||
    soft_fail "the runtime://id the error suggests selects the one container: $out"
else
  skip_part "an ambiguous ps --env at a terminal not checked (script(1) is not installed)"
fi

"$EXPORTER_BIN" ps --container no-such-container-$$ >/dev/null 2>&1 &&
  soft_fail "an unknown container is an error"

# The default table honours --container too, by name prefix as well as id prefix.
table=$("$EXPORTER_BIN" ps --container "${name:0:$((${#name} - 2))}" 2>/dev/null)
grep -qF "${id:0:12}" <<<"$table" || soft_fail "ps --container NAME-PREFIX lists $name: $table"
grep -qF "${twin:0:12}" <<<"$table" && soft_fail "ps --container lists other containers: $table"
"$EXPORTER_BIN" --help | grep -q ' ps ' || soft_fail "--help does not mention the ps command"
version=$("$EXPORTER_BIN" ps --version 2>&1)
[[ $version == "cproc_exporter, version "* && $(wc -l <<<"$version") -eq 1 ]] ||
  soft_fail "ps --version prints the version, not the table: $version"
finish
