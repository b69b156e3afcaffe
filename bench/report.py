#!/usr/bin/env python3
"""Turns bench/run's raw key=value results into the markdown report (stdout)."""
import statistics
import sys
from collections import defaultdict


def parse(path):
    rows = []
    for line in open(path):
        parts = line.split()
        if not parts:
            continue
        row = {"kind": parts[0]}
        rest = parts[1:]
        if parts[0] == "rss" and rest:
            row["tool"] = rest[0]
            rest = rest[1:]
        for item in rest:
            if "=" in item:
                key, value = item.split("=", 1)
                row[key] = value
        rows.append(row)
    return rows


def num(value, default=None):
    try:
        return float(value)
    except (TypeError, ValueError):
        return default


def med(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def fmt(value, digits=1):
    if value is None:
        return "–"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.{digits}f}"


TOOLS = [
    ("cproc", "cproc_exporter (scan + render)"),
    ("cproc_baseline", "cproc_exporter baseline (`--baseline`, same run)"),
    ("smart_floor", "smart floor (stat pread, cgroup+ns cached per (pid, starttime) forever)"),
    ("smart_floor_budget", "smart floor within the exporter's kept-descriptor budget (the rest opened each scan)"),
    ("smart_floor_tiers", "smart floor, re-reading in the exporter's tiers (cgroup+mnt every N scans, all ns every 4N)"),
    ("naive_floor", "naive floor (open/read/close stat+cgroup, 8 ns readlinks)"),
    ("node_exporter", "node_exporter, processes collector only"),
    ("process_exporter", "process-exporter, `{{.Comm}}` for all"),
]
RSS_KEY = {"cproc": "cproc", "cproc_baseline": "cproc_baseline", "node_exporter": "node_exporter", "process_exporter": "process_exporter"}


def mib(kb):
    v = num(kb)
    return v / 1024 if v is not None else None


def memory_table(w, tools, extra, config, stats):
    """What each tool's memory cgroup was charged: RSS plus the kernel's caches of /proc."""
    rows = [("cproc_exporter", extra.get("rss_cproc")),
            ("cproc_exporter baseline", extra.get("rss_cproc_baseline"))]
    for tool, title in (("smart_floor", "smart floor"), ("smart_floor_budget", "smart floor in budget"),
                        ("naive_floor", "naive floor")):
        runs = tools.get(tool) or []
        if runs:
            rows.append((title, runs[-1]))
    rows = [(t, r) for t, r in rows if r and r.get("memcg") not in (None, "none")]
    if not rows:
        return
    w(f"Memory cgroup of each tool (cgroup {rows[0][1].get('memcg')}; dentries dropped before "
      f"each starts, so each pays for its own /proc lookups), MiB:")
    w("")
    w("| | peak, all | peak, kernel part | pinned (left after the kernel reclaimed what it could) "
      "| kernel part of pinned | kept descriptors |")
    w("|---|---:|---:|---:|---:|---:|")
    for title, r in rows:
        kept = r.get("kept_descriptors", r.get("kept_fds"))
        w(f"| {title} | {fmt(mib(r.get('memcg_peak_kb')))} | {fmt(mib(r.get('memcg_kernel_peak_kb')))} "
          f"| {fmt(mib(r.get('memcg_pinned_kb')))} | {fmt(mib(r.get('memcg_kernel_pinned_kb')))} "
          f"| {kept if kept is not None else '–'} |")
    w("")
    cp = extra.get("rss_cproc") or {}
    stats["memcg_peak"] = mib(cp.get("memcg_peak_kb"))
    stats["memcg_pinned"] = mib(cp.get("memcg_pinned_kb"))
    ml = extra.get("memlimit")
    if ml:
        if ml.get("set") == "1":
            w(f"Under a {ml.get('limit_mib')} MiB limit (the DaemonSet's) for {ml.get('scans')} scans: "
              f"limit hit {ml.get('limit_hits')} times (the kernel reclaimed /proc's caches to stay "
              f"under it), scan wall median {ml.get('wall_ms')} ms, max {ml.get('wall_max_ms')} ms, "
              f"{'still running' if ml.get('alive') == '1' else '**killed**'}.")
            stats["limit_hits"] = num(ml.get("limit_hits"))
            stats["limit_alive"] = ml.get("alive") == "1"
        else:
            w(f"A {ml.get('limit_mib')} MiB limit could not be set: the kernel could not reclaim "
              f"below it (pinned memory above the limit).")
            stats["limit_hits"] = None
            stats["limit_alive"] = False
        w("")


def lifecycle_report(w, rows):
    life = {r.get("phase"): r for r in rows if r["kind"] == "lifecycle"}
    skipped = [r for r in rows if r["kind"] == "skipped"]
    for r in skipped:
        what = f"{int(r['size']):,} processes" if "size" in r else "the lifecycle phase"
        w(f"Skipped {what}: about {r.get('need_mib')} MiB needed, {r.get('available_mib')} MiB available.")
        w("")
    if not life:
        return {}
    w("### One exporter through a host's life (lifecycle phase)")
    w("")
    w("10,000 processes in 100 containers; a burst of 20,000 processes created in one container "
      "within seconds; growth to the largest size; back to 10,000. Memory at each point (the "
      "memory cgroup after the kernel reclaimed what it could):")
    w("")
    w("| point | processes | RSS MiB | peak RSS MiB | memcg pinned MiB | kernel part MiB | kept descriptors |")
    w("|---|---:|---:|---:|---:|---:|---:|")
    for phase in ("start", "burst", "grown", "after"):
        r = life.get(phase)
        if r:
            w(f"| {phase} | {r.get('processes')} | {fmt(mib(r.get('rss_kb')))} | {fmt(mib(r.get('vmhwm_kb')))} "
              f"| {fmt(mib(r.get('memcg_pinned_kb')))} | {fmt(mib(r.get('memcg_kernel_pinned_kb')))} "
              f"| {r.get('kept_descriptors')} |")
    w("")
    b = next((r for r in rows if r["kind"] == "lifecycle" and r.get("phase") == "burst" and "max_gap_s" in r), None)
    if b:
        w(f"The burst: 20,000 processes made in {b.get('created_s')} s; over {b.get('scans')} scans "
          f"while it was made and 10 s after, the longest gap between two scans was "
          f"{b.get('max_gap_s')} s and the longest scan {b.get('max_scan_s')} s; the worst gap beyond "
          f"the interval ({b.get('interval_s')} s) plus that scan's own length: {b.get('worst_over_s')} s.")
        w("")
    return {"life": life, "burst": b}


def scale_targets(w, summary, life):
    """The scale targets: every size with 100 processes per container, and the lifecycle."""
    sizes = sorted(k for k in summary if k[1] * 100 == k[0] and k[0] >= 10000)
    if not sizes:
        return
    checks = []

    def add(name, value, ok):
        checks.append((name, value, "met" if ok else "**not met**"))

    for k in sizes:
        s, c = summary[k], summary[k].get("cproc", {})
        n = f"{k[0]:,}"
        if c.get("ratio_budget") is not None:
            add(f"{n}: CPU per scan ≤ 1.25 × the floor in the same kernel-memory budget",
                f"{c['ratio_budget']:.2f}× ({c['ratio']:.2f}× the smart floor that keeps every descriptor)",
                c["ratio_budget"] <= 1.25)
        if s.get("p99_gzip") is not None:
            add(f"{n}: scrape p99 < 5 ms, 10 gzip scrapers", f"{s['p99_gzip']:.2f} ms", s["p99_gzip"] < 5)
        if k[0] >= 100000:
            if s.get("wall_max") is not None:
                add(f"{n}: one scan under 1 s wall", f"max {s['wall_max']:.0f} ms", s["wall_max"] < 1000)
            if c.get("rss") is not None:
                add(f"{n}: peak RSS under 64 MB", f"{c['rss'] * 1.048576:.1f} MB", c["rss"] * 1.048576 < 64)
            if s.get("memcg_peak") is not None:
                add(f"{n}: memory cgroup under 128 MiB with no limit hit",
                    f"peak {s['memcg_peak']:.0f} MiB unlimited, {s['memcg_pinned'] or 0:.0f} MiB pinned; "
                    f"under 128 MiB: {s.get('limit_hits')} limit hits",
                    s["memcg_peak"] < 128 and not s.get("limit_hits"))
    lf = life.get("life", {}) if life else {}
    if "start" in lf and "after" in lf:
        a, b = num(lf["start"].get("rss_kb")), num(lf["after"].get("rss_kb"))
        pa, pb = num(lf["start"].get("memcg_pinned_kb")), num(lf["after"].get("memcg_pinned_kb"))
        ok = a and b and b <= a * 1.25 and (pa is None or pb is None or pb <= pa * 1.25)
        add("memory back to its 10,000-process level after the processes go (within 25%)",
            f"RSS {fmt(mib(a))} → {fmt(mib(b))} MiB, pinned {fmt(mib(pa))} → {fmt(mib(pb))} MiB", ok)
    burst = life.get("burst") if life else None
    if burst:
        over = num(burst.get("worst_over_s"))
        add("20,000-process burst in one container: no scan later than the interval plus its own length",
            f"worst {over:+.3f} s", over is not None and over <= 0.1)
    targets_table(w, "Scale targets (same run)", checks)


def targets_table(w, title, checks):
    """checks: (target, measured, verdict) rows."""
    w(f"### {title}")
    w("")
    w("| target | measured | |")
    w("|---|---|---|")
    for name, value, verdict in checks:
        w(f"| {name} | {value} | {verdict} |")
    w("")


def spread(values, digits=1):
    """median [min–max] of the values present."""
    values = [v for v in values if v is not None]
    if not values:
        return "–"
    m = fmt(statistics.median(values), digits)
    if len(values) == 1:
        return m
    return f"{m} [{fmt(min(values), digits)}–{fmt(max(values), digits)}]"


def events_windows(rows):
    """Per window of bench/events.sh: the derived figures (also the JSON)."""
    out = []
    for r in rows:
        if r["kind"] != "events":
            continue
        wall = num(r.get("wall_s"))
        received = num(r.get("received"), 0)
        cpu_off, cpu_auto = num(r.get("cpu_off_ns")), num(r.get("cpu_auto_ns"))
        scans_off, scans_auto = num(r.get("scans_off")), num(r.get("scans_auto"))
        forks = num(r.get("forks"), 0)
        started = num(r.get("started"), 0)
        exited0 = num(r.get("exited0"), 0)
        lost = num(r.get("overrun"), 0) + num(r.get("seqgap"), 0)
        paced = r.get("rate") != "idle"
        d = {
            "interval_s": num(r.get("interval")), "rate": r.get("rate"), "rep": int(r.get("rep", 0)),
            "buffer": r.get("buffer"), "spawn": r.get("spawn"), "wall_s": wall,
            "forks": int(forks), "achieved_rate": num(r.get("achieved_rate")) if paced else 0.0,
            "gen_s": num(r.get("gen_s"), 0),
            "events": int(received),
            # over the seconds of forking (the window's idle tail adds a few background events)
            "events_per_s": received / (num(r.get("gen_s")) if paced and num(r.get("gen_s")) else wall) if wall else None,
            "cpu_off_ms": cpu_off / 1e6, "cpu_auto_ms": cpu_auto / 1e6,
            "scans_off": scans_off, "scans_auto": scans_auto,
            "scan_ms_off": cpu_off / 1e6 / scans_off if scans_off else None,
            "scan_thread_ms_off": num(r.get("scan_cpu_off"), 0) * 1e3,
            "scan_thread_ms_auto": num(r.get("scan_cpu_auto"), 0) * 1e3,
            "cpu_diff_ms": (cpu_auto - cpu_off) / 1e6,
            "us_per_event": (cpu_auto - cpu_off) / 1e3 / received if received else None,
            "lost_overrun": int(num(r.get("overrun"), 0)), "lost_sequence": int(num(r.get("seqgap"), 0)),
            "lost": int(lost),
            "started": int(started), "started_error": int(started - forks) if paced else None,
            # every child and worker exits 0, and so does forkgen itself
            "exited_zero": int(exited0), "exited_error": int(exited0 - forks - 1) if paced else None,
        }
        for f in ("fpe", "fb"):
            ev, cpu = num(r.get(f"{f}_events"), 0), num(r.get(f"cpu_{f}_ns"))
            d[f"floor_{f}_us_per_event"] = cpu / 1e3 / ev if ev and cpu is not None else None
            d[f"floor_{f}_events"] = int(ev)
            d[f"floor_{f}_overruns"] = int(num(r.get(f"{f}_overruns"), 0))
            d[f"floor_{f}_wakeups"] = int(num(r.get(f"{f}_wakeups"), 0))
        # The part of the difference that is not the scan thread's: the reader thread's.
        d["reader_ms"] = d["cpu_diff_ms"] - (d["scan_thread_ms_auto"] - d["scan_thread_ms_off"])
        out.append(d)
    return out


def events_report(rows):
    machine = next((r for r in rows if r["kind"] == "machine"), {})
    config = next((r for r in rows if r["kind"] == "events_config"), {})
    done = next((r for r in rows if r["kind"] == "done"), {})
    windows = events_windows(rows)
    out = []
    w = out.append
    w(f"Machine: {machine.get('nproc')} CPUs, {machine.get('mem_gb')} GiB, kernel "
      f"{machine.get('kernel')}; {machine.get('date')}; cproc_exporter built from revision "
      f"{machine.get('revision')} ({machine.get('dirty_files')} uncommitted files now in "
      f"collectors/ exporter/ cmd/); load average {machine.get('loadavg_start')} at start, "
      f"{done.get('loadavg_end')} at end; run took {done.get('seconds')} s.")
    w(f"Settings: {config.get('repeat')} repeats (median [min–max]), windows of "
      f"{config.get('seconds')} s of forking + 2 scans, scan intervals {config.get('intervals')} s, "
      f"forkgen in a {config.get('container')} container, spawn={config.get('spawn')}, "
      f"workers={config.get('workers')}, --events.buffer-bytes {config.get('buffer')}.")
    for r in rows:
        if r["kind"] == "events_fork_probe":
            w(f"Unpaced probe, {r.get('spawn')}: {r.get('achieved_rate')} processes/s "
              f"({r.get('forks')} in {r.get('seconds')} s).")
    phases = [f"{r.get('interval')} s: {r.get('phase_ms')} ms" for r in rows if r["kind"] == "events_pair"]
    if phases:
        w(f"Scan phase difference between the two exporters: {', '.join(phases)}.")
    w("")
    intervals = sorted({d["interval_s"] for d in windows})
    for interval in intervals:
        sel = [d for d in windows if d["interval_s"] == interval]
        w(f"#### --scan.interval={interval:g}s")
        w("")
        w("| target forks/s | achieved forks/s | events/s received (while forking) | CPU off ms/s (scan alone) "
          "| CPU auto − off, ms per s of forking | **µs CPU / event** | lost (overrun+gap) | started − forks "
          "| exit_zero − (forks+1) | floor, exporter's syscalls: µs/event (overruns) | floor, batched: µs/event (overruns) |")
        w("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        order = []
        for d in sel:
            if d["rate"] not in order:
                order.append(d["rate"])
        for rate in order:
            ds = [d for d in sel if d["rate"] == rate]
            per_s = lambda key: [d[key] / d["wall_s"] for d in ds if d["wall_s"]]
            per_gen_s = lambda key: [d[key] / (d["gen_s"] or d["wall_s"]) for d in ds if d["wall_s"]]
            label = "idle (scan alone)" if rate == "idle" else ("unpaced, 2 workers" if rate == "max" else f"{int(rate):,}")
            achieved = "–" if rate == "idle" else spread([d["achieved_rate"] for d in ds], 0)
            errs = lambda key: "–" if rate == "idle" else ", ".join(str(d[key]) for d in ds)
            w(f"| {label} | {achieved} | {spread([d['events_per_s'] for d in ds], 0)} "
              f"| {spread(per_s('cpu_off_ms'), 2)} | {spread(per_gen_s('cpu_diff_ms'), 2)} "
              f"| **{spread([d['us_per_event'] for d in ds], 2)}** "
              f"| {', '.join(str(d['lost']) for d in ds)} | {errs('started_error')} | {errs('exited_error')} "
              f"| {spread([d['floor_fpe_us_per_event'] for d in ds], 2)} ({', '.join(str(d['floor_fpe_overruns']) for d in ds)}) "
              f"| {spread([d['floor_fb_us_per_event'] for d in ds], 2)} ({', '.join(str(d['floor_fb_overruns']) for d in ds)}) |")
        w("")
        idle = [d for d in sel if d["rate"] == "idle"]
        if idle:
            w(f"Scan alone (--events.source=off): {spread([d['scan_ms_off'] for d in idle], 2)} ms CPU "
              f"per scan; scan thread with events on − off: "
              f"{spread([(d['scan_thread_ms_auto'] - d['scan_thread_ms_off']) / d['scans_auto'] for d in idle if d['scans_auto']], 3)} ms per scan "
              f"(the hand-over); reader thread at idle: "
              f"{spread([d['reader_ms'] / d['wall_s'] for d in idle], 3)} ms/s.")
            paced = [d for d in sel if d["rate"] not in ("idle",) and d["events"]]
            if paced:
                w("Split of the difference at each rate (medians): reader thread (recv, parse, "
                  "ledger) vs scan thread (hand-over), µs per event: " + "; ".join(
                    f"{r if r == 'max' else format(int(r), ',')}/s: "
                    f"{fmt(med([d['reader_ms'] * 1e3 / d['events'] for d in paced if d['rate'] == r]), 2)} + "
                    f"{fmt(med([(d['scan_thread_ms_auto'] - d['scan_thread_ms_off']) * 1e3 / d['events'] for d in paced if d['rate'] == r]), 2)}"
                    for r in order if r != "idle") + ".")
            w("")
    perf = [r for r in rows if r["kind"] in ("perf_sym", "perf_thread")]
    if perf:
        w("perf (the auto exporter at the top rate, `perf record -g`, self time):")
        w("")
        w("```")
        for line in open(sys.argv[1]):
            if line.startswith("perf_thread "):
                w("thread " + line[len("perf_thread "):].rstrip())
        for line in open(sys.argv[1]):
            if line.startswith("perf_sym "):
                w(line[len("perf_sym "):].rstrip())
        w("```")
        w("")
    w("Verdicts (target: ≤ 2 µs CPU per event, no silent loss):")
    w("")
    for interval in intervals:
        sel = [d for d in windows if d["interval_s"] == interval and d["rate"] not in ("idle", "max")]
        worst = max((med([d["us_per_event"] for d in sel if d["rate"] == r]) or 0) for r in {d["rate"] for d in sel}) if sel else None
        silent = [d for d in windows if d["interval_s"] == interval and d["rate"] != "idle"
                  and d["lost"] == 0 and (d["started_error"] != 0 or d["exited_error"] != 0)]
        w(f"- {interval:g} s: worst median µs/event over the paced rates {fmt(worst, 2)} "
          f"({'met' if worst is not None and worst <= 2 else '**not met**'}); windows with a count "
          f"error and no loss counted: {len(silent)} ({'none: no silent loss' if not silent else '**silent loss**'}).")
    w("")
    return "\n".join(out), windows


def main():
    rows = parse(sys.argv[1])
    if any(r["kind"] == "events" for r in rows):
        text, windows = events_report(rows)
        print(text)
        if len(sys.argv) > 2:
            import json
            with open(sys.argv[2], "w") as f:
                json.dump({"machine": next((r for r in rows if r["kind"] == "machine"), {}),
                           "config": next((r for r in rows if r["kind"] == "events_config"), {}),
                           "windows": windows}, f, indent=1)
        return
    machine = next((r for r in rows if r["kind"] == "machine"), {})
    config = next((r for r in rows if r["kind"] == "config"), {})
    done = next((r for r in rows if r["kind"] == "done"), {})
    key = lambda r: (int(r["size"]), int(r["containers"]))
    by = defaultdict(lambda: defaultdict(list))
    extra = defaultdict(dict)
    for r in rows:
        if "size" not in r:
            continue
        k = key(r)
        if r["kind"] in dict(TOOLS):
            by[k][r["kind"]].append(r)
        elif r["kind"] == "rss":
            extra[k]["rss_" + r["tool"]] = r
        elif r["kind"] == "latency":
            extra[k]["latency_" + r["encoding"]] = r
        elif r["kind"] == "process_exporter_failure":
            extra[k].setdefault("pe_fail", []).append(r.get("config"))
        elif r["kind"] in ("cproc_wall", "check", "workload"):
            extra[k][r["kind"]] = r
        elif r["kind"] == "memlimit":
            extra[k]["memlimit"] = r

    out = []
    w = out.append
    w(f"Machine: {machine.get('nproc')} CPUs, {machine.get('mem_gb')} GiB, kernel "
      f"{machine.get('kernel')}; {machine.get('date')}; cproc_exporter built from revision "
      f"{machine.get('revision')} ({machine.get('dirty_files')} uncommitted files now in "
      f"collectors/ exporter/ cmd/); load average {machine.get('loadavg_start')} at start, "
      f"{done.get('loadavg_end')} at end; run took {done.get('seconds')} s.")
    w(f"Settings: {config.get('repeat')} repeats (median shown, [min–max] when >1), "
      f"{config.get('scans')} scans per exporter window at {config.get('interval')} s, "
      f"{config.get('per_container')} processes per container, RLIMIT_NOFILE hard "
      f"{config.get('nofile')}, --scan.revalidate-every {config.get('revalidate')}; "
      f"node_exporter {config.get('node')}, process-exporter {config.get('process_exporter')}.")
    w("")

    summary = {}
    for k in sorted(by):
        size, containers = k
        tools = by[k]
        wl = extra[k].get("workload", {})
        w(f"### {size:,} processes in {containers:,} containers")
        w("")
        w(f"Workload: {wl.get('processes')} container processes ({wl.get('zombies')} zombies), "
          f"{wl.get('host_processes')} processes on the host in all; created in "
          f"{wl.get('setup_s')} s.")
        w("")
        w("| | CPU ms / scan | µs / process | × smart floor | × floor in budget | wall ms / scan | peak RSS MiB |")
        w("|---|---:|---:|---:|---:|---:|---:|")
        smart = med([num(r.get("cpu_ms")) for r in tools.get("smart_floor", [])])
        budget = med([num(r.get("cpu_ms")) for r in tools.get("smart_floor_budget", [])])
        stats = {}
        for tool, title in TOOLS:
            runs = tools.get(tool)
            if not runs:
                continue
            cpus = [num(r.get("cpu_ms")) for r in runs]
            cpu = med(cpus)
            procs = med([num(r.get("processes")) for r in runs])
            per = cpu * 1000 / procs if cpu is not None and procs else None
            spread = f" [{fmt(min(cpus), 2)}–{fmt(max(cpus), 2)}]" if len(cpus) > 1 else ""
            ratio = cpu / smart if cpu is not None and smart else None
            ratio_budget = cpu / budget if cpu is not None and budget else None
            if tool == "cproc":
                wall = num(extra[k].get("cproc_wall", {}).get("wall_ms"))
            else:
                wall = med([num(r.get("wall_ms")) for r in runs])
            rss = extra[k].get("rss_" + RSS_KEY.get(tool, "-"), {}).get("vmhwm_kb")
            rss_mib = num(rss) / 1024 if rss else None
            stats[tool] = {"cpu": cpu, "per": per, "ratio": ratio, "ratio_budget": ratio_budget,
                           "wall": wall, "rss": rss_mib}
            w(f"| {title} | {fmt(cpu, 2)}{spread} | {fmt(per, 2)} | {fmt(ratio, 2)} | "
              f"{fmt(ratio_budget, 2)} | {fmt(wall, 1)} | {fmt(rss_mib, 1)} |")
        w("")
        memory_table(w, tools, extra[k], config, stats)
        if stats.get("cproc_baseline", {}).get("cpu") and stats.get("cproc", {}).get("cpu"):
            # Peak RSS of both after the same repeats, before cproc's scrape-latency test.
            same_point = num(extra[k].get("rss_cproc_repeats", {}).get("vmhwm_kb"))
            base_rss = stats["cproc_baseline"]["rss"]
            rss_ratio = same_point / 1024 / base_rss if same_point and base_rss else None
            w(f"cproc_exporter / baseline (revision {machine.get('baseline_revision')}), CPU per "
              f"scan: {fmt(stats['cproc']['cpu'] / stats['cproc_baseline']['cpu'], 3)}; peak RSS "
              f"after the same scans: {fmt(rss_ratio, 3)}.")
            w("")
        pe = tools.get("process_exporter")
        if pe:
            w(f"process-exporter config: {pe[0].get('config')}.")
        if extra[k].get("pe_fail"):
            w(f"process-exporter died (panic) with: {', '.join(extra[k]['pe_fail'])}.")
        cw = extra[k].get("cproc_wall", {})
        rss = extra[k].get("rss_cproc", {})
        if cw:
            w(f"cproc_exporter scan wall time (cproc_scan_duration_seconds, {cw.get('samples')} "
              f"scans): median {cw.get('wall_ms')} ms, max {cw.get('wall_max_ms')} ms; "
              f"'scan took longer than --scan.interval' warnings: {cw.get('late_warnings', '–')} "
              f"while scanning, {rss.get('late_warnings')} with the scrape-latency test; "
              f"descriptors open: {rss.get('fds')}; kernel unreclaimable slab grew by "
              f"{fmt(num(rss.get('sunreclaim_delta_kb'), 0) / 1024, 1)} MiB while it ran "
              f"(kept /proc descriptors live there, not in RSS; other tenants add noise).")
        cache = med([num(r.get("cache_hits")) for r in tools.get("cproc", [])])
        cprocs = med([num(r.get("processes")) for r in tools.get("cproc", [])])
        if cache is not None and cprocs:
            w(f"Cache hits per scan: {fmt(cache, 0)} of {fmt(cprocs, 0)} processes.")
        check = extra[k].get("check")
        if check:
            w(f"Output check against the workload: containers {check.get('containers_seen')}, "
              f"processes {check.get('processes_seen')}, zombies {check.get('zombies_seen')}, "
              f"host-PID container flagged {check.get('hostpid_container')}, others flagged "
              f"{check.get('hostpid_others')} — {'OK' if check.get('ok') == '1' else 'MISMATCH'}.")
        lat = [extra[k].get("latency_identity"), extra[k].get("latency_gzip")]
        if any(lat):
            w("")
            w(f"Scrape latency, {config.get('concurrency')} concurrent scrapers, new connection "
              f"per request, while scanning:")
            w("")
            w("| encoding | requests | errors | median ms | p90 ms | p99 ms | max ms | body bytes |")
            w("|---|---:|---:|---:|---:|---:|---:|---:|")
            for r in lat:
                if r:
                    w(f"| {r['encoding']} | {r['requests']} | {r['errors']} | {r['median_ms']} | "
                      f"{r['p90_ms']} | {r['p99_ms']} | {r['max_ms']} | {r['bytes']} |")
            stats["p99"] = max(num(r["p99_ms"]) for r in lat if r)
            stats["p99_gzip"] = num((extra[k].get("latency_gzip") or {}).get("p99_ms"))
        stats["check_ok"] = check.get("ok") == "1" if check else None
        stats["wall_max"] = num(cw.get("wall_max_ms"))
        # Late scans while only scanning; older results counted the scrape test's too.
        stats["late"] = num(cw.get("late_warnings", rss.get("late_warnings")))
        stats["late_all"] = num(rss.get("late_warnings"))
        summary[k] = stats
        w("")

    # Linearity.
    w("### Is the cost linear in processes?")
    w("")
    w("| processes | containers | cproc µs / process | smart floor µs / process | cproc / smart floor |")
    w("|---:|---:|---:|---:|---:|")
    for k in sorted(summary):
        s = summary[k]
        c, f = s.get("cproc", {}), s.get("smart_floor", {})
        w(f"| {k[0]:,} | {k[1]:,} | {fmt(c.get('per'), 2)} | {fmt(f.get('per'), 2)} | "
          f"{fmt(c.get('ratio'), 2)} |")
    w("")

    life = lifecycle_report(w, rows)
    scale_targets(w, summary, life)

    # Targets at 10,000 / 100.
    t = summary.get((10000, 100))
    if t:
        c = t.get("cproc", {})
        checks = []
        def add(name, value, ok):
            checks.append((name, value, "met" if ok else "**not met**"))
        if c.get("ratio") is not None:
            add("CPU per scan ≤ 1.5 × smart floor", f"{c['ratio']:.2f}×", c["ratio"] <= 1.5)
        if c.get("per") is not None:
            add("≈ 10 µs per process or less", f"{c['per']:.1f} µs", c["per"] <= 10)
        for peer, factor in (("node_exporter", 4), ("process_exporter", 40)):
            p = t.get(peer)
            if p and c.get("cpu"):
                x = p["cpu"] / c["cpu"]
                add(f"≥ {factor}× cheaper than {peer}", f"{x:.1f}×", x >= factor)
        if t.get("p99") is not None:
            add("scrape p99 < 10 ms, 10 scrapers", f"{t['p99']:.2f} ms", t["p99"] < 10)
        if c.get("rss") is not None:
            add("peak RSS < 20 MB", f"{c['rss'] * 1.048576:.1f} MB", c["rss"] * 1.048576 < 20)
        # A processes x containers term would make µs/process grow with the size at a fixed
        # number of processes per container; at a fixed number of processes, the sweep gives
        # the cost of one more container, which must not grow with the number of containers.
        per_container = config.get("per_container")
        sizes = [k for k in summary if per_container and k[0] == k[1] * int(per_container)]
        pers = [summary[k]["cproc"]["per"] for k in sizes if summary[k].get("cproc", {}).get("per")]
        if len(pers) > 1:
            spread = max(pers) / min(pers)
            add(f"linear in processes: µs/process within 1.5× over {len(pers)} sizes "
                f"({per_container} per container)", f"{spread:.2f}× spread", spread <= 1.5)
        sweep = {k[1]: summary[k]["cproc"]["cpu"] for k in summary
                 if k[0] == 10000 and summary[k].get("cproc", {}).get("cpu")}
        if all(n in sweep for n in (10, 100, 1000)):
            # Linear in containers: the 100-container run lies on the line through 10 and 1,000
            # (a containers² term would sag it below). The slope is the cost of one container.
            slope = (sweep[1000] - sweep[10]) / 990
            on_line = sweep[10] + slope * 90
            off = sweep[100] / on_line - 1
            add("linear in containers (10,000 processes in 10 / 100 / 1,000): the middle run "
                "within 15% of the line through the others",
                f"{off * 100:+.0f}%; {slope * 1000:.0f} µs per container", abs(off) <= 0.15)
        big = summary.get((30000, 300))
        if big and big.get("wall_max") is not None:
            add("30,000 / 300 with a 1 s interval", f"max scan {big['wall_max']:.0f} ms, "
                f"{int(big.get('late') or 0)} late-scan warnings while scanning "
                f"({int(big.get('late_all') or 0)} including the 10-scraper latency test)",
                big["wall_max"] < 1000 and not big.get("late"))
        oks = [s.get("check_ok") for s in summary.values() if s.get("check_ok") is not None]
        if oks:
            add("output matches the workload (every size)", f"{sum(oks)}/{len(oks)} OK", all(oks))
        targets_table(w, "Targets (10,000 processes / 100 containers, same run)", checks)
    print("\n".join(out))


if __name__ == "__main__":
    main()
