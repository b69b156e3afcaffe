#!/usr/bin/env bash
# Hostile process and container names against the real exporter and real Docker containers.
#
#   hostile_names.sh PATH_TO_cproc_exporter
#
# PID 1 of busybox containers (and a few host processes) rename themselves by writing
# /proc/self/comm: spaces, parentheses with fake stat fields, newlines, quotes, backslashes, an
# ANSI escape, invalid UTF-8 and a UTF-8 character cut in half by the 15-byte limit. The shell
# stays PID 1 (a `trap` and a loop of child sleeps, never `exec`, which would reset comm).
# Containers also get odd-but-allowed Docker names ([a-zA-Z0-9][a-zA-Z0-9_.-]*, long ones too).
# Then:
#   - `promtool check metrics` passes on /metrics;
#   - every container has cproc_container_info and cproc_container_pid1_info whose comm label is
#     the kernel's comm with invalid UTF-8 and control characters replaced by U+FFFD;
#   - the container label is the Docker name, unchanged;
#   - cproc_scan_errors_total{reason="parse"} does not grow while they run;
#   - `cproc_exporter ps --json` stays valid JSON and `ps --tree` does not fail;
#   - GET /api/v1/containers is valid UTF-8 JSON that lists every test container.
# Exit 0 pass, 1 fail, 77 skip (not root, no Docker daemon).
# shellcheck source-path=SCRIPTDIR source=../e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../e2e/lib.sh"
e2e_init "$@"
require_docker
ensure_test_image
require_file /usr/bin/promtool "package prometheus"
PYTHON=$(command -v python3) || fail "python3 not found; run scripts/install-deps"

# name-suffix|comm as printf %b text (octal escapes: busybox printf knows \NNN, not \xNN)
HOSTILE=(
  'paren|a) R 1 (x'
  'newline|line1\nline2"q'
  'backslash|back\\slash\377'
  'cututf8|\343\201\202\343\201\202\343\201\202\343\201\202\343\201'
  'spaces| spaces  here '
  'ansi|\033[31mred\033[0m'
  'quotes|"\047"\047"'
  'sdpam|((sd-pam))'
  'invalid|\300\257\355\240\200\364\220\200\200'
)
# Odd but allowed Docker names (the prefix keeps them unique and ours).
ODD_NAMES=(
  "A.b_c-"
  "x..__--..__--"
  "UPPER.lower_0123456789"
  "long-$(printf 'n%.0s' {1..200})"
)

declare -A COMM_OF=()  # container id -> host pid of its PID 1
IDS=()

for entry in "${HOSTILE[@]}"; do
  suffix=${entry%%|*} comm=${entry#*|}
  # PID 1 renames itself, then stays the shell: the loop forks `sleep`, never execs.
  # shellcheck disable=SC2016  # $1 expands in the container's shell
  run_container "comm-$suffix" -- sh -c \
    'printf "$1" > /proc/self/comm; trap "exit 0" TERM; while :; do sleep 1; done' sh "$comm"
  IDS+=("$CONTAINER_ID")
done
for name in "${ODD_NAMES[@]}"; do
  run_container "$name" -- sh -c 'trap "exit 0" TERM; while :; do sleep 1; done'
  IDS+=("$CONTAINER_ID")
done

# Host processes with the same names (not in a container: they must only not break the scan).
for entry in "${HOSTILE[@]}"; do
  comm=${entry#*|}
  # shellcheck disable=SC2016  # $1 and $$ expand in the child bash
  bash -c 'printf "$1" > /proc/$$/comm; for ((i = 0; i < 600; i++)); do sleep 1; done' \
    _ "$comm" &
  E2E_PIDS+=("$!")
done

for id in "${IDS[@]}"; do
  COMM_OF[$id]=$(container_host_pid "$id")
done
sleep 1 # the renames happen right after start

# shellcheck disable=SC2119  # no extra exporter flags
start_exporter
METRICS="$E2E_TMP/metrics.txt"
METRICS2="$E2E_TMP/metrics2.txt"

# parse_errors FILE: the value of cproc_scan_errors_total{reason="parse"} (0 when absent).
parse_errors() {
  local v
  v=$(sample_sum "$1" cproc_scan_errors_total 'reason="parse"')
  [[ $v == absent ]] && v=0
  echo "$v"
}

# Wait until every container is in the exposition (a scan after they started).
all_present() {
  fetch_metrics "$METRICS"
  local id
  for id in "${IDS[@]}"; do
    grep -qF "container_id=\"docker://$id\"" "$METRICS" || return 1
  done
}
wait_until 30 "every test container in /metrics" all_present || fail "containers missing from /metrics"
errors_before=$(parse_errors "$METRICS")

# 1. promtool's own parser and linter accept the whole exposition.
if out=$(/usr/bin/promtool check metrics <"$METRICS" 2>&1); then
  log "OK: promtool check metrics"
else
  soft_fail "promtool check metrics: $out"
fi

# 2. Per container: info present, pid1 comm label = sanitised kernel comm, name unchanged.
# The expectation is computed from the kernel's bytes (/proc/PID/comm) by an independent
# implementation; either replacement granularity (per byte, or per maximal invalid subpart as
# Python does) is accepted, as both are valid UTF-8 and lossless for valid text.
for id in "${IDS[@]}"; do
  pid=${COMM_OF[$id]}
  name=$(short_name "$id")
  if ! result=$("$PYTHON" - "$METRICS" "$id" "/proc/$pid/comm" "$name" <<'EOF'
import re, sys

metrics_path, cid, comm_path, name = sys.argv[1:5]
raw = open(comm_path, "rb").read()
if raw.endswith(b"\n"):
    raw = raw[:-1]  # /proc/PID/comm appends one newline; comm may hold others

def per_byte(b):
    out, i = [], 0
    while i < len(b):
        c = b[i]
        n = 1 if c < 0x80 else 2 if 0xC2 <= c <= 0xDF else 3 if 0xE0 <= c <= 0xEF \
            else 4 if 0xF0 <= c <= 0xF4 else 0
        if n:
            try:
                out.append(b[i:i + n].decode("utf-8"))
                i += n
                continue
            except UnicodeDecodeError:
                pass
        out.append("\ufffd")
        i += 1
    return "".join(out)

# Control characters (a newline, ESC, ...) become U+FFFD too: none may reach a label value.
controls = re.compile("[\x00-\x1f\x7f-\x9f]")
wanted = {controls.sub("\ufffd", per_byte(raw)),
          controls.sub("\ufffd", raw.decode("utf-8", "replace"))}

def parse_labels(text):
    labels, i = {}, 0
    pattern = re.compile(r'\s*([a-zA-Z_][a-zA-Z0-9_]*)="')
    while i < len(text):
        m = pattern.match(text, i)
        if not m:
            break
        i = m.end()
        value = []
        while text[i] != '"':
            if text[i] == "\\":
                value.append({"n": "\n", "\\": "\\", '"': '"'}[text[i + 1]])
                i += 2
            else:
                value.append(text[i])
                i += 1
        labels[m.group(1)] = "".join(value)
        i += 1
        if i < len(text) and text[i] == ",":
            i += 1
    return labels

series = {}
with open(metrics_path, encoding="utf-8") as f:  # strict: invalid UTF-8 raises
    for line in f:
        if line.startswith("#") or "{" not in line:
            continue
        metric, rest = line.split("{", 1)
        labels = parse_labels(rest[: rest.rindex("}")])
        if labels.get("container_id") == f"docker://{cid}":
            series.setdefault(metric, []).append(labels)

problems = []
if "cproc_container_info" not in series:
    problems.append("no cproc_container_info")
if series.get("cproc_container_info", [{}])[0].get("container") != name:
    problems.append(f"container label {series.get('cproc_container_info', [{}])[0].get('container')!r}"
                    f" != docker name {name!r}")
pid1 = series.get("cproc_container_pid1_info", [])
if len(pid1) != 1:
    problems.append(f"{len(pid1)} cproc_container_pid1_info series")
elif pid1[0].get("comm") not in wanted:
    problems.append(f"comm label {pid1[0].get('comm')!r}, kernel comm {raw!r}, expected one of "
                    f"{sorted(wanted)!r}")
if problems:
    print("; ".join(problems))
    sys.exit(1)
print(f"comm {raw!r} -> {pid1[0]['comm']!r}")
EOF
  ); then
    soft_fail "${name:0:40}: $result"
  else
    log "OK: ${name:0:40}: $result"
  fi
done

# 3. No parse errors from the hostile names (two more scans).
sleep 2.5
fetch_metrics "$METRICS2"
errors_after=$(parse_errors "$METRICS2")
if [[ $errors_after == "$errors_before" ]]; then
  log "OK: cproc_scan_errors_total{reason=\"parse\"} stayed at $errors_after"
else
  soft_fail "cproc_scan_errors_total{reason=\"parse\"} grew from $errors_before to $errors_after"
fi
/usr/bin/promtool check metrics <"$METRICS2" >/dev/null 2>&1 || soft_fail "promtool check metrics (2nd scrape)"

# 4. The ps view: valid JSON (strict UTF-8), and the tree renders.
if ! "$EXPORTER_BIN" ps --json >"$E2E_TMP/ps.json" 2>"$E2E_TMP/ps.err"; then
  soft_fail "cproc_exporter ps --json failed: $(head -c 300 "$E2E_TMP/ps.err")"
elif ! "$PYTHON" -c 'import json,sys; json.load(open(sys.argv[1], encoding="utf-8"))' \
  "$E2E_TMP/ps.json" 2>"$E2E_TMP/json.err"; then
  soft_fail "ps --json stdout is not valid UTF-8 JSON ($(tail -n 1 "$E2E_TMP/json.err")); its first line: $(head -n 1 "$E2E_TMP/ps.json" | head -c 200)"
else
  log "OK: ps --json is valid JSON"
fi
"$EXPORTER_BIN" ps --tree >"$E2E_TMP/ps.tree" 2>&1 || soft_fail "cproc_exporter ps --tree failed"

# 5. The same facts over HTTP (/api/v1/containers): valid UTF-8 JSON, every test container in it.
if ! curl -fsS --max-time 10 -o "$E2E_TMP/api.json" "$EXPORTER_URL/api/v1/containers"; then
  soft_fail "GET /api/v1/containers failed"
elif ! out=$("$PYTHON" -c '
import json, sys
doc = json.load(open(sys.argv[1], encoding="utf-8"))
text = json.dumps(doc)
missing = [i[:12] for i in sys.argv[2:] if i not in text]
if missing:
    sys.exit("missing containers: " + " ".join(missing))
' "$E2E_TMP/api.json" "${IDS[@]}" 2>&1); then
  soft_fail "/api/v1/containers: $(tail -n 1 <<<"$out")"
else
  log "OK: /api/v1/containers is valid JSON and lists every test container"
fi

kill -0 "$EXPORTER_PID" 2>/dev/null || soft_fail "exporter died"
finish
