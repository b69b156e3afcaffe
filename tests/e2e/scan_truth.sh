# shellcheck shell=bash
# Sourced by lib.sh: the exporter judged as a daemon, over many scans. Every scrape is checked
# (promtool, the strict exposition check, /api/v1/containers, identity labels that never move),
# and a container's series are compared with what /proc says in the same round.

# ---------------------------------------------------------------------------------------------
# a daemon is judged over many scans: state kept between scans shows its bugs on the 2nd or 3rd

# check_exporter_exit: stop the exporter (if this test started one) and fail softly on any
# AddressSanitizer, LeakSanitizer or UBSan report in its log (the e2e tests also run against the
# sanitizer build of the binary).
check_exporter_exit() {
  [[ -n $EXPORTER_PID ]] || return 0
  stop_pid "$EXPORTER_PID"
  # SIGTERM ends it with status 0; anything else is a crash, a leak report (the sanitizer build
  # aborts) or a SIGKILL after it ignored SIGTERM.
  if [[ -n $STOPPED_STATUS && $STOPPED_STATUS != 0 ]]; then
    soft_fail "the exporter (pid $EXPORTER_PID) exited with status $STOPPED_STATUS after SIGTERM"
  fi
  local logfile
  for logfile in "$E2E_TMP"/exporter.*.log; do
    [[ -f $logfile ]] || continue
    if grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$logfile"; then
      grep -m 5 -A 12 -E 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$logfile"
      soft_fail "sanitizer report in the exporter's log ($logfile)"
    fi
  done
}

# scan_timestamp FILE: cproc_scan_timestamp_seconds of a saved scrape ("" if absent).
scan_timestamp() { awk '$1 == "cproc_scan_timestamp_seconds" { print $2 }' "$1"; }

# wait_for_new_scan FILE PREVIOUS_TIMESTAMP: fetch /metrics into FILE until it comes from a scan
# other than PREVIOUS_TIMESTAMP's (bounded: 20 s).
wait_for_new_scan() {
  local file=$1 previous=$2 deadline=$((SECONDS + 20))
  while :; do
    fetch_metrics "$file"
    [[ $(scan_timestamp "$file") != "$previous" ]] && return 0
    ((SECONDS < deadline)) || fail "no new scan within 20 s (last scan at $previous)"
    sleep 0.2
  done
}

# check_scrape FILE: every check one scrape must pass whatever the test: promtool, the strict
# check (UTF-8, no control bytes in label values, grammar, one identity per container_id),
# /api/v1/containers answering 200 with JSON. Prints the identities (see
# cproc_check_exposition --identities) into FILE.ids. Records problems in E2E_PROBLEMS.
check_scrape() {
  local file=$1 out="$1.check" code
  [[ -n $CHECK_EXPOSITION && -x $CHECK_EXPOSITION ]] ||
    fail "the strict exposition check was not passed as second argument (cproc_check_exposition)"
  if ! /usr/bin/promtool check metrics <"$file" >"$out" 2>&1; then
    E2E_PROBLEMS+=("promtool check metrics: $(head -c 600 "$out")")
  fi
  if ! "$CHECK_EXPOSITION" "$file" --identities >"$file.ids" 2>"$out"; then
    E2E_PROBLEMS+=("strict exposition check: $(head -c 600 "$out")")
  fi
  code=$(curl -s --max-time 10 -o "$file.json" -w '%{http_code}' "$EXPORTER_URL/api/v1/containers")
  if [[ $code != 200 ]]; then
    E2E_PROBLEMS+=("GET /api/v1/containers answered $code")
  elif ! jq -e 'type == "object" or type == "array"' "$file.json" >/dev/null 2>&1; then
    E2E_PROBLEMS+=("/api/v1/containers is not JSON")
  fi
}

# scrape_rounds N FUNCTION: N scrapes, each from a new scan, each passing check_scrape and
# FUNCTION FILE (the test's ground truth, recording problems with expect_sample and friends;
# SCRAPE_ROUND is the round's number, from 1, for tests that change the host between rounds).
# Every container seen in two rounds must show the same identity labels in both: container_id,
# container, pod, namespace, runtime and image never move while a container lives. Fails the
# test on the first round with a problem, printing them all.
scrape_rounds() {
  local rounds=$1 fn=$2 i file previous="" first_ids="$E2E_TMP/identities.first" id line before
  for ((i = 1; i <= rounds; i++)); do
    file="$E2E_TMP/round-$i.prom"
    wait_for_new_scan "$file" "$previous"
    previous=$(scan_timestamp "$file")
    E2E_PROBLEMS=()
    check_scrape "$file"
    SCRAPE_ROUND=$i
    "$fn" "$file" || true
    if ((i == 1)); then
      cp "$file.ids" "$first_ids"
    else
      # Not `IFS=$'\t' read -r id line`: tab is IFS white space, so read would merge empty
      # fields and drop trailing ones (an empty image) and see a move where there is none.
      while IFS= read -r line; do
        id=${line%%$'\t'*}
        line=${line#*$'\t'}
        before=$(awk -F'\t' -v id="$id" '$1 == id { sub(/^[^\t]*\t/, ""); print }' "$first_ids")
        [[ -z $before || $before == "$line" ]] && continue
        E2E_PROBLEMS+=("identity of $id moved: round 1 '$before', round $i '$line'")
      done < <(awk -F'\t' '{ id = $1; sub(/^[^\t]*\t/, ""); print id "\t" $0 }' "$file.ids")
    fi
    if ((${#E2E_PROBLEMS[@]})); then
      log "round $i of $rounds: ${#E2E_PROBLEMS[@]} problem(s):"
      printf '  %s\n' "${E2E_PROBLEMS[@]}"
      cp "$file" "/tmp/cproc-e2e-failed-$$-round$i.prom" 2>/dev/null
      fail "scrape round $i of $rounds failed (kept in /tmp/cproc-e2e-failed-$$-round$i.prom)"
    fi
  done
  log "OK: $rounds scrapes from $rounds scans, each valid and matching the ground truth"
}

# ---------------------------------------------------------------------------------------------
# ground truth for one container, read from /proc in every scrape round, and rounds across a
# change of the host (e2e_lxc, e2e_runc_layouts, e2e_containerd_ctr). A round's checks run on a
# loaded CI machine every second: they read /proc with builtins and a scrape with one awk rather
# than a process per value.

E2E_CLK_TCK=""
E2E_BTIME=""

# read_host_truth NEEDLE PID1 [PIDS]: fill E2E_HOST from /proc as it is now, for the processes
# whose /proc/PID/cgroup mentions NEEDLE (container_pids; or PIDS, "pid pid ...", when the caller
# just listed them, e.g. with needle_pids): one count per state (E2E_STATES), total, threads
# (the sum of num_threads), zombies_pid1 / zombies_other / zombies_outside (a zombie's parent:
# PID1, another of those processes, or none of them), and of PID1: comm, start_cs (its start,
# unix time in hundredths of a second), handles_sigterm (1: SIGTERM caught or blocked, and not
# ignored; "unknown" while it waits in sigtimedwait), pids_current (pids.current of its pids
# cgroup, v1 or unified; "absent" when there is none) and the namespace inodes ns_<kind>.
declare -A E2E_HOST=()
read_host_truth() {
  local needle=$1 pid1=$2 pid stat rest state path line kind
  local -a pids fields
  local -A inside=()
  if [[ -z $E2E_CLK_TCK ]]; then
    E2E_CLK_TCK=$(getconf CLK_TCK)
    E2E_BTIME=$(awk '$1 == "btime" { print $2 }' /proc/stat)
  fi
  E2E_HOST=([total]=0 [threads]=0 [zombies_pid1]=0 [zombies_other]=0 [zombies_outside]=0
    [comm]="?" [start_cs]=0 [pids_current]=absent)
  for state in "${E2E_STATES[@]}"; do E2E_HOST[$state]=0; done
  if (($# >= 3)); then
    read -r -a pids <<<"$3"
  else
    mapfile -t pids < <(container_pids "$needle")
  fi
  for pid in "${pids[@]}"; do inside[$pid]=1; done
  for pid in "${pids[@]}"; do
    { read -r stat <"/proc/$pid/stat"; } 2>/dev/null || continue  # gone meanwhile
    rest=${stat##*) } # comm may contain ') ': the state is the field after the LAST ')'
    read -r -a fields <<<"$rest"
    case ${fields[0]} in
      R) state=running ;; S) state=sleeping ;; D) state=disk_sleep ;; T | t) state=stopped ;;
      Z) state=zombie ;; I) state=idle ;; *) state=other ;;
    esac
    E2E_HOST[$state]=$((E2E_HOST[$state] + 1))
    E2E_HOST[total]=$((E2E_HOST[total] + 1))
    E2E_HOST[threads]=$((E2E_HOST[threads] + fields[17])) # field 20 of stat: num_threads
    if [[ $state == zombie ]]; then
      if [[ ${fields[1]} == "$pid1" ]]; then
        E2E_HOST[zombies_pid1]=$((E2E_HOST[zombies_pid1] + 1))
      elif [[ -n ${inside[${fields[1]}]:-} ]]; then
        E2E_HOST[zombies_other]=$((E2E_HOST[zombies_other] + 1))
      else
        E2E_HOST[zombies_outside]=$((E2E_HOST[zombies_outside] + 1))
      fi
    fi
    # field 22 of stat: starttime, in clock ticks after boot
    [[ $pid == "$pid1" ]] &&
      E2E_HOST[start_cs]=$((E2E_BTIME * 100 + fields[19] * 100 / E2E_CLK_TCK))
  done
  { read -r "E2E_HOST[comm]" <"/proc/$pid1/comm"; } 2>/dev/null
  # SIGTERM (15) is bit 14 of the masks in /proc/PID/status.
  local cgt=0 blk=0 ign=0 field mask
  {
    while read -r field mask; do
      case $field in
        SigCgt:) cgt=$((16#$mask >> 14 & 1)) ;; SigBlk:) blk=$((16#$mask >> 14 & 1)) ;;
        SigIgn:) ign=$((16#$mask >> 14 & 1)) ;;
      esac
    done <"/proc/$pid1/status"
  } 2>/dev/null || true
  E2E_HOST[handles_sigterm]=$(((cgt | blk) & !ign))
  # Asleep in sigtimedwait (busybox init, tini), a process has the signals it waits for
  # unblocked until the call returns: its masks cannot tell.
  local wchan=""
  { read -r wchan <"/proc/$pid1/wchan"; } 2>/dev/null || true
  [[ $wchan == *sigtimedwait* ]] && E2E_HOST[handles_sigterm]=unknown
  path=""
  {
    while IFS= read -r line; do
      [[ $line == *:pids:* ]] && { path=/sys/fs/cgroup/pids${line#*:pids:}; break; }
      [[ $line == 0::* ]] && path=/sys/fs/cgroup${line#0::}
    done <"/proc/$pid1/cgroup"
  } 2>/dev/null || true
  [[ -f $path/pids.current ]] || path=/sys/fs/cgroup/unified${path#/sys/fs/cgroup}
  { read -r "E2E_HOST[pids_current]" <"$path/pids.current"; } 2>/dev/null
  while read -r kind line; do
    E2E_HOST[ns_${kind##*/}]=$line
  done < <(stat -L -c '%n %i' /proc/"$pid1"/ns/{pid,net,ipc,uts,mnt,user,cgroup,time} 2>/dev/null)
}

# E2E_HOST_NS: the host's namespace inodes by kind (kthreadd's, see host_ns), read once.
declare -A E2E_HOST_NS=()
read_host_namespaces() {
  local kind inode
  while read -r kind inode; do
    E2E_HOST_NS[${kind##*/}]=$inode
  done < <(stat -L -c '%n %i' /proc/2/ns/{pid,net,ipc,uts,mnt,user,cgroup,time} 2>/dev/null)
}

# read_series FILE CONTAINER_ID: fill E2E_SERIES with the container's samples in FILE, keyed by
# the metric name and its labels other than container_id, container, pod and namespace, in the
# order of the exposition: E2E_SERIES[cproc_container_zombies{parent="pid1"}]=1,
# E2E_SERIES[cproc_container_threads{}]=5 (and E2E_SERIES_OF=CONTAINER_ID, for messages). Label
# values must hold no ',' or '}'.
declare -A E2E_SERIES=()
read_series() {
  local key value
  E2E_SERIES=()
  E2E_SERIES_OF=$2
  while IFS=$'\t' read -r key value; do
    E2E_SERIES[$key]=$value
  done < <(awk -v id="container_id=\"$2\"" '
    /^#/ || NF == 0 { next }
    {
      brace = index($0, "{")
      close_brace = index($0, "}")
      if (!brace || close_brace < brace) next
      n = split(substr($0, brace + 1, close_brace - brace - 1), l, ",")
      mine = 0; key = ""
      for (i = 1; i <= n; i++) {
        if (l[i] == id) { mine = 1; continue }
        if (l[i] ~ /^(container_id|container|pod|namespace)=/) continue
        key = key (key == "" ? "" : ",") l[i]
      }
      if (!mine) next
      split(substr($0, close_brace + 1), v, " ")
      print substr($0, 1, brace - 1) "{" key "}\t" v[1]
    }' "$1")
}

# expect_series KEY WANT: E2E_SERIES[KEY] (from read_series) must be WANT ("absent": no such
# series); records a problem otherwise.
expect_series() {
  local got=${E2E_SERIES[$1]:-absent}
  [[ $got == "$2" ]] && return 0
  E2E_PROBLEMS+=("$E2E_SERIES_OF $1: expected $2, seen $got")
  return 1
}
E2E_SERIES_OF=""

# centi VAR VALUE: set VAR to a non-negative decimal sample value in hundredths
# (1796616678.54 -> 179661667854); -1 when VALUE is not such a number.
centi() {
  local whole=${2%%.*} frac=""
  [[ $2 == *.* ]] && frac=${2#*.}
  frac=${frac}00
  [[ $whole$frac =~ ^[0-9]+$ ]] || { printf -v "$1" %s -1; return 0; }
  printf -v "$1" %s $((10#$whole * 100 + 10#${frac:0:2}))
}

# needle_pids NEEDLE...: E2E_NEEDLE_PIDS[NEEDLE]="pid pid ..." for each NEEDLE, the processes
# whose /proc/PID/cgroup mentions it (container_pids for several containers, in one pass).
declare -A E2E_NEEDLE_PIDS=()
needle_pids() {
  local needle line pid
  local -a patterns=()
  E2E_NEEDLE_PIDS=()
  for needle in "$@"; do
    E2E_NEEDLE_PIDS[$needle]=""
    patterns+=(-e "$needle")
  done
  while IFS= read -r line; do # /proc/PID/cgroup:NEEDLE, once per line that mentions it
    pid=${line#/proc/}
    pid=${pid%%/*}
    needle=${line#*/cgroup:}
    [[ " ${E2E_NEEDLE_PIDS[$needle]} " == *" $pid "* ]] ||
      E2E_NEEDLE_PIDS[$needle]+="${E2E_NEEDLE_PIDS[$needle]:+ }$pid"
  done < <(grep -H -o -F "${patterns[@]}" /proc/[0-9]*/cgroup 2>/dev/null || true)
}

# expect_host_truth FILE CONTAINER_ID NEEDLE PID1 [PIDS]: the container's series in FILE agree
# with /proc as read now (read_host_truth NEEDLE PID1 [PIDS]): every state emitted; total,
# zombie, stopped, idle and other processes; threads; zombies by parent; PID 1's host PID, start
# time (within 1 s) and SIGTERM handling (from its signal masks, unless they cannot tell: then
# the test checks it); the namespace kinds PID 1 shares with the host; pids.current. running,
# sleeping and disk_sleep are compared as their sum (the total less the rest): a process may be
# R for an instant between the scan and this read. Leaves E2E_SERIES and E2E_HOST (PID 1's
# comm, its namespaces, ...) for the test's own checks.
expect_host_truth() {
  local file=$1 id=$2 needle=$3 pid1=$4 kind n=0 key want start
  ((${#E2E_HOST_NS[@]})) || read_host_namespaces
  read_series "$file" "$id"
  read_host_truth "$needle" "$pid1" "${@:5}"
  for key in "${!E2E_SERIES[@]}"; do
    [[ $key == cproc_container_processes\{* ]] && n=$((n + 1))
  done
  ((n == 7)) || E2E_PROBLEMS+=("$id: $n cproc_container_processes series, expected 7 (per state)")
  n=0
  for kind in "${E2E_STATES[@]}"; do
    key="cproc_container_processes{state=\"$kind\"}"
    n=$((n + ${E2E_SERIES[$key]:-0}))
  done
  [[ $n == "${E2E_HOST[total]}" ]] ||
    E2E_PROBLEMS+=("$id: $n processes, expected ${E2E_HOST[total]} ($(declare -p E2E_HOST))")
  for kind in zombie stopped idle other; do
    expect_series "cproc_container_processes{state=\"$kind\"}" "${E2E_HOST[$kind]}"
  done
  expect_series "cproc_container_threads{}" "${E2E_HOST[threads]}"
  for kind in pid1 other outside; do
    expect_series "cproc_container_zombies{parent=\"$kind\"}" "${E2E_HOST[zombies_$kind]}"
  done
  expect_series "cproc_container_pid1_host_pid{}" "$pid1"
  [[ ${E2E_HOST[handles_sigterm]} == unknown ]] ||
    expect_series "cproc_container_pid1_handles_sigterm{}" "${E2E_HOST[handles_sigterm]}"
  key="cproc_container_pid1_start_time_seconds{}"
  centi start "${E2E_SERIES[$key]:-x}"
  ((start >= E2E_HOST[start_cs] - 100 && start <= E2E_HOST[start_cs] + 100)) ||
    E2E_PROBLEMS+=("$id: $key ${E2E_SERIES[$key]:-absent}, /proc: ${E2E_HOST[start_cs]} / 100")
  for kind in pid net ipc uts mnt user cgroup time; do
    [[ -n ${E2E_HOST[ns_$kind]:-} ]] || continue
    want=0
    [[ ${E2E_HOST[ns_$kind]} == "${E2E_HOST_NS[$kind]:-}" ]] && want=1
    expect_series "cproc_container_host_namespace{ns=\"$kind\"}" "$want"
  done
  expect_series "cproc_container_pids_current{}" "${E2E_HOST[pids_current]}"
}

# read_identities FILE: every container's identity as cproc_container_info in FILE shows it,
# E2E_INFO[<container_id>]="container|pod|namespace|runtime|image|pod_uid|layout|cgroup<TAB>value"
# (one line per series), and as /api/v1/containers (FILE.json, saved by check_scrape) does,
# E2E_JSON_INFO[<container_id>]="name|pod|namespace|runtime|image|pod_uid|cgroup".
declare -A E2E_INFO=() E2E_JSON_INFO=()
read_identities() {
  local line id
  E2E_INFO=()
  E2E_JSON_INFO=()
  while IFS= read -r line; do
    id=${line%%$'\t'*}
    E2E_INFO[$id]+=${E2E_INFO[$id]:+$'\n'}${line#*$'\t'}
  done < <(awk '
    /^cproc_container_info\{/ {
      brace = index($0, "{"); close_brace = index($0, "}")
      n = split(substr($0, brace + 1, close_brace - brace - 1), l, ",")
      for (k in lab) delete lab[k]
      for (i = 1; i <= n; i++) {
        eq = index(l[i], "=")
        lab[substr(l[i], 1, eq - 1)] = substr(l[i], eq + 2, length(l[i]) - eq - 2)
      }
      split(substr($0, close_brace + 1), v, " ")
      print lab["container_id"] "\t" lab["container"] "|" lab["pod"] "|" lab["namespace"] "|" \
        lab["runtime"] "|" lab["image"] "|" lab["pod_uid"] "|" lab["layout"] "|" lab["cgroup"] \
        "\t" v[1]
    }' "$1")
  [[ -f $1.json ]] || return 0
  while IFS= read -r line; do
    E2E_JSON_INFO[${line%%$'\t'*}]=${line#*$'\t'}
  done < <(jq -r '.containers[] | [.container_id,
    ([.name, .pod, .namespace, .runtime, .image, .pod_uid, .cgroup] | join("|"))] | @tsv' "$1.json")
}

# expect_loaded_identity CONTAINER_ID CONTAINER POD NAMESPACE RUNTIME IMAGE POD_UID LAYOUT CGROUP:
# after read_identities: one cproc_container_info series with exactly these labels and value 1,
# and /api/v1/containers naming the container the same way.
expect_loaded_identity() {
  local id=$1 want
  want="$2|$3|$4|$5|$6|$7|$8|$9"$'\t'1
  [[ ${E2E_INFO[$id]:-} == "$want" ]] ||
    E2E_PROBLEMS+=("cproc_container_info of $id: expected '$want', seen '${E2E_INFO[$id]:-none}'")
  ((${#E2E_JSON_INFO[@]})) || return 0
  want="$2|$3|$4|$5|$6|$7|$9"
  [[ ${E2E_JSON_INFO[$id]:-} == "$want" ]] ||
    E2E_PROBLEMS+=("/api/v1/containers, $id: expected '$want', seen '${E2E_JSON_INFO[$id]:-none}'")
}

# expect_identity FILE CONTAINER_ID CONTAINER POD NAMESPACE RUNTIME IMAGE POD_UID LAYOUT CGROUP:
# read_identities FILE, then expect_loaded_identity.
expect_identity() {
  read_identities "$1"
  shift
  expect_loaded_identity "$@"
}

# wait_for_scan_after FILE EPOCH: fetch /metrics into FILE until it comes from a scan that began
# after EPOCH (unix time, `date +%s.%N`), i.e. one that saw the host as it is since then
# (bounded: 20 s). A scan began before its timestamp less its duration.
wait_for_scan_after() {
  local file=$1 epoch=$2 deadline=$((SECONDS + 20)) stamp duration
  while :; do
    fetch_metrics "$file"
    stamp=$(scan_timestamp "$file")
    duration=$(awk '$1 == "cproc_scan_duration_seconds" { print $2 }' "$file")
    if [[ -n $stamp && -n $duration ]] &&
      awk -v s="$stamp" -v d="$duration" -v e="$epoch" 'BEGIN { exit !(s - d > e) }'; then
      return 0
    fi
    ((SECONDS < deadline)) || fail "no scan began after $epoch within 20 s (last: $stamp)"
    sleep 0.2
  done
}

# scrape_rounds_with_changes N CHECK [CHANGE N CHECK]...: scrape_rounds N CHECK; then, for each
# CHANGE N CHECK that follows: CHANGE (a function changing the host: a container removed, a
# process added or killed, a restart) and scrape_rounds N CHECK on scans that began after CHANGE
# returned. A container seen in the last round before a change and in the first after it must
# keep its identity across the change too.
scrape_rounds_with_changes() {
  local rounds=$1 check=$2 change moved ids_before="$E2E_TMP/identities.before-change"
  shift 2
  scrape_rounds "$rounds" "$check"
  while (($# >= 3)); do
    change=$1
    cp "$E2E_TMP/round-$rounds.prom.ids" "$ids_before"
    "$change"
    wait_for_scan_after "$E2E_TMP/after-change.prom" "$(date +%s.%N)"
    rounds=$2 check=$3
    shift 3
    log "after $change: $rounds more rounds"
    scrape_rounds "$rounds" "$check"
    moved=$(awk -F'\t' 'NR == FNR { before[$1] = $0; next }
      ($1 in before) && before[$1] != $0 { print "  before: " before[$1] "\n  after:  " $0 }' \
      "$ids_before" "$E2E_TMP/round-1.prom.ids")
    [[ -z $moved ]] || fail "identity labels moved across $change:"$'\n'"$moved"
  done
  (($# == 0)) || fail "scrape_rounds_with_changes: CHANGE N CHECK expected, left: $*"
}
