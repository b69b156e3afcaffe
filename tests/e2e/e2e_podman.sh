#!/usr/bin/env bash
# Real rootful Podman against the real exporter, over many scans: every container below is
# compared with what Podman and /proc say in each of 10 scrapes, each from a new scan (state the
# exporter keeps between scans is where its bugs show: a use-after-free once corrupted the
# `runtime` label of every Podman container from the 2nd scan on).
#
#   plain     sleep                                       init none, is_namespace_init 1
#   init      --init, a shell leaving an orphan           catatonit (comm podman-init) reaps it
#   zombie    the same without --init                     zombies{parent="pid1"} 1
#   pidhost   --pid=host                                  host_namespace{pid} 1, main process
#   x, y      y runs --pid=container:x                    pid peers 1 each (foreign), y's main
#                                                         process reported, is_namespace_init 0
#   poda/b    two containers in a pod (+ its infra)       pod_uid = pod id, pod = pod name,
#                                                         net/ipc/uts peers 2, foreign 0
#   infra     the pod's infra container (catatonit -P)    a member of the pod too
#   lim       --pids-limit 13                             pids_limit 13
#   usr1      --stop-signal SIGUSR1, a shell trapping USR1  pid1_info{stop_signal="SIGUSR1"},
#                                                         handles_stop_signal 1 (SigCgt), and
#                                                         podman inspect's StopSignal is 10
#   late      --rm, started after round 3, removed after 6 present in rounds 4-6, gone in 7-10
#   latea     in a pod created after round 3 (latepod,    the pod's name and id from their
#   lateinfra with its infra), removed after round 6      first scan on; gone in 7-10
#
# For each, every round (3 rounds, start `late`, 3 rounds, remove it, 4 rounds:
# scrape_rounds_with_changes):
#   - identity (lib.sh's expect_loaded_identity): cproc_container_info with exactly
#     container_id podman://<full id>, container = Podman's name, pod = the pod's name,
#     runtime podman, image = .ImageName, pod_uid = .Pod, layout podman-cgroupfs, cgroup = its
#     cgroup, and /api/v1/containers saying the same;
#   - what expect_host_truth (lib.sh) checks, in one pass for all containers: processes by
#     state (running/sleeping/disk_sleep as their sum) and threads, zombies by parent, PID 1's
#     host PID (= .State.Pid), start time, SIGTERM handling, the stop signal (SIGTERM unless
#     the role says otherwise) and its handling (its bit in SigCgt/SigBlk), pids_current, host_namespace of
#     every kind; plus is_namespace_init (NSpid), pid1_info{comm,init}, pids_limit (pids.max),
#     the oldest zombie's age (growing from round to round), namespace_peers and
#     namespace_foreign_peers of every kind from the namespace links in /proc,
#     declared_host_namespace{pid} from .HostConfig.PidMode, no declaration mismatch and no
#     mismatched process;
#   - scrape_rounds (lib.sh): promtool, the strict exposition check, /api/v1/containers, and
#     identity labels that never move.
# Afterwards everything is removed and must leave nothing behind, in Podman, /proc, cgroupfs or
# the metrics.
#
#   e2e_podman.sh PATH_TO_cproc_exporter PATH_TO_cproc_check_exposition
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=podman_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/podman_lib.sh"
e2e_init "$@"

PIDS_LIMIT=13
KINDS=(pid net ipc uts mnt user cgroup time)

METRICS="$E2E_TMP/metrics.prom"
ROLES=()              # roles of the containers alive now, in creation order
declare -A NAME=()    # role -> Podman name
declare -A ID=()      # role -> full id
declare -A INIT=()    # role -> the init the exporter must recognise ("none" for none)
declare -A POD=()     # role -> Podman pod name ("" outside a pod)
declare -A STOP=()    # role -> its stop signal's number and name, when not "15 SIGTERM"
declare -A POD_ID=()  # pod name -> pod id
GONE_IDS=()           # containers removed during the rounds: no series of theirs may remain

# The ground truth: from Podman (PID1, IMAGE, PODOF, PIDMODE) and the PID's cgroup (CGROUP,
# CGPATH), filled by read_podman; from /proc (NS, HOST_NS, PROC), filled by read_proc in every
# round.
declare -A PID1=() IMAGE=() PODOF=() PIDMODE=() CGROUP=() CGPATH=()
declare -A NS=() HOST_NS=() PROC=()
declare -A LAST_AGE=() # "role metric" -> the zombie age the previous round showed
ZOMBIE_SEEN=""         # when the zombie was first seen in /proc (epoch seconds)

# ---------------------------------------------------------------------------------------------
# expectations in one pass: a round compares some 60 series of each of 11 containers; a process
# per comparison (expect_sample runs two awks), or per container (expect_host_truth runs about
# seven), takes many seconds per round on a loaded 2-core machine. One awk per round here.

WANTS=()
WANT_TAG="" # the container the queued expectations are about

# want WANT NAME [MATCHER...]: queue an expectation on the samples of NAME matching every
# MATCHER: their sum must be WANT ("absent" = no such series), or, for ">N", ">=N" or "<=N",
# compare so with N; "#N": there must be N such series.
want() { local IFS=$'\x1f'; WANTS+=("$WANT_TAG$IFS$*"); }

# check_wants FILE: check the queued expectations against FILE, print "TAG<TAB>problem" for each
# mismatch (worded as expect_sample's), in the order they were queued. (Run in a process
# substitution: the caller empties WANTS.)
check_wants() {
  local file=$1
  ((${#WANTS[@]})) || return 0
  printf '%s\n' "${WANTS[@]}" >"$file.wants"
  awk -F'\x1f' '
    FNR == NR {
      n++; tag[n] = $1; want[n] = $2; name[n] = $3; nm[n] = NF - 3
      for (i = 4; i <= NF; i++) m[n, i - 3] = $i
      byname[$3] = byname[$3] " " n
      next
    }
    /^#/ || NF == 0 { next }
    {
      line = $0
      brace = index(line, "{")
      if (brace) {
        metric = substr(line, 1, brace - 1)
        close_brace = brace + index(substr(line, brace), "}") - 1
        labels = "," substr(line, brace + 1, close_brace - brace - 1) ","
        rest = substr(line, close_brace + 1)
      } else {
        split(line, f, " "); metric = f[1]; labels = ","; rest = substr(line, length(metric) + 1)
      }
      if (!(metric in byname)) next
      split(rest, v, " ")
      k = split(byname[metric], ks, " ")
      for (j = 1; j <= k; j++) {
        e = ks[j]; ok = 1
        for (i = 1; i <= nm[e]; i++) if (index(labels, "," m[e, i] ",") == 0) { ok = 0; break }
        if (ok) { sum[e] += v[1]; cnt[e]++ }
      }
    }
    END {
      for (e = 1; e <= n; e++) {
        w = want[e]
        if (!cnt[e]) got = "absent"
        else if (sum[e] == int(sum[e])) got = sprintf("%d", sum[e])
        else got = sum[e] ""
        if (substr(w, 1, 1) == "#") { if (cnt[e] + 0 == substr(w, 2) + 0) continue; got = (cnt[e] + 0) " series" }
        else if (got == w) continue
        else if (cnt[e] && substr(w, 1, 2) == ">=") { if (sum[e] >= substr(w, 3) + 0) continue }
        else if (cnt[e] && substr(w, 1, 2) == "<=") { if (sum[e] <= substr(w, 3) + 0) continue }
        else if (cnt[e] && substr(w, 1, 1) == ">") { if (sum[e] > substr(w, 2) + 0) continue }
        ms = ""
        for (i = 1; i <= nm[e]; i++) ms = ms (i > 1 ? "," : "") m[e, i]
        printf "%s\t%s{%s}: expected %s, seen %s\n", tag[e], name[e], ms, w, got
      }
    }' "$file.wants" "$file"
}

# ---------------------------------------------------------------------------------------------
# ground truth from Podman and /proc, a few processes per round

# read_podman: PID1, IMAGE, PODOF and PIDMODE of every live container from one `podman
# inspect`, and their pids cgroup. After setup and after each change of the host: what Podman
# says of a running container does not change (it is asked again after the last round).
# Records a problem and returns 1 when Podman does not answer for every container.
read_podman() {
  local role id pid image pod pidmode ids=() line
  PID1=() IMAGE=() PODOF=() PIDMODE=() CGROUP=() CGPATH=()
  for role in "${ROLES[@]}"; do ids+=("${ID[$role]}"); done
  local -A by_id=()
  # Not `IFS=$'\t' read -r id pid ...`: tab is IFS white space, an empty .Pod would shift the
  # fields after it.
  while IFS= read -r line; do
    id=${line%%$'\t'*}
    [[ -n $id ]] && by_id[$id]=${line#*$'\t'}
  done < <(podman_ inspect -f \
    '{{.Id}}{{"\t"}}{{.State.Pid}}{{"\t"}}{{.ImageName}}{{"\t"}}{{.Pod}}{{"\t"}}{{.HostConfig.PidMode}}' \
    "${ids[@]}" 2>"$E2E_TMP/inspect.err")
  for role in "${ROLES[@]}"; do
    line=${by_id[${ID[$role]}]:-}
    if [[ -z $line ]]; then
      E2E_PROBLEMS+=("podman inspect has no answer for $role (${NAME[$role]}): $(head -c 300 "$E2E_TMP/inspect.err")")
      return 1
    fi
    pid=${line%%$'\t'*} line=${line#*$'\t'}
    image=${line%%$'\t'*} line=${line#*$'\t'}
    pod=${line%%$'\t'*} pidmode=${line#*$'\t'}
    PID1[$role]=$pid IMAGE[$role]=$image PODOF[$role]=$pod PIDMODE[$role]=$pidmode
    pids_cgroup_dir "$pid"
    CGROUP[$role]=$REPLY CGPATH[$role]=$CGROUP_PATH
  done
}

# podman_facts: one line per live container with what read_podman found, to compare two reads.
podman_facts() {
  local role
  for role in "${ROLES[@]}"; do
    printf '%s pid=%s image=%s pod=%s pidmode=%s cgroup=%s\n' "$role" "${PID1[$role]}" \
      "${IMAGE[$role]}" "${PODOF[$role]}" "${PIDMODE[$role]}" "${CGROUP[$role]}"
  done
}

# pids_cgroup_dir PID: REPLY = the directory of PID's pids cgroup (v1 controller, else the
# unified hierarchy, at /sys/fs/cgroup or /sys/fs/cgroup/unified), CGROUP_PATH = its path; both
# empty when none is found.
CGROUP_PATH=""
pids_cgroup_dir() {
  local hier ctrl path v1="" v2="" root
  while IFS=: read -r hier ctrl path; do
    [[ $ctrl == pids ]] && v1=$path
    [[ $hier == 0 ]] && v2=$path
  done <"/proc/$1/cgroup"
  REPLY="" CGROUP_PATH=""
  if [[ -n $v1 && -d /sys/fs/cgroup/pids$v1 ]]; then
    REPLY=/sys/fs/cgroup/pids$v1 CGROUP_PATH=$v1
    return 0
  fi
  for root in /sys/fs/cgroup /sys/fs/cgroup/unified; do
    [[ -n $v2 && -f $root$v2/pids.max ]] && { REPLY=$root$v2 CGROUP_PATH=$v2; return 0; }
  done
  return 0
}

# read_proc: the /proc side of the ground truth, in every round: NS / HOST_NS from one
# readlink of the namespace links of every live container's PID 1 and kthreadd's (the host's,
# see host_ns), PROC from one pass over /proc (proc_counts).
read_proc() {
  local role kind line links=() out=() i
  NS=() HOST_NS=()
  for kind in "${KINDS[@]}"; do links+=("/proc/2/ns/$kind"); done
  for role in "${ROLES[@]}"; do
    for kind in "${KINDS[@]}"; do links+=("/proc/${PID1[$role]}/ns/$kind"); done
  done
  # readlink prints nothing for a link it cannot read: then one at a time, "?" for those.
  mapfile -t out < <(readlink "${links[@]}" 2>/dev/null)
  if ((${#out[@]} != ${#links[@]})); then
    out=()
    for line in "${links[@]}"; do out+=("$(readlink "$line" 2>/dev/null || echo "?")"); done
  fi
  i=0
  for kind in "${KINDS[@]}"; do HOST_NS[$kind]=${out[i++]}; done
  for role in "${ROLES[@]}"; do
    for kind in "${KINDS[@]}"; do NS[$role $kind]=${out[i++]}; done
  done
  proc_counts
}

CLK_TCK=$(getconf CLK_TCK)
BTIME=$(awk '$1 == "btime" { print $2 }' /proc/stat)

# proc_counts: for every live container, from /proc in one pass, PROC["role key"] for the keys
# of read_host_truth (lib.sh): one per state (E2E_STATES), total, threads, zombies_pid1,
# zombies_other, zombies_outside; and start_lo / start_hi, PID 1's start (unix time) -/+ 1 s.
# A process belongs to the container whose id its /proc/PID/cgroup mentions (container_pids).
proc_counts() {
  local role patterns=() spec="" r key value
  PROC=()
  for role in "${ROLES[@]}"; do
    patterns+=(-e "${ID[$role]}")
    spec+="$role ${ID[$role]} ${PID1[$role]}"$'\n'
  done
  while read -r r key value; do
    PROC[$r $key]=$value
  done < <(grep -s -H -F "${patterns[@]}" /proc/[0-9]*/cgroup |
    awk -v spec="$spec" -v btime="$BTIME" -v tck="$CLK_TCK" '
    BEGIN {
      n = split(spec, lines, "\n")
      for (i = 1; i <= n; i++)
        if (split(lines[i], f, " ") == 3) { role[f[2]] = f[1]; pid1[f[1]] = f[3]; roles[++nr] = f[1] }
      ns = split("running sleeping disk_sleep stopped zombie idle other", states, " ")
    }
    {
      split($0, p, "/"); pid = p[3]        # /proc/PID/cgroup:LINE
      if (pid in owner) next
      for (id in role) if (index($0, id)) { owner[pid] = role[id]; break }
    }
    END {
      for (pid in owner) {
        r = owner[pid]; file = "/proc/" pid "/stat"
        ok = (getline line < file) > 0
        close(file)
        if (!ok) continue                   # gone meanwhile
        k = split(line, parts, "[)] ")      # comm may contain ") ": the state follows the last
        split(parts[k], f, " ")             # f[1] = field 3 of stat (state), f[N - 2] = field N
        s = f[1]
        st = s == "R" ? "running" : s == "S" ? "sleeping" : s == "D" ? "disk_sleep" : \
             (s == "T" || s == "t") ? "stopped" : s == "Z" ? "zombie" : s == "I" ? "idle" : "other"
        v[r, st]++; v[r, "total"]++; v[r, "threads"] += f[18]
        if (s == "Z") zparent[pid] = f[2]
        if (pid == pid1[r]) {
          start = btime + f[20] / tck
          v[r, "start_lo"] = start - 1; v[r, "start_hi"] = start + 1
        }
      }
      for (pid in zparent) {
        r = owner[pid]; parent = zparent[pid]
        kind = parent == pid1[r] ? "pid1" : owner[parent] == r ? "other" : "outside"
        v[r, "zombies_" kind]++
      }
      for (i = 1; i <= nr; i++) {
        r = roles[i]
        for (j = 1; j <= ns; j++) print r, states[j], v[r, states[j]] + 0
        print r, "total", v[r, "total"] + 0
        print r, "threads", v[r, "threads"] + 0
        print r, "zombies_pid1", v[r, "zombies_pid1"] + 0
        print r, "zombies_other", v[r, "zombies_other"] + 0
        print r, "zombies_outside", v[r, "zombies_outside"] + 0
        if ((r, "start_lo") in v) printf "%s start_lo %.2f\n%s start_hi %.2f\n", r, v[r, "start_lo"], r, v[r, "start_hi"]
      }
    }')
}

# counts ROLE: PROC's process counts of ROLE on one line, for messages and the setup check.
counts() {
  local state line=""
  for state in "${E2E_STATES[@]}"; do line+="$state=${PROC[$1 $state]:-?} "; done
  echo "${line}total=${PROC[$1 total]:-?} threads=${PROC[$1 threads]:-?}"
}

# read_status PID: STATUS_NSINIT = 1 when PID is PID 1 of its own PID namespace (last NSpid
# field), else 0; STATUS_SIGTERM = 1 when SIGTERM is caught (SigCgt) or blocked (SigBlk) and not
# ignored (SigIgn), "unknown" while it waits in sigtimedwait (see read_host_truth).
STATUS_NSINIT="" STATUS_SIGTERM=""
read_status() {
  local key value rest cgt=0 blk=0 ign=0 nspid=() wchan="" stop=${2:-15}
  STATUS_NSINIT="?" STATUS_SIGTERM="?" STATUS_STOP="?"
  [[ -r /proc/$1/status ]] || return 0
  while read -r key value rest; do
    case $key in
      NSpid:) read -r -a nspid <<<"$value $rest" ;;
      SigCgt:) cgt=16#$value ;; # signal N: bit N-1 of the mask
      SigBlk:) blk=16#$value ;;
      SigIgn:) ign=16#$value ;;
    esac
  done <"/proc/$1/status"
  STATUS_NSINIT=0
  ((${#nspid[@]})) && [[ ${nspid[-1]} == 1 ]] && STATUS_NSINIT=1
  STATUS_SIGTERM=$((((cgt | blk) & ~ign) >> 14 & 1))
  STATUS_STOP=$((((cgt | blk) & ~ign) >> (stop - 1) & 1))
  { read -r wchan <"/proc/$1/wchan"; } 2>/dev/null || true
  [[ $wchan == *sigtimedwait* ]] && STATUS_SIGTERM=unknown STATUS_STOP=unknown
  return 0
}

# count_peers ROLE KIND: PEERS = live containers (of this test) sharing ROLE's namespace of KIND
# (0 when it is the host's), FOREIGN = those of them outside ROLE's pod.
PEERS=0 FOREIGN=0
count_peers() {
  local role=$1 kind=$2 other ino=${NS[$1 $2]}
  PEERS=0 FOREIGN=0
  [[ $ino == "?" || $ino == "${HOST_NS[$kind]}" ]] && return 0
  for other in "${ROLES[@]}"; do
    [[ $other == "$role" || ${NS[$other $kind]} != "$ino" ]] && continue
    PEERS=$((PEERS + 1))
    [[ -n ${PODOF[$role]} && ${PODOF[$other]} == "${PODOF[$role]}" ]] || FOREIGN=$((FOREIGN + 1))
  done
}

# ---------------------------------------------------------------------------------------------
# one round

# check_container ROLE: ROLE's identity (after read_identities), and queue the expectations for
# its other series (see the header).
check_container() {
  local role=$1 c pid comm value kind metric n
  c="container_id=\"podman://${ID[$role]}\""
  pid=${PID1[$role]}
  WANT_TAG=$role

  local before=${#E2E_PROBLEMS[@]}
  expect_loaded_identity "podman://${ID[$role]}" "${NAME[$role]}" "${POD[$role]}" "" podman \
    "${IMAGE[$role]}" "${PODOF[$role]}" podman-cgroupfs "${CGPATH[$role]}"
  ((${#E2E_PROBLEMS[@]} == before)) || UNEXPLAINED[$role]=1

  # PID 1 (or the main process, for --pid=host / --pid=container:X)
  want "$pid" cproc_container_pid1_host_pid "$c"
  local stop=${STOP[$role]:-15 SIGTERM}
  read_status "$pid" "${stop% *}"
  want "$STATUS_NSINIT" cproc_container_pid1_is_namespace_init "$c"
  comm="?"
  read -r comm <"/proc/$pid/comm" || true
  want 1 cproc_container_pid1_info "$c" "comm=\"$comm\"" "init=\"${INIT[$role]}\"" \
    "stop_signal=\"${stop#* }\""
  # A recognised init forwards SIGTERM; catatonit every other signal but SIGCHLD too.
  [[ ${INIT[$role]} != none ]] && STATUS_SIGTERM=1 STATUS_STOP=1
  [[ $STATUS_SIGTERM == unknown ]] || want "$STATUS_SIGTERM" cproc_container_pid1_handles_sigterm "$c"
  [[ $STATUS_STOP == unknown ]] || want "$STATUS_STOP" cproc_container_pid1_handles_stop_signal "$c"
  want ">=${PROC[$role start_lo]:-0}" cproc_container_pid1_start_time_seconds "$c"
  want "<=${PROC[$role start_hi]:-0}" cproc_container_pid1_start_time_seconds "$c"

  # Processes: every state emitted; running, sleeping and disk_sleep as their sum (the total
  # less the rest; a process may be R for an instant between the scan and this read).
  want "#7" cproc_container_processes "$c"
  want "${PROC[$role total]:-?}" cproc_container_processes "$c"
  for value in zombie stopped idle other; do
    want "${PROC[$role $value]:-?}" cproc_container_processes "$c" "state=\"$value\""
  done
  want "${PROC[$role threads]:-?}" cproc_container_threads "$c"
  for value in pid1 other outside; do
    want "${PROC[$role zombies_$value]:-?}" cproc_container_zombies "$c" "parent=\"$value\""
  done
  # The oldest zombie's age, since the exporter first saw it: 0 without one; else older than in
  # the previous round (a new scan; the first may be the scan that first saw it: 0) and no older
  # than the zombie (seen in /proc since ZOMBIE_SEEN, dead at most a second before).
  for metric in oldest_zombie_seconds oldest_pid1_zombie_seconds; do
    n=${PROC[$role zombie]:-0}
    [[ $metric == oldest_pid1_zombie_seconds ]] && n=${PROC[$role zombies_pid1]:-0}
    if ((n == 0)); then
      want 0 "cproc_container_$metric" "$c"
    else
      if [[ -n ${LAST_AGE[$role cproc_container_$metric]:-} ]]; then
        want ">${LAST_AGE[$role cproc_container_$metric]}" "cproc_container_$metric" "$c"
      else
        want ">=0" "cproc_container_$metric" "$c"
      fi
      want "<=$((EPOCHSECONDS - ZOMBIE_SEEN + 2))" "cproc_container_$metric" "$c"
    fi
  done

  # the pids controller
  if [[ -z ${CGROUP[$role]} ]]; then
    E2E_PROBLEMS+=("$role: no pids cgroup found for pid $pid")
  else
    value="?"
    read -r value <"${CGROUP[$role]}/pids.max" || true
    [[ $value == max ]] && value=absent
    want "$value" cproc_container_pids_limit "$c"
    value="?"
    read -r value <"${CGROUP[$role]}/pids.current" || true
    want "$value" cproc_container_pids_current "$c"
  fi

  # namespaces
  for kind in "${KINDS[@]}"; do
    value=0
    [[ ${NS[$role $kind]} == "${HOST_NS[$kind]}" ]] && value=1
    want "$value" cproc_container_host_namespace "$c" "ns=\"$kind\""
    count_peers "$role" "$kind"
    want "$PEERS" cproc_container_namespace_peers "$c" "ns=\"$kind\""
    want "$FOREIGN" cproc_container_namespace_foreign_peers "$c" "ns=\"$kind\""
  done
  value=0
  [[ ${PIDMODE[$role]} == host ]] && value=1
  want "$value" cproc_container_declared_host_namespace "$c" 'ns="pid"'
  want 0 cproc_container_namespace_declaration_mismatches "$c"
  # Nobody entered a container (nsenter, setns): nothing is mismatched, neither y's processes
  # in x's PID namespace nor a pod's members in the namespaces they share.
  want 0 cproc_container_mismatched_processes "$c" 'kind="namespace"'
  want 0 cproc_container_mismatched_processes "$c" 'kind="cgroup"'
}

# explain ROLE FILE: the ground truth of ROLE and the exporter's info series, below its problems.
explain() {
  local role=$1 file=$2
  E2E_PROBLEMS+=("  ^ $role = ${NAME[$role]} (${ID[$role]:0:12}), pid ${PID1[$role]}; /proc: $(counts "$role"); zombies by parent pid1/other/outside ${PROC[$role zombies_pid1]:-}/${PROC[$role zombies_other]:-}/${PROC[$role zombies_outside]:-}; ns ${NS[$role pid]} ${NS[$role net]} (host ${HOST_NS[pid]} ${HOST_NS[net]})")
  E2E_PROBLEMS+=("    exporter: $(grep -F "cproc_container_info{container_id=\"podman://${ID[$role]}\"" "$file" || echo 'no cproc_container_info')")
}

# remember_ages FILE: the zombie ages FILE shows, for the next round's "older than" check.
remember_ages() {
  local file=$1 role ids=() id metric value
  for role in "${ROLES[@]}"; do
    ((${PROC[$role zombie]:-0})) && ids+=("podman://${ID[$role]}" "$role")
  done
  ((${#ids[@]})) || return 0
  while read -r role metric value; do
    LAST_AGE[$role $metric]=$value
  done < <(awk -v ids="${ids[*]}" '
    BEGIN { n = split(ids, l, " "); for (i = 1; i < n; i += 2) role["container_id=\"" l[i] "\""] = l[i + 1] }
    /^cproc_container_oldest_(pid1_)?zombie_seconds\{/ {
      brace = index($0, "{"); comma = index($0, ",")
      id = substr($0, brace + 1, comma - brace - 1)
      if (id in role) print role[id], substr($0, 1, brace - 1), $NF
    }' "$file")
}

# podman_round FILE: for scrape_rounds: every live container against the ground truth, and no
# series of a removed one.
declare -A UNEXPLAINED=() # containers with a problem and no explain yet
podman_round() {
  local file=$1 role id left tag problem previous=""
  UNEXPLAINED=()
  read_proc
  read_identities "$file"
  for role in "${ROLES[@]}"; do check_container "$role"; done
  while IFS=$'\t' read -r tag problem; do
    if [[ -n $previous && $tag != "$previous" ]]; then
      explain "$previous" "$file"
      unset "UNEXPLAINED[$previous]"
    fi
    E2E_PROBLEMS+=("$problem")
    previous=$tag
  done < <(check_wants "$file")
  WANTS=()
  [[ -n $previous ]] && { explain "$previous" "$file"; unset "UNEXPLAINED[$previous]"; }
  for role in "${!UNEXPLAINED[@]}"; do explain "$role" "$file"; done
  remember_ages "$file"
  for id in "${GONE_IDS[@]}"; do
    left=$(grep -c -F -- "podman://$id" "$file" || true)
    ((left == 0)) || E2E_PROBLEMS+=("$left series of the removed container ${id:0:12} still present")
  done
}

# start_late / remove_late: the changes of the host between rounds (scrape_rounds_with_changes):
# a container, and a pod (its name is read from libpod's database while the exporter runs).
start_late() {
  add_container late none --network none --rm -- sleep 1000
  add_pod "${E2E_PREFIX}latepod" lateinfra
  add_pod_member latea "${E2E_PREFIX}latepod" sleep 1002
  read_podman || fail "${E2E_PROBLEMS[*]}"
}

remove_late() {
  local role kept=()
  podman_ rm -f -t 0 "${NAME[late]}" >/dev/null || fail "podman rm ${NAME[late]} failed"
  podman_ pod rm -f -t 0 "${E2E_PREFIX}latepod" >/dev/null || fail "podman pod rm ${E2E_PREFIX}latepod failed"
  log "removed ${NAME[late]} and the pod ${E2E_PREFIX}latepod"
  GONE_IDS+=("${ID[late]}" "${ID[latea]}" "${ID[lateinfra]}")
  for role in "${ROLES[@]}"; do [[ $role == late* ]] || kept+=("$role"); done
  ROLES=("${kept[@]}")
}

# ---------------------------------------------------------------------------------------------
# setup

# add_container ROLE INIT [podman run options...] -- COMMAND...: run a container named
# $E2E_PREFIX$ROLE and record it.
add_container() {
  local role=$1 init=$2
  shift 2
  podman_run "$E2E_PREFIX$role" "$@"
  NAME[$role]="$E2E_PREFIX$role" ID[$role]=$PODMAN_ID INIT[$role]=$init POD[$role]=""
  ROLES+=("$role")
}

# add_pod POD INFRA_ROLE: create and start the pod POD (no network), its infra container as
# INFRA_ROLE.
add_pod() {
  local pod=$1 role=$2
  podman_pod_create "$pod" --network none
  POD_ID[$pod]=$PODMAN_POD_ID
  NAME[$role]=$(podman_ inspect -f '{{.Name}}' "$PODMAN_INFRA_ID")
  ID[$role]=$PODMAN_INFRA_ID INIT[$role]=catatonit POD[$role]=$pod
  ROLES+=("$role")
}

# add_pod_member ROLE POD COMMAND...: a container in POD.
add_pod_member() {
  local role=$1 pod=$2
  shift 2
  add_container "$role" none --pod "$pod" -- "$@"
  POD[$role]=$pod
}

# zombie_settled: the zombie container shows its zombie and the --init one none (the orphaned
# `sleep 1` has exited in both and catatonit has reaped its own).
zombie_settled() {
  read_proc
  [[ ${PROC[zombie zombie]} == 1 && -z $ZOMBIE_SEEN ]] && ZOMBIE_SEEN=$EPOCHSECONDS
  [[ ${PROC[zombie zombies_pid1]} == 1 && ${PROC[zombie zombie]} == 1 && ${PROC[init zombie]} == 0 ]]
}

# check_setup: the scenarios are what they claim to be (a wrong ground truth would make every
# comparison meaningless).
check_setup() {
  read_proc
  local role kind reference
  # The one pass over /proc counts as lib.sh's host_counts does.
  for role in "${ROLES[@]}"; do
    reference=$(host_counts "${ID[$role]}")
    [[ $reference == "$(counts "$role")" ]] ||
      fail "$role: proc_counts says '$(counts "$role")', host_counts '$reference'"
  done
  [[ ${NS[pidhost pid]} == "${HOST_NS[pid]}" ]] || fail "--pid=host container is not in the host PID namespace"
  count_peers x pid
  ((PEERS == 1 && FOREIGN == 1)) || fail "x does not share its PID namespace with y alone"
  read_status "${PID1[y]}"
  [[ $STATUS_NSINIT == 0 ]] || fail "y's main process is PID 1 of a namespace"
  for role in poda podb infra; do
    [[ ${PODOF[$role]} == "${POD_ID[${POD[$role]}]}" ]] ||
      fail "$role: podman inspect .Pod '${PODOF[$role]}' is not the pod's id"
    for kind in net ipc uts; do
      count_peers "$role" "$kind"
      ((PEERS == 2 && FOREIGN == 0)) || fail "$role does not share its $kind namespace with the 2 others of its pod"
    done
  done
  [[ ${PIDMODE[pidhost]} == host ]] || fail "--pid=host: .HostConfig.PidMode is '${PIDMODE[pidhost]}'"
  [[ $(cat "${CGROUP[lim]}/pids.max" 2>/dev/null) == "$PIDS_LIMIT" ]] ||
    fail "--pids-limit $PIDS_LIMIT: pids.max in '${CGROUP[lim]}' is not $PIDS_LIMIT"
  [[ $(cat "/proc/${PID1[init]}/comm") == podman-init || $(cat "/proc/${PID1[init]}/comm") == catatonit ]] ||
    fail "--init: PID 1 is '$(cat "/proc/${PID1[init]}/comm")', not catatonit"
  log "setup as intended: $(for role in "${ROLES[@]}"; do printf '%s=%s ' "$role" "${PID1[$role]}"; done)"
}

# everything_gone FILE: no series of any container this test created (for expect_eventually).
ALL_IDS=()
everything_gone() {
  local patterns=() id line
  for id in "${ALL_IDS[@]}"; do patterns+=(-e "podman://$id\""); done
  while read -r line; do
    E2E_PROBLEMS+=("series remain after the removal: $line")
  done < <(grep -o -F "${patterns[@]}" "$1" | sort | uniq -c)
}

main() {
  require_root
  podman_init
  trap 'podman_cleanup_all $?; e2e_cleanup' EXIT
  ensure_podman_image
  podman_probe

  local cmd='(sleep 1 &); exec sleep 1000'
  add_container plain none --network none -- sleep 1000
  add_container init catatonit --network none --init -- sh -c "$cmd"
  add_container zombie none --network none -- sh -c "$cmd"
  add_container pidhost none --network none --pid=host -- sleep 1000
  add_container x none --network none -- sleep 1000
  add_container y none --network none "--pid=container:${NAME[x]}" -- sleep 1000
  local pod="${E2E_PREFIX}pod"
  add_pod "$pod" infra
  add_pod_member poda "$pod" sleep 1000
  add_pod_member podb "$pod" sleep 1001
  add_container lim none --network none --pids-limit "$PIDS_LIMIT" -- sleep 1000
  add_container usr1 none --network none --stop-signal SIGUSR1 -- \
    sh -c 'trap "exit 0" USR1; sleep 1000 & wait'
  STOP[usr1]="10 SIGUSR1"
  # Ground truth for the declaration: what `podman stop` will send.
  local declared
  declared=$(podman_ inspect -f '{{.Config.StopSignal}}' "${ID[usr1]}")
  [[ $declared == 10 ]] || fail "podman inspect says StopSignal '$declared' for --stop-signal SIGUSR1"
  E2E_PROBLEMS=()
  read_podman || fail "${E2E_PROBLEMS[*]}"

  wait_until 15 "the orphan to become a zombie (and be reaped under --init)" zombie_settled || {
    dump_container_procs "${ID[zombie]}"
    dump_container_procs "${ID[init]}"
    fail "the zombie / --init containers did not settle"
  }
  check_setup

  # shellcheck disable=SC2119  # no extra flags
  start_exporter
  local started=$SECONDS
  scrape_rounds_with_changes 3 podman_round start_late 3 podman_round remove_late 4 podman_round
  log "10 rounds in $((SECONDS - started)) s"
  # What Podman said before the rounds held through them.
  local before after
  before=$(podman_facts)
  E2E_PROBLEMS=()
  read_podman || fail "${E2E_PROBLEMS[*]}"
  after=$(podman_facts)
  [[ $before == "$after" ]] || soft_fail "podman inspect changed during the rounds: before: $before; after: $after"

  # Tear everything down, then nothing may be left: not in Podman, /proc, the
  # cgroup tree, nor the metrics.
  local role left
  for role in "${ROLES[@]}"; do ALL_IDS+=("${ID[$role]}"); done
  ALL_IDS+=("${GONE_IDS[@]}")
  podman_cleanup_all 0
  left=$(podman_leftovers "${ALL_IDS[@]}" "${POD_ID[@]}")
  [[ -z $left ]] || soft_fail "left behind after removal: $left"
  expect_eventually 15 "no series of the removed containers" "$METRICS" everything_gone ||
    soft_fail "series of removed Podman containers remain"
  finish
}

main
