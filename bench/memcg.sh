# shellcheck shell=bash
# Memory cgroups for bench/run (sourced): each measured daemon or floor runs alone in its own
# memory cgroup, so that what the kernel charges to it is seen, not only its RSS. Reading
# /proc leaves dentries and proc inodes behind, and every descriptor kept open pins its file,
# a seq_file page and those dentries: kernel memory, charged to the reader's memory cgroup
# (docs/PERFORMANCE.md "Kernel memory"). A DaemonSet's or a unit's memory limit applies to all
# of it.
#
# Works on cgroup v1 (the memory hierarchy) and v2 (a hierarchy with the memory controller).
# MEMCG_KIND is "v1", "v2" or "" when neither is writable (the report then says so).

MEMCG_KIND=""
MEMCG_PARENT=""

memcg_init() {  # memcg_init TAG: makes the parent cgroup of this run
  local v2root=""
  if [[ -f /sys/fs/cgroup/cgroup.controllers ]] && grep -qw memory /sys/fs/cgroup/cgroup.controllers; then
    v2root=/sys/fs/cgroup
  elif [[ -f /sys/fs/cgroup/unified/cgroup.controllers ]] &&
    grep -qw memory /sys/fs/cgroup/unified/cgroup.controllers; then
    v2root=/sys/fs/cgroup/unified
  fi
  if [[ -n $v2root ]]; then
    MEMCG_PARENT=$v2root/cproc-bench-$1
    mkdir -p "$MEMCG_PARENT" 2>/dev/null && echo +memory >"$MEMCG_PARENT/cgroup.subtree_control" 2>/dev/null &&
      MEMCG_KIND=v2
  elif [[ -f /sys/fs/cgroup/memory/memory.usage_in_bytes ]]; then
    MEMCG_PARENT=/sys/fs/cgroup/memory/cproc-bench-$1
    mkdir -p "$MEMCG_PARENT" 2>/dev/null && MEMCG_KIND=v1
  fi
  [[ -n $MEMCG_KIND ]] || MEMCG_PARENT=""
}

memcg_new() {  # memcg_new NAME: prints the path of a new, empty memory cgroup (or nothing)
  [[ -n $MEMCG_KIND ]] || return 0
  local path=$MEMCG_PARENT/$1
  rmdir "$path" 2>/dev/null || true
  mkdir "$path" && echo "$path"
}

# memcg_exec PATH CMD...: exec CMD inside PATH (a plain exec when PATH is empty). Call it in
# a subshell: ( memcg_exec "$cg" cmd args ) &
memcg_exec() {
  local path=$1
  shift
  [[ -z $path ]] || echo "$BASHPID" >"$path/cgroup.procs"
  exec "$@"
}

memcg_kb() {  # memcg_kb PATH FILE: a byte counter in KiB
  echo $(($(cat "$1/$2") / 1024))
}

# memcg_stats PATH: key=value of what the kernel charged: the peak of all of it, the peak of
# its kernel part (v1 only: v2 has no kernel peak), the current usage and the times a limit
# was hit.
memcg_stats() {
  local path=$1
  [[ -n $path && -d $path ]] || { echo "memcg=none"; return 0; }
  if [[ $MEMCG_KIND == v1 ]]; then
    echo "memcg=v1 memcg_peak_kb=$(memcg_kb "$path" memory.max_usage_in_bytes)" \
      "memcg_kernel_peak_kb=$(memcg_kb "$path" memory.kmem.max_usage_in_bytes)" \
      "memcg_now_kb=$(memcg_kb "$path" memory.usage_in_bytes)" \
      "memcg_kernel_now_kb=$(memcg_kb "$path" memory.kmem.usage_in_bytes)" \
      "memcg_limit_hits=$(cat "$path/memory.failcnt")"
  else
    local peak=0
    [[ -f $path/memory.peak ]] && peak=$(memcg_kb "$path" memory.peak)
    echo "memcg=v2 memcg_peak_kb=$peak memcg_now_kb=$(memcg_kb "$path" memory.current)" \
      "memcg_kernel_now_kb=$(awk '$1 == "kernel" {print int($2 / 1024)}' "$path/memory.stat")" \
      "memcg_limit_hits=$(awk '$1 == "max" {print $2}' "$path/memory.events")"
  fi
}

# memcg_reclaim PATH: asks the kernel to reclaim all it can from PATH (the caches of /proc
# lookups are reclaimable; kept descriptors and the process's own memory are not), then prints
# what stays: memcg_pinned_kb and, on v1, memcg_kernel_pinned_kb.
memcg_reclaim() {
  local path=$1
  [[ -n $path && -d $path ]] || return 0
  if [[ $MEMCG_KIND == v1 ]]; then
    echo 0 >"$path/memory.force_empty" 2>/dev/null || true
    echo "memcg_pinned_kb=$(memcg_kb "$path" memory.usage_in_bytes)" \
      "memcg_kernel_pinned_kb=$(memcg_kb "$path" memory.kmem.usage_in_bytes)"
  else
    echo 1G >"$path/memory.reclaim" 2>/dev/null || true
    echo "memcg_pinned_kb=$(memcg_kb "$path" memory.current)"
  fi
}

# memcg_limit PATH BYTES: sets a hard limit (what a DaemonSet's limits.memory sets) and zeroes
# the hit counter where it can (v1). Fails when the kernel cannot reclaim below it.
memcg_limit() {
  local path=$1 bytes=$2
  [[ -n $path && -d $path ]] || return 1
  if [[ $MEMCG_KIND == v1 ]]; then
    echo "$bytes" >"$path/memory.limit_in_bytes" 2>/dev/null || return 1
    echo 0 >"$path/memory.failcnt"
  else
    echo "$bytes" >"$path/memory.max" 2>/dev/null || return 1
  fi
}

memcg_limit_hits() {  # memcg_limit_hits PATH
  if [[ $MEMCG_KIND == v1 ]]; then
    cat "$1/memory.failcnt"
  else
    awk '$1 == "max" {print $2}' "$1/memory.events"
  fi
}

memcg_remove() {  # memcg_remove PATH: after its processes are gone (bounded wait)
  local path=$1 i
  [[ -n $path && -d $path ]] || return 0
  for ((i = 0; i < 50; i++)); do
    rmdir "$path" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "bench/run: could not remove $path" >&2
}

memcg_cleanup() {  # every cgroup this run made (their processes are stopped first)
  [[ -n $MEMCG_PARENT && -d $MEMCG_PARENT ]] || return 0
  local child
  for child in "$MEMCG_PARENT"/*/; do
    [[ -d $child ]] && memcg_remove "${child%/}"
  done
  memcg_remove "$MEMCG_PARENT"
}
