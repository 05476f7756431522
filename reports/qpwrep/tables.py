"""The report's tables: the one-screen summary, the fast-path table (DESIGN.md's
anchor-figure layout) and the list of measured systems."""

from dataclasses import dataclass, field

from . import analysis, plans
from .data import (BASELINE_VARIANT, EMULATED_MARK, INLINE_VARIANT, format_ns, group,
                   variant_order)


@dataclass
class Table:
    title: str
    columns: list
    rows: list                  # lists of cell strings
    emulated: list              # per row: True when it comes from a TCG run
    intro: str = ""
    notes: list = field(default_factory=list)


def summary(ctx):
    """Per system: what the remote lock costs and buys, in one row."""
    remote = {c: analysis.remote_drain_by_variant(analysis.remote_drain(ctx.rows, c))
              for c in ctx.configs}
    rd_variants = variant_order([v for d in remote.values() for v in d], ctx.variants)
    columns = (["system", f"fast path {INLINE_VARIANT}/{BASELINE_VARIANT}"]
               + [f"remote drain {v} p50 / p99 per class/target load" for v in rd_variants]
               + ["drain-all crossover", f"interference removed ({BASELINE_VARIANT}→{INLINE_VARIANT})",
                  "stress lost ops"])
    rows, emulated, readings, only_other = [], [], [], []
    for c in ctx.configs:
        fp = analysis.fast_path(ctx.rows, c)
        cyc, ns = analysis.fast_path_ratios(fp, INLINE_VARIANT)
        if cyc is not None:
            fast = (f"{cyc:.2f}× ({fp[INLINE_VARIANT]['cycles']:.0f} vs "
                    f"{fp[BASELINE_VARIANT]['cycles']:.0f} core cycles)")
        elif ns is not None:
            fast = (f"{ns:.2f}× ({format_ns(fp[INLINE_VARIANT]['ns'])} vs "
                    f"{format_ns(fp[BASELINE_VARIANT]['ns'])})")
        else:
            fast = "n/a"
        cells = [ctx.labels[c], fast]
        for v in rd_variants:
            per = remote[c].get(v, {})
            cells.append("; ".join(
                f"{cls or 'n/a'}{'/' + load if load else ''}: {format_ns(p50)} / {format_ns(p99)}"
                + (f" +{stalled:.0f} stalled" if stalled else "")
                for (cls, load), (p50, p99, stalled) in per.items()) or "n/a")
        # Over the ramp when the input also has other CPU orders; the first
        # setting with owners (a crossover needs them).
        cross = next((x for x in (analysis.crossover(rs, c)
                                  for _, rs in plans.drain_all_orders(ctx.rows, c)) if x), None)
        cells.append(cross.describe() if cross else "n/a")
        verdict = analysis.interference_verdict(analysis.interference(ctx.rows, c), c)
        cells.append("n/a" if verdict is None else
                     f"{'yes' if verdict[0] else 'no'}: {verdict[1]}")
        lost = analysis.stress_lost_ops(ctx.rows, c)
        cells.append("n/a" if lost is None else
                     ("0 (every op accounted for)" if lost == 0 else f"{lost:.0f} LOST"))
        if all(cell == "n/a" for cell in cells[1:]):
            only_other.append(ctx.labels[c])
            continue
        rows.append(cells)
        emulated.append(c.emulated)
        head = analysis.remote_headline(remote[c])
        reading = _reading(cyc if cyc is not None else ns,
                           {v: d[head][:2] for v, d in remote[c].items() if head in d}, head,
                           cross, verdict, lost)
        if reading:
            readings.append(("[" + EMULATED_MARK + "] " if c.emulated else "")
                            + f"{ctx.labels[c]}: {reading}.")
    if only_other:
        readings.append("Not in this table (no rows it summarises, e.g. c2c only): "
                        + "; ".join(only_other) + ".")
    return Table(
        title="Summary: should remote per-CPU work take the remote lock instead of queueing work?",
        columns=columns, rows=rows, emulated=emulated, notes=readings,
        intro=(f"One row per measured system. Fast path: cost of every local op with a real "
               f"per-CPU spinlock ({INLINE_VARIANT}) over local_lock ({BASELINE_VARIANT}). Remote "
               f"drain: one caller drains one target, p50 / p99 per distance class and target "
               f"load (never pooled; drains that hit the wait bound are counted as stalled, "
               f"not as latencies). Crossover: N* where least-squares lines of drain-all p50 "
               f"vs N for {INLINE_VARIANT} (serial inline) and {BASELINE_VARIANT} (parallel "
               f"workqueue) meet, with its 95% interval, measured or extrapolated (DESIGN.md; "
               f"ubench drain-all prints the same). Interference removed: the "
               f"target's RT task saw no more context switches and a smaller worst gap with "
               f"{INLINE_VARIANT} than with {BASELINE_VARIANT}. Lost ops must be 0."))

def _speedup(base, other):
    """"12× faster", "1.3× slower": other's time against base's."""
    r = base / other if other < base else other / base
    word = "faster" if other < base else "slower"
    return f"{r:,.0f}× {word}" if r >= 10 else f"{r:.2g}× {word}"


def _reading(fast_ratio, remote, head, cross, verdict, lost):
    """The summary row as one sentence: what taking the remote lock costs and buys."""
    parts = []
    if fast_ratio is not None:
        change = (f"{100 * (fast_ratio - 1):+.0f}%" if fast_ratio < 2 else f"{fast_ratio:.2g}× as much")
        parts.append(f"every local op costs {change} with {INLINE_VARIANT}")
    base, inline = remote.get(BASELINE_VARIANT), remote.get(INLINE_VARIANT)
    if base and inline and None not in base + inline and min(base + inline) > 0:
        where = f"{head[0] or 'n/a'}" + (f", {head[1]} target" if head[1] else "")
        parts.append(f"a remote drain ({where}) with {INLINE_VARIANT} is "
                     f"{_speedup(base[0], inline[0])} than {BASELINE_VARIANT} at p50 "
                     f"({_speedup(base[1], inline[1])} at p99)")
    if cross and cross.measurable:
        if cross.n is None:
            parts.append(f"draining all CPUs inline {'wins' if cross.serial_first else 'loses'} "
                         f"throughout N={cross.min_n:.0f}..{cross.max_n:.0f}")
        else:
            parts.append(f"draining all CPUs inline {'wins below' if cross.below_serial else 'loses below'} "
                         f"N*={cross.n:.1f} and {'loses' if cross.below_serial else 'wins'} above it"
                         + ("" if cross.measured else " (extrapolated)"))
    if verdict:
        parts.append("interference on the target removed" if verdict[0]
                     else "interference on the target NOT removed")
    if lost:
        parts.append(f"{lost:.0f} ops LOST under stress")
    return "; ".join(parts)


def fast_path(ctx):
    """Rows = systems, one column per variant: core cycles (PMU) or reference
    ticks (TSC), ns, and ratios to the baseline."""
    data = {c: analysis.fast_path(ctx.rows, c) for c in ctx.configs}
    data = {c: d for c, d in data.items() if d}
    variants = variant_order([v for d in data.values() for v in d], ctx.variants)
    rows, emulated = [], []
    for c, d in data.items():
        cells = [ctx.labels[c]]
        for v in variants:
            p = d.get(v)
            if not p:
                cells.append("n/a")
                continue
            cyc_r, ns_r = analysis.fast_path_ratios(d, v)
            show_ratio = v != BASELINE_VARIANT
            parts = []
            if p["cycles"] is not None:
                parts.append(f"{p['cycles']:.0f} cyc" + (f" ({cyc_r:.2f}×)" if show_ratio and cyc_r else ""))
            elif p["ticks"] is not None:
                parts.append(f"{p['ticks']:.0f} ref ticks")
            parts.append(format_ns(p["ns"]) + (f" ({ns_r:.2f}×)" if show_ratio and ns_r else ""))
            cells.append(" · ".join(parts))
        rows.append(cells)
        emulated.append(c.emulated)
    core = any(p["cycles"] is not None for d in data.values() for p in d.values())
    intro = (f"p50 ns per local op over CPUs, net of the timer overhead; ratios to "
             f"{BASELINE_VARIANT} in parentheses. ")
    if core:
        intro += ("Mean core cycles per op where the PMU counted them (--events cycles). "
                  "DESIGN.md's published anchors, in core cycles: ~60 unpatched vs ~75 with "
                  "the key on (PREEMPT_DYNAMIC), ~95 vs ~97 on RT.")
    else:
        intro += ("'ref ticks' are the TSC's reference ticks per op, not core cycles: no PMU "
                  "counted core cycles here, so DESIGN.md's core-cycle anchors do not apply.")
    return Table(title="Fast-path cost per op (core cycles or ref ticks · ns, ratio to wq)",
                 columns=["system"] + variants, rows=rows, emulated=emulated,
                 intro=intro) if rows else None


def systems(ctx):
    """Every measured system with its metadata and what it has rows for."""
    rows, emulated = [], []
    by_config = group(ctx.rows, lambda r: r.config)
    for c in ctx.configs:
        rs = by_config[c]
        scenarios = ", ".join(sorted({r.scenario for r in rs}))
        rows.append([ctx.labels[c], c.host, c.arch, c.cpu_model or "unknown", c.kernel, c.preempt,
                     c.backend, c.timer or "unknown", c.emulation,
                     str(len(rs)), scenarios])
        emulated.append(c.emulated)
    return Table(title="Measured systems",
                 columns=["system", "host", "arch", "CPU", "kernel", "preempt", "backend", "timer",
                          "emulated", "rows", "scenarios"],
                 rows=rows, emulated=emulated)

