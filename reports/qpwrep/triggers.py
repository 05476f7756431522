"""The trigger scenario (ubench trigger): what the kernel's own remote drains
put on an isolated CPU, per trigger and kernel. One table (work items per
trigger on each target CPU, by work function; kworker runs; the FIFO
spinner's involuntary switches and stalls; the kernel paths the caller
reached, from the function tracer) and one figure (work items per trigger,
trigger by kernel). Counts survive TCG emulation; the latency column does
not and is marked."""

import matplotlib.pyplot as plt

from . import figures, kernel72
from .data import EMULATED_MARK, format_ns, group, trigger_of
from .tables import Table

SCENARIO = "trigger"
ALL = "all"
# The work functions that are the trigger's own drain, not its barrier or noise.
BARRIER = "wq_barrier_func"
# Why a trigger differs between kernels, as measured (DESIGN.md has the detail).
CAUSES = {
    "drop-caches": "6.1's fs/drop_caches.c does not call lru_add_drain_all(); 6.4+ does",
    "memcg-reclaim": "drain_all_stock() skips isolated CPUs (cpu_is_isolated) from 6.6; 6.1 drains them",
}


def _trigger(r):
    return trigger_of(r)


def _load(r):
    return r.extra.get("target_load", "n/a")


def _rows(ctx):
    """Trigger rows of Debian's kernels; the self-built 7.2 ones have their
    own section (kernel72.py), stock beside patched."""
    return [r for r in ctx.rows if r.scenario == SCENARIO and not kernel72.is_ours(r.config.kernel)]


def _mean(rows, metric, variant=None):
    vals = [r.get("mean") for r in rows if r.metric == metric
            and (variant is None or r.variant == variant) and r.get("mean") is not None]
    return sum(vals) / len(vals) if vals else None


def _order(triggers):
    known = ["fadvise", "drop-caches", "compact", "move-pages", "slab-shrink", "memcg-reclaim",
             "stat-refresh"]
    return [t for t in known if t in triggers] + sorted(t for t in triggers if t not in known)


def _table_rows(ctx, config, trig, load, rs):
    """One table row per target CPU of one run (system, trigger, target load)."""
    caller_rows = [r for r in rs if r.metric in ("trigger_latency", "trigger_calls")]
    reached = sorted({r.variant for r in rs if r.metric == "trigger_calls"
                      and (r.get("mean") or 0) > 0 and r.variant != "queue_work_on"})
    latency = _mean(caller_rows, "trigger_latency")
    out = []
    for cpus in sorted({r.cpus for r in rs if r.metric == "trigger_work_items"}):
        t_rows = [r for r in rs if r.cpus == cpus]
        items = [(r.variant, r.get("mean"), r.get("min")) for r in t_rows
                 if r.metric == "trigger_work_items" and r.variant != ALL
                 and (r.get("mean") or 0) > 0]
        work = ", ".join(f"{v} {m:.2g} (min {lo:.0f})" for v, m, lo in
                         sorted(items, key=lambda x: (x[0] == BARRIER, -x[1])))
        total = _mean(t_rows, "trigger_work_items", ALL)
        runs = _mean(t_rows, "trigger_worker_runs")
        noise = _mean(t_rows, "osnoise_thread_noise", "kworker")
        inv = _mean(t_rows, "target_involuntary_switches")
        stalled = _mean(t_rows, "stalled")
        samples = max((r.get("samples") or 0) for r in t_rows)
        out.append([
            ctx.labels[config], trig, load, ",".join(map(str, cpus)),
            "n/a" if total is None else f"{total:.2g}",
            work or "none",
            "n/a" if runs is None else f"{runs:.2g}"
            + ("" if noise is None else f" (osnoise: {noise:.2g})"),
            "n/a" if inv is None else f"{inv:.2g}",
            "n/a" if stalled is None else f"{stalled * samples:.0f} of {samples:.0f}",
            ", ".join(reached) or "none traced",
            format_ns(latency) + (f" [{EMULATED_MARK}]" if config.emulated else ""),
            CAUSES.get(trig, ""),
        ])
    return out


def table(ctx):
    """Rows: system × trigger × target load × target CPU; None without trigger rows."""
    rows = _rows(ctx)
    if not rows:
        return None
    out, emulated = [], []
    by = group(rows, lambda r: (r.config, _trigger(r), _load(r)))
    for config in ctx.configs:
        keys = {(t, load) for (c, t, load) in by if c == config}
        for trig in _order({t for t, _ in keys}):
            for load in sorted(ld for t, ld in keys if t == trig):
                new = _table_rows(ctx, config, trig, load, by[(config, trig, load)])
                out += new
                # Counts hold under TCG; the latency cell carries its own mark.
                emulated += [False] * len(new)
    return Table(
        title="The kernel's own remote drains: work put on the target CPUs, per trigger",
        columns=["system", "trigger", "target load", "CPU", "work items / trigger",
                 "by work function (mean, min)", "kworker runs / trigger", "spinner involuntary switches / trigger",
                 "triggers that waited for the target", "caller reached (function tracer)",
                 "trigger latency (mean)", "per-kernel difference, cause"],
        rows=out, emulated=emulated,
        intro=("ubench trigger: the target CPUs refill their per-CPU caches before every "
               "trigger, then a SCHED_FIFO spinner (target_load fifo) holds them while the caller "
               "fires. Counts are per trigger and stay true under emulation: a work item ran on "
               "that CPU or it did not. In the vm suite CPU 1 is isolated (isolcpus=nohz,domain,"
               "managed_irq nohz_full rcu_nocbs) and CPU 2 is an ordinary CPU filled the same way, "
               "a control. A trigger 'waited for the target' when it was still in the kernel "
               "after --hold: every target's spinner then stepped aside, so the stall counts on "
               "each target whichever held it up (work queued behind the RT task or, on "
               "PREEMPT_RT, a grace period waiting for the starved rcuc thread of a CPU that is "
               "not nohz_full). "
               "wq_barrier_func is the barrier flush_work() queues behind a drain it waits for. "
               "Target load idle is the rtla witness run: rtla's osnoise thread holds CPU 1 and "
               "the osnoise tracer's count of kworker thread noise is shown beside ubench's."))


def figure(ctx):
    """Work items per trigger on the lowest target CPU (the isolated one in the
    vm suite), grouped by trigger, one bar per system."""
    # Every kernel, the self-built 7.2 ones (stock and patched) included.
    rows = [r for r in ctx.rows if r.scenario == SCENARIO and r.metric == "trigger_work_items"
            and r.variant == ALL and _load(r) != "idle"]
    if not rows:
        raise figures.NoData("no trigger rows")
    configs = [c for c in ctx.configs if any(r.config == c for r in rows)]
    cpu = {c: min(r.cpus for r in rows if r.config == c) for c in configs}
    triggers = _order({_trigger(r) for r in rows})
    fig, ax = plt.subplots(figsize=(min(12.0, max(7.0, 0.45 * len(triggers) * len(configs))), 4.6))
    width = 0.8 / len(configs)
    styles = figures._styles([ctx.labels[c] for c in configs])
    for ci, c in enumerate(configs):
        xs, ys = [], []
        for ti, t in enumerate(triggers):
            # The minimum over triggers: what every trigger put there, without
            # the background items (vmstat_update...) that come now and then.
            v = [r.get("min") for r in rows if r.config == c and _trigger(r) == t
                 and r.cpus == cpu[c]]
            if v and v[0] is not None:
                xs.append(ti - 0.4 + width * (ci + 0.5))
                ys.append(v[0])
        ax.bar(xs, ys, width, color=styles[ctx.labels[c]]["color"],
               hatch="//" if c.emulated else None, edgecolor="white")
        for x, y in zip(xs, ys):
            ax.annotate(f"{y:.2g}", (x, y), xytext=(0, 2), textcoords="offset points",
                        ha="center", va="bottom", fontsize=6.5)
    ax.set_xticks(range(len(triggers)), triggers)
    ax.set_ylabel("work items on the target CPU, every trigger (min)")
    ax.set_ylim(0, max(1.0, ax.get_ylim()[1] * 1.15))
    legend = [plt.Rectangle((0, 0), 1, 1, color=styles[ctx.labels[c]]["color"],
                            label=f"{ctx.labels[c]} (CPU {','.join(map(str, cpu[c]))})")
              for c in configs]
    # Below the axes in two columns: system labels are long, one row would not fit.
    ax.legend(handles=legend, loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=2,
              fontsize=7.5, frameon=False, title="system", title_fontsize=8)
    return figures._finish(
        fig, ctx, "7-triggers", "Kernel remote drains: work items per trigger on the target CPU",
        "Work items (all work functions, wq_barrier_func included) that ran on the lowest "
        "target CPU after every trigger (the minimum over triggers), the CPU refilled before "
        "each; in the vm suite that CPU is isolated. Counts, not times: valid under emulation. The table below names "
        "the work functions and the cause of each difference between kernels.",
        configs)
