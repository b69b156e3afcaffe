# Sourced by bench/run for `bench/run --events`: the process events source's CPU per event and
# loss at paced fork rates, next to the scan alone. Uses run's helpers (log, record, free_port,
# start_daemon, stop_pid, forget_pid, wait_http) and its variables (WORK, EXPORTER, NOFILE).
#
# Two cproc_exporters run side by side for the whole phase of each scan interval, started
# together so their scans are in phase: one with --events.source=off (the scan alone), one with
# auto. Each window (idle, then every rate; --repeat times, interleaved) reads both CPU-time
# clocks at the same instant half-way between scans, runs bench/forkgen.c in the container, waits
# for two more scans of the auto one (every event handed over), reads both clocks again. Both see
# the same workload, the same neighbours and the same scrapes, so
#   CPU per event = (CPU auto - CPU off) / events received (cproc_events_received_total).
# Two floors in C listen alongside (bench/evfloor.c): one that makes the exporter's syscalls per
# event (poll, one recvfrom per message) and counts, one that batches (recvmmsg, 10 ms between
# wake-ups): what the reader's syscall pattern costs by itself, and what batching would give.
# Ground truth: forkgen's count of processes made against the container's
# cproc_container_processes_started_total delta (and exit_zero exits: forks + forkgen itself).

EV_CONTAINER_KIND=""   # docker | cgroup
EV_CID=""              # 64-hex container id
EV_DOCKER_NAME=""      # the docker container we started
EV_CGROUPS=()          # bare cgroups we created (fallback)
EV_IDLE_PID=""         # the bare cgroup's idle "init"

ev_cleanup() {  # called from run's cleanup(): only what we started
  if [[ -n $EV_DOCKER_NAME ]]; then
    docker rm -f "$EV_DOCKER_NAME" >/dev/null 2>&1 || echo "bench/run: could not remove container $EV_DOCKER_NAME" >&2
    EV_DOCKER_NAME=""
  fi
  if [[ -n $EV_IDLE_PID ]]; then stop_pid "$EV_IDLE_PID" 5; EV_IDLE_PID=""; fi
  local dir i
  for dir in "${EV_CGROUPS[@]}"; do
    for ((i = 0; i < 50; i++)); do [[ -d $dir ]] || break; rmdir "$dir" 2>/dev/null || sleep 0.1; done
    [[ -d $dir ]] && echo "bench/run: could not remove $dir" >&2
  done
  EV_CGROUPS=()
}

ev_setup_container() {
  cc -O2 -static -Wall -o "$WORK/forkgen" "$BENCH_DIR/forkgen.c"
  cc -O2 -Wall -o "$WORK/evfloor" "$BENCH_DIR/evfloor.c"
  if [[ $EV_KIND != cgroup ]] && docker info >/dev/null 2>&1; then
    local image=""
    for candidate in debian:bookworm-slim debian:bookworm busybox:latest; do
      docker image inspect "$candidate" >/dev/null 2>&1 && { image=$candidate; break; }
    done
    [[ -n $image ]] || image=$(docker image ls --format '{{.Repository}}:{{.Tag}}' | grep -v '<none>' | head -1)
    [[ -n $image ]] || { echo "bench/run: docker has no local image to run forkgen in" >&2; exit 1; }
    EV_DOCKER_NAME=cproc-bench-events-$$
    # forkgen is static: any image's rootfs will do; it is PID 1 and sleeps (bounded: 2 h).
    EV_CID=$(docker run -d --pull=never --name "$EV_DOCKER_NAME" --network none \
      -v "$WORK/forkgen:/forkgen:ro" "$image" /forkgen idle --max-seconds 7200)
    EV_CONTAINER_KIND=docker
    log "docker container $EV_DOCKER_NAME (${EV_CID:0:12}, image $image) runs the fork generator"
  else
    # No dockerd (or --events-container cgroup): Docker's cgroupfs layout by hand, as workload.c.
    EV_CID=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
    local roots=()
    if [[ -f /sys/fs/cgroup/cgroup.controllers ]]; then
      roots=(/sys/fs/cgroup)
    else
      for h in /sys/fs/cgroup/unified /sys/fs/cgroup/pids /sys/fs/cgroup/systemd; do
        [[ -d $h && -w $h ]] && roots+=("$h")
      done
    fi
    ((${#roots[@]})) || { echo "bench/run: no writable cgroup hierarchy" >&2; exit 1; }
    local r
    for r in "${roots[@]}"; do
      [[ -d $r/docker ]] || { mkdir "$r/docker"; EV_CGROUPS=("$r/docker" "${EV_CGROUPS[@]}"); }
      mkdir "$r/docker/$EV_CID"
      EV_CGROUPS=("$r/docker/$EV_CID" "${EV_CGROUPS[@]}")
    done
    "$BASH" -c 'for c in "$@"; do echo $$ >"$c/cgroup.procs"; done; exec '"$WORK/forkgen"' idle --max-seconds 7200' \
      _ "${EV_CGROUPS[@]:0:${#roots[@]}}" &
    EV_IDLE_PID=$!
    EV_CONTAINER_KIND=cgroup
    log "bare cgroup docker/${EV_CID:0:12} in ${roots[*]} runs the fork generator"
  fi
}

ev_forkgen() {  # ev_forkgen ARGS...: forkgen run inside the container, prints its result line
  if [[ $EV_CONTAINER_KIND == docker ]]; then
    docker exec "$EV_DOCKER_NAME" /forkgen run "$@"
  else
    local procs=() c
    for c in "${EV_CGROUPS[@]}"; do [[ $c == */docker/$EV_CID ]] && procs+=("$c/cgroup.procs"); done
    "$BASH" -c 'f=$1; shift; for p in $f; do echo $$ >"$p"; done; exec '"$WORK/forkgen"' run "$@"' \
      _ "${procs[*]}" "$@"
  fi
}

ev_values() {  # ev_values PORT: the figures of one scrape as key=value
  curl -s --max-time 10 "http://127.0.0.1:$1/metrics" | awk -v cid="$EV_CID" '
    $1 == "cproc_events_received_total" {r = $2}
    index($0, "cproc_events_lost_total{") == 1 && /reason="overrun"/ {o = $NF}
    index($0, "cproc_events_lost_total{") == 1 && /reason="sequence_gap"/ {g = $NF}
    index($0, "cproc_container_processes_started_total{") == 1 && index($0, cid) {s = $NF}
    index($0, "cproc_container_processes_exited_total{") == 1 && index($0, cid) && /outcome="exit_zero"/ {e = $NF}
    $1 == "cproc_scans_total" {n = $2}
    $1 == "cproc_scan_cpu_seconds_total" {c = $2}
    $1 == "cproc_scan_timestamp_seconds" {t = $2}
    $1 == "cproc_events_source_active" {a = $2}
    END {printf "received=%d overrun=%d seqgap=%d started=%d exited0=%d scans=%d scan_cpu=%.6f ts=%s active=%s\n",
                r, o, g, s, e, n, c, t, a}' || true
}

ev_floor_values() {  # ev_floor_values: "fpe_events=.. fpe_overruns=.. fb_events=.. fb_overruns=.."
  kill -USR1 "$EV_FPE_PID" "$EV_FB_PID" 2>/dev/null || true
  sleep 0.2
  local a b
  a=$(cat "$WORK/evfloor-per-event.state" 2>/dev/null || true); b=$(cat "$WORK/evfloor-batched.state" 2>/dev/null || true)
  echo "fpe_events=$(ev_get events "$a") fpe_overruns=$(ev_get overruns "$a") fpe_wakeups=$(ev_get wakeups "$a") fb_events=$(ev_get events "$b") fb_overruns=$(ev_get overruns "$b") fb_wakeups=$(ev_get wakeups "$b")"
}

ev_get() { sed -n "s/.*\\b$1=\\([^ ]*\\).*/\\1/p" <<<"$2"; }

# Until the auto exporter finishes a scan after now; every poll scrapes both exporters, so the
# polling costs them alike (it cancels in the difference). Then half-way to the next scans.
ev_sync() {  # ev_sync INTERVAL OFF_PORT AUTO_PORT
  local interval=$1 off=$2 auto=$3 ts0 ts i
  ts0=$(curl -s --max-time 10 "http://127.0.0.1:$auto/metrics" | awk '$1 == "cproc_scan_timestamp_seconds" {print $2}' || true)
  for ((i = 0; i < 400; i++)); do
    sleep 0.1
    ts=$(curl -s --max-time 10 -o /dev/null "http://127.0.0.1:$off/metrics" "http://127.0.0.1:$auto/metrics" |
      awk '$1 == "cproc_scan_timestamp_seconds" {print $2}' || true)
    [[ -n $ts && $ts != "$ts0" ]] && break
  done
  sleep "$(awk -v i="$interval" 'BEGIN {print i * 0.4}')"
}

ev_window() {  # ev_window INTERVAL RATE REP OFF_PID OFF_PORT AUTO_PID AUTO_PORT [forkgen args]
  local interval=$1 rate=$2 rep=$3 off_pid=$4 off_port=$5 auto_pid=$6 auto_port=$7
  shift 7
  ev_sync "$interval" "$off_port" "$auto_port"
  local cpu0 a0 o0 t0 cpu1 a1 o1 t1 out="" forks=0 achieved=0 wall_gen=0
  a0=$(ev_values "$auto_port"); o0=$(ev_values "$off_port")
  local f0 f1
  f0=$(ev_floor_values)
  cpu0=$("$WORK/forkgen" cputime "$off_pid" "$auto_pid" "$EV_FPE_PID" "$EV_FB_PID")
  t0=$(date +%s.%N)
  if [[ $rate == idle ]]; then
    sleep "$EV_SECONDS"
  else
    local gen_rate=$rate
    [[ $rate == max ]] && gen_rate=0
    out=$(ev_forkgen --rate "$gen_rate" --seconds "$EV_SECONDS" "$@")
    forks=$(ev_get forks "$out"); achieved=$(ev_get achieved_rate "$out"); wall_gen=$(ev_get seconds "$out")
  fi
  ev_sync "$interval" "$off_port" "$auto_port"
  ev_sync "$interval" "$off_port" "$auto_port"
  cpu1=$("$WORK/forkgen" cputime "$off_pid" "$auto_pid" "$EV_FPE_PID" "$EV_FB_PID")
  t1=$(date +%s.%N)
  a1=$(ev_values "$auto_port"); o1=$(ev_values "$off_port")
  f1=$(ev_floor_values)
  d() { awk -v a="$(ev_get "$1" "$2")" -v b="$(ev_get "$1" "$3")" 'BEGIN {printf "%.6f", b - a}'; }
  record "events interval=$interval rate=$rate rep=$rep buffer=${EV_BUFFER:-default} spawn=$EV_SPAWN" \
    "wall_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", b - a}') gen_s=$wall_gen forks=$forks achieved_rate=$achieved" \
    "cpu_off_ns=$(($(cut -d' ' -f1 <<<"$cpu1") - $(cut -d' ' -f1 <<<"$cpu0")))" \
    "cpu_auto_ns=$(($(cut -d' ' -f2 <<<"$cpu1") - $(cut -d' ' -f2 <<<"$cpu0")))" \
    "scans_off=$(d scans "$o0" "$o1" | cut -d. -f1) scans_auto=$(d scans "$a0" "$a1" | cut -d. -f1)" \
    "scan_cpu_off=$(d scan_cpu "$o0" "$o1") scan_cpu_auto=$(d scan_cpu "$a0" "$a1")" \
    "received=$(d received "$a0" "$a1" | cut -d. -f1) overrun=$(d overrun "$a0" "$a1" | cut -d. -f1)" \
    "seqgap=$(d seqgap "$a0" "$a1" | cut -d. -f1) started=$(d started "$a0" "$a1" | cut -d. -f1)" \
    "exited0=$(d exited0 "$a0" "$a1" | cut -d. -f1)" \
    "cpu_fpe_ns=$(($(cut -d' ' -f3 <<<"$cpu1") - $(cut -d' ' -f3 <<<"$cpu0"))) cpu_fb_ns=$(($(cut -d' ' -f4 <<<"$cpu1") - $(cut -d' ' -f4 <<<"$cpu0")))" \
    "fpe_events=$(d fpe_events "$f0" "$f1" | cut -d. -f1) fpe_overruns=$(d fpe_overruns "$f0" "$f1" | cut -d. -f1) fpe_wakeups=$(d fpe_wakeups "$f0" "$f1" | cut -d. -f1)" \
    "fb_events=$(d fb_events "$f0" "$f1" | cut -d. -f1) fb_overruns=$(d fb_overruns "$f0" "$f1" | cut -d. -f1) fb_wakeups=$(d fb_wakeups "$f0" "$f1" | cut -d. -f1)" \
    "processes=$(awk '$1 == "cproc_scan_processes" {print $2}' < <(curl -s "http://127.0.0.1:$auto_port/metrics"))"
  log "  $rate/s rep $rep: ${out:-idle}; $(tail -1 "$RESULTS" | grep -o 'cpu_off_ns=[0-9-]* cpu_auto_ns=[0-9-]*\|received=[0-9-]* overrun=[0-9-]* seqgap=[0-9-]* started=[0-9-]*' | tr '\n' ' ' || true)"
}

ev_start_pair() {  # ev_start_pair INTERVAL: both exporters, started together; sets EV_OFF_*/EV_AUTO_*
  local interval=$1 bflag=()
  [[ -n $EV_BUFFER ]] && bflag=(--events.buffer-bytes="$EV_BUFFER")
  EV_OFF_PORT=$(free_port); EV_AUTO_PORT=$(free_port)
  start_daemon "$WORK/cproc-events-off-$interval.log" "$EXPORTER" --web.listen-address=127.0.0.1:"$EV_OFF_PORT" \
    --scan.interval="${interval}s" --log.level=warn --events.source=off
  EV_OFF_PID=$DAEMON_PID
  start_daemon "$WORK/cproc-events-auto-$interval.log" "$EXPORTER" --web.listen-address=127.0.0.1:"$EV_AUTO_PORT" \
    --scan.interval="${interval}s" --log.level=warn --events.source=auto "${bflag[@]}"
  EV_AUTO_PID=$DAEMON_PID
  # The floors (bench/evfloor.c) listen alongside, with the same buffer.
  start_daemon "$WORK/evfloor-per-event.log" "$WORK/evfloor" per-event "$WORK/evfloor-per-event.state" "${EV_BUFFER:-1048576}"
  EV_FPE_PID=$DAEMON_PID
  start_daemon "$WORK/evfloor-batched.log" "$WORK/evfloor" batched "$WORK/evfloor-batched.state" "${EV_BUFFER:-1048576}" 10
  EV_FB_PID=$DAEMON_PID
  wait_http "$EV_OFF_PORT" 30; wait_http "$EV_AUTO_PORT" 30
  local i
  for ((i = 0; i < 3; i++)); do ev_sync "$interval" "$EV_OFF_PORT" "$EV_AUTO_PORT"; done  # warm-up
  local a o
  a=$(ev_values "$EV_AUTO_PORT"); o=$(ev_values "$EV_OFF_PORT")
  if [[ $(ev_get active "$a") != 1 ]]; then
    cat "$WORK/cproc-events-auto-$interval.log" >&2
    echo "bench/run: the events source is not active (cproc_events_source_active $(ev_get active "$a")); see the log above" >&2
    exit 1
  fi
  record "events_pair interval=$interval phase_ms=$(awk -v a="$(ev_get ts "$a")" -v b="$(ev_get ts "$o")" 'BEGIN {d = (a - b) * 1000; if (d < 0) d = -d; printf "%.0f", d}')"
}

ev_stop_pair() {
  record "rss events interval=$1 off_vmhwm_kb=$(vmhwm_kb "$EV_OFF_PID") auto_vmhwm_kb=$(vmhwm_kb "$EV_AUTO_PID") auto_log_warnings=$(grep -c . "$WORK/cproc-events-auto-$1.log" || true)"
  stop_pid "$EV_OFF_PID" 5; forget_pid "$EV_OFF_PID"
  stop_pid "$EV_AUTO_PID" 5; forget_pid "$EV_AUTO_PID"
  stop_pid "$EV_FPE_PID" 5; forget_pid "$EV_FPE_PID"
  stop_pid "$EV_FB_PID" 5; forget_pid "$EV_FB_PID"
}

run_events() {
  ev_setup_container
  local spawn_args=(--workers "$EV_WORKERS")
  [[ $EV_SPAWN == vfork ]] && spawn_args+=(--vfork)
  record "events_config rates=$EV_RATES intervals=$EV_INTERVALS seconds=$EV_SECONDS repeat=$REPEAT spawn=$EV_SPAWN workers=$EV_WORKERS buffer=${EV_BUFFER:-default} container=$EV_CONTAINER_KIND perf=$EV_PERF"
  # What plain fork() reaches here, unpaced, for the report (fork is what real workloads do).
  local probe
  probe=$(ev_forkgen --rate 0 --seconds 2)
  record "events_fork_probe spawn=fork $probe"
  probe=$(ev_forkgen --rate 0 --seconds 2 --vfork)
  record "events_fork_probe spawn=vfork $probe"
  local interval rep rate
  for interval in ${EV_INTERVALS//,/ }; do
    log "=== scan interval ${interval}s: --events.source=off and auto side by side"
    ev_start_pair "$interval"
    for ((rep = 1; rep <= REPEAT; rep++)); do
      for rate in idle ${EV_RATES//,/ }; do
        ev_window "$interval" "$rate" "$rep" "$EV_OFF_PID" "$EV_OFF_PORT" "$EV_AUTO_PID" "$EV_AUTO_PORT" "${spawn_args[@]}"
      done
    done
    if [[ $EV_MAX -eq 1 ]]; then
      log "unpaced (as fast as forkgen can, 2 workers): where loss begins"
      local max_args=(--workers 2)
      [[ $EV_SPAWN == vfork ]] && max_args+=(--vfork)
      ev_window "$interval" max 1 "$EV_OFF_PID" "$EV_OFF_PORT" "$EV_AUTO_PID" "$EV_AUTO_PORT" "${max_args[@]}"
    fi
    if [[ $EV_PERF -eq 1 && $interval == "${EV_INTERVALS%%,*}" ]] && command -v perf >/dev/null; then
      local top=${EV_RATES##*,}
      log "perf record of the auto exporter at $top/s (not a measured window)"
      perf record -q -g -p "$EV_AUTO_PID" -o "$WORK/perf-events.data" -- sleep "$EV_SECONDS" >/dev/null 2>&1 &
      local perf_pid=$!
      ev_forkgen --rate "$top" --seconds "$EV_SECONDS" "${spawn_args[@]}" >/dev/null
      wait "$perf_pid" || true
      perf report -i "$WORK/perf-events.data" --no-children --sort sym --stdio --percent-limit 1 -g none 2>/dev/null |
        grep '%' >"$WORK/perf-events.txt" || true
      perf report -i "$WORK/perf-events.data" --no-children --sort comm --stdio -g none 2>/dev/null |
        grep '%' >"$WORK/perf-events-threads.txt" || true
      # Raw lines (C++ names have spaces): "perf_sym 12.34% [k] name", report.py reads them as is.
      head -25 "$WORK/perf-events.txt" | sed 's/^ */perf_sym /' >>"$RESULTS"
      sed 's/^ */perf_thread /' "$WORK/perf-events-threads.txt" >>"$RESULTS"
    fi
    ev_stop_pair "$interval"
  done
  ev_cleanup
}
