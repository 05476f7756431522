"""The report's six figures: one function each, taking the shared context and
returning a Figure, or a note saying why there is no data for it."""

import math
import os
import textwrap
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)
from matplotlib.colors import LogNorm  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: E402

from . import analysis, plans  # noqa: E402
from .data import (BASELINE_VARIANT, DISTANCE_CLASSES, EMULATED_MARK, INLINE_VARIANT,  # noqa: E402
                   format_ns, variant_order)

DPI = 110
EMULATED_COLOR = "#c62828"
# PNG text keys: which qpwreport output a PNG is ("report", "compare"), and
# whether it draws TCG rows ("yes"/"no").
PNG_KIND_KEY = "qpwreport"
PNG_EMULATED_KEY = "qpwbench-emulated"
PERCENTILES = (("min", 0.0), ("p50", 0.5), ("p90", 0.9), ("p99", 0.99), ("p999", 0.999), ("max", 1.0))


@dataclass
class Figure:
    name: str       # file stem
    title: str
    caption: str
    path: str
    emulated: bool


@dataclass
class Context:
    rows: list
    variants: list      # QPWBENCH_VARIANTS order
    configs: list       # every config in the input, in report order
    labels: dict        # config -> short label
    outdir: str


class NoData(Exception):
    """The input has no rows for a figure: the report says so instead."""


# --- shared drawing helpers --------------------------------------------------

def _styles(names):
    """Colour, line style and marker per name: on !RT kernels qpw and qpw-off
    behave like wq, so their curves coincide and must stay tellable apart."""
    cmap = plt.get_cmap("tab10")
    lines, markers = ("-", "--", "-.", ":"), ("o", "s", "^", "D", "v", "P")
    return {n: {"color": cmap(i % 10), "linestyle": lines[i % 4], "marker": markers[i % 6]}
            for i, n in enumerate(names)}


def _legend_entries(styles, names, kind="line"):
    if kind == "bar":
        return [Patch(color=styles[n]["color"], label=n) for n in names]
    return [Line2D([], [], ms=4, label=n, **styles[n]) for n in names]


def _time_scale(values):
    """(divisor, unit) so the largest value reads as a small number."""
    top = max([v for v in values if v is not None] or [0])
    for div, unit in ((1e9, "s"), (1e6, "ms"), (1e3, "µs")):
        if top >= div:
            return div, unit
    return 1.0, "ns"


def _time_axis(ax, values, label, axis="y", spread=50):
    """Scale an axis for durations in ns: linear in a readable unit, or log
    with ticks like "40 ns", "100 µs" when the values span more than
    `spread`x. Returns the divisor to apply to the values plotted."""
    vals = [v for v in values if v is not None and v > 0]
    if vals and max(vals) / min(vals) > spread:
        getattr(ax, f"set_{axis}scale")("log")
        getattr(ax, f"{axis}axis").set_major_formatter(FuncFormatter(lambda v, _: format_ns(v)))
        getattr(ax, f"set_{axis}label")(f"{label} (log scale)")
        return 1.0
    div, unit = _time_scale(vals)
    getattr(ax, f"set_{axis}label")(f"{label} ({unit})")
    return div


def _grid(configs):
    """Rows of [generic, RT] configs of the same machine, arch and backend, so
    that each RT kernel sits beside its generic counterpart."""
    rows = {}
    for c in configs:
        slots = rows.setdefault((c.emulated, c.host, c.arch, c.backend), [])
        col = 1 if c.is_rt else 0
        for slot in slots:
            if slot[col] is None:
                slot[col] = c
                break
        else:
            slot = [None, None]
            slot[col] = c
            slots.append(slot)
    grid = [slot for slots in rows.values() for slot in slots]
    if all(s[1] is None for s in grid) or all(s[0] is None for s in grid):
        return [[c] for s in grid for c in s if c is not None]   # nothing to pair: one column
    return grid


def _panels(nrows, ncols, width, height):
    fig, axes = plt.subplots(nrows, ncols, figsize=(width * ncols, height * nrows), squeeze=False)
    return fig, axes


def _watermark(ax):
    ax.text(0.5, 0.5, EMULATED_MARK, transform=ax.transAxes, ha="center", va="center",
            fontsize=15, color=EMULATED_COLOR, alpha=0.35, rotation=18, fontweight="bold",
            zorder=10)


def _panel_title(ax, ctx, config, extra=""):
    title = textwrap.fill(ctx.labels[config], 60) + (f"\n{extra}" if extra else "")
    ax.set_title(title, fontsize=9, color=EMULATED_COLOR if config.emulated else "black")
    if config.emulated:
        _watermark(ax)


def _finish(fig, ctx, name, title, caption, configs, legend=None, legend_title=None):
    """Title, emulated banner, one legend for every panel, metadata footnote;
    save; return the Figure."""
    emulated = any(c.emulated for c in configs)
    meta = [f"{ctx.labels[c]}: {c.metadata()}" for c in configs]
    width = fig.get_size_inches()[0]
    foot_lines = [ln for m in meta for ln in textwrap.wrap(m, int(width * 17),
                                                            subsequent_indent="    ")]
    # Title, banner, legend and footnote get their own inches on top of the panels.
    foot_in = 0.16 * len(foot_lines) + 0.1
    head_in = 0.45 + (0.25 if emulated else 0)
    legend_at = head_in
    head_in += 0.5 if legend else 0
    width, panels_in = fig.get_size_inches()
    height = panels_in + foot_in + head_in
    fig.set_size_inches(width, height)
    foot, head = foot_in / height, head_in / height
    if legend:
        fig.legend(handles=legend, loc="upper center", ncol=len(legend), fontsize=8,
                   title=legend_title, title_fontsize=8, frameon=False,
                   bbox_to_anchor=(0.5, 1 - legend_at / height))
    fig.suptitle(title, fontsize=12, fontweight="bold", y=1 - 0.08 / height, va="top")
    if emulated:
        fig.text(0.5, 1 - 0.36 / height, f"⚠ {EMULATED_MARK} (TCG guest rows: not performance)",
                 ha="center", va="top",
                 fontsize=9, color="white", fontweight="bold",
                 bbox={"facecolor": EMULATED_COLOR, "edgecolor": "none", "pad": 3})
    fig.text(0.01, 0.02 / height, "\n".join(foot_lines), ha="left", va="bottom", fontsize=6.5,
             color="#444444", linespacing=1.5)
    fig.tight_layout(rect=(0, foot, 1, 1 - head))
    path = os.path.join(ctx.outdir, name + ".png")
    caption += " Systems: " + "; ".join(meta) + "."
    fig.savefig(path, dpi=DPI, metadata={
        "Title": title, "Description": caption,
        PNG_KIND_KEY: "report", PNG_EMULATED_KEY: "yes" if emulated else "no"})
    plt.close(fig)
    return Figure(name=name, title=title, caption=caption, path=path, emulated=emulated)


def _per_config(ctx, fn, missing):
    """config -> fn(rows, config) for the configs it finds data for; NoData(missing) if none."""
    data = {c: fn(ctx.rows, c) for c in ctx.configs}
    data = {c: d for c, d in data.items() if d}
    if not data:
        raise NoData(missing)
    return data


def _generic_rt_panels(configs):
    """A figure with one panel per config, RT beside generic: (fig, [(ax, config)])."""
    grid = _grid(configs)
    fig, axes = _panels(len(grid), max(len(r) for r in grid), 6.0, 3.8)
    placed = []
    for r, slots in enumerate(grid):
        for col in range(axes.shape[1]):
            config = slots[col] if col < len(slots) else None
            if config is None:
                axes[r][col].axis("off")
            else:
                placed.append((axes[r][col], config))
    return fig, placed


# --- 1: c2c heatmap ----------------------------------------------------------

def c2c_heatmap(ctx):
    data = list(_per_config(ctx, analysis.c2c_matrix, "no c2c one_way_latency rows").items())
    ncols = min(2, len(data))
    nrows = math.ceil(len(data) / ncols)
    fig, axes = _panels(nrows, ncols, 6.2, 5.5)
    widths = {cls: 0.8 + 0.5 * i for i, cls in enumerate(DISTANCE_CLASSES)}
    styles = {cls: s for cls, s in zip(DISTANCE_CLASSES, ["-", "--", "-.", ":"] * 2)}
    for ax, (config, m) in zip(axes.flat, data):
        n = len(m.cpus)
        masked = [[math.nan if v is None else v for v in row] for row in m.latency]
        vals = [v for row in m.latency for v in row if v is not None and v > 0]
        # A pair whose vCPUs seldom ran together (TCG on a busy host) can be
        # 10^4x the rest: a log scale keeps the classes tellable apart.
        log = bool(vals) and max(vals) / min(vals) > 20
        im = ax.imshow(masked, cmap="viridis", interpolation="nearest",
                       norm=LogNorm() if log else None)
        im.cmap.set_bad("#dddddd")
        cb = fig.colorbar(im, ax=ax, fraction=0.046, pad=0.04)
        cb.set_label("one-way latency p50 (ns" + (", log scale)" if log else ")"))
        step = max(1, math.ceil(n / 24))
        ticks = list(range(0, n, step))
        ax.set_xticks(ticks, [str(m.cpus[i]) for i in ticks], fontsize=7, rotation=90 if n > 12 else 0)
        ax.set_yticks(ticks, [str(m.cpus[i]) for i in ticks], fontsize=7)
        ax.set_xlabel("CPU (topology order)")
        ax.set_ylabel("CPU (topology order)")
        if n <= 12:
            for i in range(n):
                for j in range(n):
                    if m.latency[i][j] is not None:
                        ax.text(j, i, f"{m.latency[i][j]:.0f}", ha="center", va="center",
                                fontsize=7, color="white")
        seen = set()
        for i, cls in m.boundaries:
            label = None if cls in seen else f"{cls} boundary"
            seen.add(cls)
            kw = {"color": "white", "linewidth": widths.get(cls, 1), "linestyle": styles.get(cls, "-")}
            ax.axhline(i + 0.5, **kw)
            ax.axvline(i + 0.5, label=label, **kw)
        if seen:
            leg = ax.legend(loc="upper left", bbox_to_anchor=(0, -0.12), fontsize=7, ncol=4,
                            facecolor="#555555", labelcolor="white", frameon=True)
            leg.set_title("class changes between neighbours", prop={"size": 7})
            leg.get_title().set_color("white")
        _panel_title(ax, ctx, config, f"{n} CPUs; pair classes: " + ", ".join(m.classes))
    for ax in list(axes.flat)[len(data):]:
        ax.axis("off")
    configs = [c for c, _ in data]
    return _finish(fig, ctx, "1-c2c-heatmap", "Cache-line ping-pong: one-way latency per CPU pair",
                   "One-way latency (round trip / 2, p50) for every measured CPU pair, CPUs in "
                   "topology order (nearest class first from the lowest CPU); lines mark where "
                   "the distance class between neighbouring CPUs widens.", configs)


# --- 2: remote drain by class --------------------------------------------------

def remote_drain(ctx):
    data = _per_config(ctx, analysis.remote_drain, "no remote drain_latency rows")
    fig, panels = _generic_rt_panels(list(data))
    variants = variant_order([k[2] for d in data.values() for k in d], ctx.variants)
    styles = _styles(variants)
    for ax, config in panels:
        d = data[config]
        groups = list(dict.fromkeys((k[0], k[1]) for k in d))
        present = [v for v in variants if any(k[2] == v for k in d)]
        div = _time_axis(ax, [a["p99"] for a in d.values()] + [a["p50"] for a in d.values()],
                         "drain latency")
        width = 0.8 / len(present)
        for vi, v in enumerate(present):
            xs, p50, up = [], [], []
            for gi, (cls, load) in enumerate(groups):
                a = d.get((cls, load, v))
                if not a or a["p50"] is None:
                    continue
                x = gi - 0.4 + width * (vi + 0.5)
                xs.append(x)
                p50.append(a["p50"] / div)
                up.append(max(0.0, ((a["p99"] or a["p50"]) - a["p50"]) / div))
                if a["stalled"]:
                    ax.annotate(f"{a['stalled']:.0f}", (x, (a["p99"] or a["p50"]) / div),
                                xytext=(0, 2), textcoords="offset points", ha="center",
                                va="bottom", fontsize=6.5, color=EMULATED_COLOR)
            ax.bar(xs, p50, width, color=styles[v]["color"],
                   yerr=[[0] * len(up), up], capsize=3, error_kw={"elinewidth": 1})
        names = ["\n".join(filter(None, (cls or "n/a", load))) for cls, load in groups]
        ax.set_xticks(range(len(groups)), names)
        ax.set_xlabel("distance class of caller and target" +
                      (" / target load" if any(load for _, load in groups) else ""))
        if ax.get_yscale() == "log":
            ax.margins(y=0.3)
        else:
            ax.set_ylim(0, ax.get_ylim()[1] * 1.15)   # room for the stalled labels
        _panel_title(ax, ctx, config)
    return _finish(fig, ctx, "2-remote-drain", "Remote drain latency by distance class",
                   "Caller's time to drain one target CPU, per distance class between caller "
                   "and target: bar = p50 over targets, whisker = p99; generic kernels left, "
                   "PREEMPT_RT right. Red labels count drains that hit the wait bound.",
                   list(data), _legend_entries(styles, variants, "bar"),
                   "variant (bar p50, whisker p99, red number: stalled drains)")


# --- 3: drain-all vs N ---------------------------------------------------------

def _drain_all_panel(ax, ctx, config, curves, styles, plan, cross):
    div = _time_axis(ax, [p[2] for pts in curves.values() for p in pts] +
                     [p[1] for pts in curves.values() for p in pts], "drain-all latency")
    for v in variant_order(curves, ctx.variants):
        pts = [p for p in curves[v] if p[1] is not None]
        ns = [p[0] for p in pts]
        ax.plot(ns, [p[1] / div for p in pts], ms=4, label=v, **styles[v])
        ax.fill_between(ns, [p[1] / div for p in pts], [(p[2] or p[1]) / div for p in pts],
                        color=styles[v]["color"], alpha=0.08, linewidth=0)
    top = max(p[0] for pts in curves.values() for p in pts)
    if cross and cross.n is not None and cross.n <= 2 * top:
        ax.axvline(cross.n, color="black", linestyle="--" if cross.measured else ":", linewidth=1)
        if cross.hi is not None:
            ax.axvspan(cross.lo, min(cross.hi, 2 * top), color="black", alpha=0.06, linewidth=0)
        right = cross.n >= top
        ax.annotate(f"N*={cross.n:.1f}" + ("" if cross.measured else " (extrapolated)"),
                    (cross.n, 0.97), xycoords=("data", "axes fraction"),
                    xytext=(-4 if right else 4, 0), textcoords="offset points", va="top",
                    ha="right" if right else "left", fontsize=8, fontweight="bold")
    if cross:
        ax.text(0.02, 0.02, f"{INLINE_VARIANT} vs {BASELINE_VARIANT} crossover: {cross.describe()}",
                transform=ax.transAxes, fontsize=7, va="bottom",
                bbox={"facecolor": "white", "alpha": 0.8, "edgecolor": "#999999"})
    if top >= 16:
        ax.set_xscale("log", base=2)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    order = plan.split(" ")[0] if plan and plan.startswith(("ramp", "spread", "order")) else "topology"
    ax.set_xlabel(f"CPUs drained (N, {order} order)")
    ax.grid(True, alpha=0.3)
    _panel_title(ax, ctx, config, plan or "")


def drain_all(ctx):
    # Per config, one curve set per CPU order (ramp, spread) in the input.
    data = _per_config(ctx, lambda rows, c: [(plan, analysis.drain_all_curves(rs, c),
                                              analysis.crossover(rs, c))
                                             for plan, rs in plans.drain_all_orders(rows, c)],
                       "no drain-all drain_all_latency rows")
    data = {c: [(plan, cv, x) for plan, cv, x in d if cv] for c, d in data.items()}
    data = {c: d for c, d in data.items() if d}
    if not data:
        raise NoData("no drain-all drain_all_latency rows")
    variants = variant_order([v for d in data.values() for _, cv, _ in d for v in cv], ctx.variants)
    styles = _styles(variants)
    if all(len(d) == 1 for d in data.values()):
        fig, panels = _generic_rt_panels(list(data))
        for ax, config in panels:
            plan, curves, cross = data[config][0]
            _drain_all_panel(ax, ctx, config, curves, styles, plan, cross)
    else:
        # A config swept over several orders: its orders side by side.
        fig, axes = _panels(len(data), max(len(d) for d in data.values()), 6.0, 3.8)
        for row, (config, d) in zip(axes, data.items()):
            for col, ax in enumerate(row):
                if col < len(d):
                    _drain_all_panel(ax, ctx, config, d[col][1], styles, d[col][0], d[col][2])
                else:
                    ax.axis("off")
    return _finish(fig, ctx, "3-drain-all", "Drain-all latency vs number of CPUs",
                   f"Caller's time to drain N CPUs: workqueue variants queue on all N then "
                   f"flush (parallel), lock variants drain each CPU inline in turn (serial). "
                   f"The vertical line marks N*, where least-squares lines p50 = a + b*N of "
                   f"{INLINE_VARIANT} (serial inline) and {BASELINE_VARIANT} (parallel "
                   f"workqueue) meet (every run a point; shade: its 95% interval; dashed when "
                   f"N* lies within the measured N, dotted when extrapolated). A system "
                   f"swept in two CPU orders has a panel per order: the ramp adds the nearest "
                   f"CPUs first, the spread one per socket, cache and core first.", list(data),
                   _legend_entries(styles, variants), "variant (line p50, band up to p99)")


# --- 4: fast-path cost ---------------------------------------------------------

def fast_path(ctx):
    data = _per_config(ctx, analysis.fast_path, "no local op_cost rows")
    configs = list(data)
    variants = variant_order([v for d in data.values() for v in d], ctx.variants)
    styles = _styles(variants)
    fig, panels = _generic_rt_panels(configs)
    for ax, c in panels:
        present = [v for v in variants if v in data[c] and data[c][v]["ns"] is not None]
        bars = ax.bar(range(len(present)), [data[c][v]["ns"] for v in present],
                      color=[styles[v]["color"] for v in present])
        labels = []
        for v in present:
            cyc, ns = analysis.fast_path_ratios(data[c], v)
            r = cyc if cyc is not None else ns
            cycles = data[c][v]["cycles"]
            labels.append("\n".join(([f"{cycles:.0f} cyc"] if cycles is not None else [])
                                    + ([f"{r:.2f}×"] if r is not None else [])))
        ax.bar_label(bars, labels, fontsize=7)
        ax.set_xticks(range(len(present)), present, fontsize=8, rotation=30)
        ax.set_ylabel("ns per op (p50)")
        ax.margins(y=0.25)
        _panel_title(ax, ctx, c)
    return _finish(fig, ctx, "4-fast-path", "Fast-path cost of one local op",
                   f"Cost of one local per-CPU op (lock, add to the batch, unlock) per variant and "
                   f"kernel, p50 over CPUs, net of the timer overhead; labels give mean core cycles "
                   f"per op where the PMU counted them (--events cycles; TSC reference ticks are "
                   f"not core cycles and are not shown) and the ratio to {BASELINE_VARIANT} (of "
                   f"core cycles when known, else of ns).",
                   configs)


# --- 5: interference -----------------------------------------------------------

def _nines(q, samples):
    """Vertical position of quantile q on a 'nines' axis (p50=0.3, p90=1, p99=2...)."""
    if q >= 1.0:
        return max(3.5, math.log10(samples) if samples else 3.5)
    return -math.log10(1 - q)


def interference(ctx):
    data = _per_config(ctx, analysis.interference, "no interference rows")
    fig, axes = _panels(len(data), 2, 5.6, 3.6)
    variants = variant_order([v for d in data.values() for v in d], ctx.variants)
    styles = _styles(variants)
    for (config, d), (ax_cdf, ax_ctx) in zip(data.items(), axes):
        present = variant_order(d, ctx.variants)
        gaps_all = [g for v in present if d[v]["gaps"] for g in
                    (d[v]["gaps"][p] for p, _ in PERCENTILES) if g is not None]
        div = _time_axis(ax_cdf, gaps_all, "largest gap seen by the RT spinner per window", "x", 20)
        top = 3.5
        for v in present:
            g = d[v]["gaps"]
            if not g:
                continue
            pts = [(g[p] / div, _nines(q, g["samples"])) for p, q in PERCENTILES if g[p] is not None]
            if not pts:
                continue
            top = max(top, pts[-1][1])
            ax_cdf.step([p[0] for p in pts], [p[1] for p in pts], where="post", ms=4, label=v,
                        **styles[v])
        ticks = [(_nines(q, None), p) for p, q in PERCENTILES[:-1]] + [(top, "max")]
        ax_cdf.set_yticks([t for t, _ in ticks], [label for _, label in ticks], fontsize=7)
        ax_cdf.set_ylabel("fraction of windows ≤ gap")
        ax_cdf.grid(True, alpha=0.3)
        _panel_title(ax_cdf, ctx, config, "gap CDF")

        xs = [v for v in present if d[v]["ctxsw"] is not None]
        heights = [d[v]["ctxsw"] for v in xs]
        up = [max(0.0, (d[v]["ctxsw_max"] or d[v]["ctxsw"]) - d[v]["ctxsw"]) for v in xs]
        bars = ax_ctx.bar(range(len(xs)), heights, color=[styles[v]["color"] for v in xs],
                          yerr=[[0] * len(up), up], capsize=3)
        ax_ctx.bar_label(bars, [f"{h:.0f}" for h in heights], fontsize=7)
        ax_ctx.set_xticks(range(len(xs)), xs)
        ax_ctx.set_xlabel("variant")
        ax_ctx.set_ylabel("context switches on target (count)")
        ax_ctx.margins(y=0.15)
        verdict = analysis.interference_verdict(d, config)
        _panel_title(ax_ctx, ctx, config, "context switches (bar mean per target, whisker max)"
                     + (f"\n{INLINE_VARIANT} vs {BASELINE_VARIANT}: "
                        f"{'removed' if verdict[0] else 'not removed'}" if verdict else ""))
    return _finish(fig, ctx, "5-interference", "Interference seen by an RT task on the target CPU",
                   "Left: distribution of the largest gap per window seen by a SCHED_FIFO spinner "
                   "on each target CPU while the caller drains at a set rate (step CDF through "
                   "min/p50/p90/p99/p99.9/max, worst target per variant). Right: context switches "
                   "of the spinner.", list(data), _legend_entries(styles, variants),
                   "variant (gaps: worst target)")


# --- 6: contended line -------------------------------------------------------

def contended(ctx):
    data = _per_config(ctx, lambda rows, c: (lambda d: d if d[0] or d[1] else None)(
        analysis.contended(rows, c)), "no c2c contended_total_ops/contended_elapsed or fairness rows")
    fig, axes = _panels(len(data), 2, 5.6, 3.5)
    ops = variant_order([op for d in data.values() for part in d for op in part], ctx.variants)
    styles = _styles(ops)
    for (config, (cost, fair)), (ax_t, ax_f) in zip(data.items(), axes):
        for op in variant_order(cost, ctx.variants):
            pts = cost[op]
            ax_t.plot([n for n, _ in pts], [mops for _, mops in pts], ms=4, label=op, **styles[op])
        ax_t.set_xlabel("CPUs contending (n_cpus)")
        ax_t.set_ylabel("throughput (Mops/s, total)")
        _panel_title(ax_t, ctx, config, "contended-line throughput")
        for op in variant_order(fair, ctx.variants):
            pts = fair[op]
            ax_f.plot([n for n, _ in pts], [v for _, v in pts], ms=4, label=op, **styles[op])
        ax_f.set_xlabel("CPUs contending (n_cpus)")
        ax_f.set_ylabel("stddev/mean of per-CPU ops")
        _panel_title(ax_f, ctx, config, "fairness (0 = perfectly fair)")
        for ax in (ax_t, ax_f):
            ax.grid(True, alpha=0.3)
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            if not ax.get_legend_handles_labels()[0]:
                ax.text(0.5, 0.5, "no rows", transform=ax.transAxes, ha="center")
    return _finish(fig, ctx, "6-contended", "Contended cache line: throughput and fairness vs CPUs",
                   "Every CPU hammers one cache line with the operation (atomic add, CAS, ticket "
                   "spinlock). Throughput = total ops / elapsed of the point (the CSV's "
                   "contended_total_ops / contended_elapsed), right even when threads are unfair; "
                   "fairness = stddev/mean of per-CPU op counts.", list(data),
                   _legend_entries(styles, ops), "operation")


ALL = (c2c_heatmap, remote_drain, drain_all, fast_path, interference, contended)
