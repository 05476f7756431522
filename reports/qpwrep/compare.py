"""--compare A.csv B.csv: ratios B/A per matching measurement, printed,
plotted and written as compare.html/compare.md."""

import math
import os

from . import stats
from .data import EMULATED_MARK, InputError, aggregate, format_value, group, variant_order
from matplotlib.ticker import FuncFormatter

from .figures import DPI, EMULATED_COLOR, PNG_EMULATED_KEY, PNG_KIND_KEY, Figure, plt
from .render import Document, write
from .tables import Table

# Rows match when they measure the same thing; CPU pairs of one class pool
# (their runs and targets), target loads and triggers never do.
KEY = ("scenario", "backend", "variant", "distance", "n_cpus", "metric", "unit", "target_load",
       "trigger")
EXTRA_KEYS = ("target_load", "trigger")
SCENARIO_ORDER = ("local", "remote", "drain-all", "interference", "c2c", "stress")


def _key(r):
    return tuple(r.config.backend if k == "backend" else
                 r.extra.get(k, "n/a") if k in EXTRA_KEYS else getattr(r, k) for k in KEY)


def _sort_key(variants):
    def key(k):
        sc = SCENARIO_ORDER.index(k[0]) if k[0] in SCENARIO_ORDER else len(SCENARIO_ORDER)
        var = variants.index(k[2]) if k[2] in variants else len(variants)
        return (sc, k[5], k[1], k[3], k[4], str(k[7]), var, k[2])
    return key


def _side(rows, path):
    """key -> (median stats, emulated, per-run p50s). One system per side: a
    file holding several kernels or hosts would pool them."""
    systems = {(r.config.host, r.config.arch, r.config.kernel, r.config.preempt) for r in rows}
    if len(systems) > 1:
        raise InputError(f"{path}: holds {len(systems)} systems "
                         f"({'; '.join(sorted(' '.join(s) for s in systems))}); "
                         "compare needs one system per file")
    return {k: (aggregate(rs), any(r.config.emulated for r in rs), [r.get("p50") for r in rs])
            for k, rs in group(rows, _key).items()}


def _ratio(b, a):
    return None if a is None or b is None or a == 0 else b / a


def _ratio_text(r):
    if r is None:
        return "n/a"
    return f"{r:.3f}" if r >= 0.01 else f"{r:.2g}"


def _short_names(path_a, path_b):
    """The shortest trailing parts of the two paths that tell them apart."""
    a, b = os.path.normpath(path_a).split(os.sep), os.path.normpath(path_b).split(os.sep)
    for n in range(1, max(len(a), len(b)) + 1):
        if a[-n:] != b[-n:]:
            return os.path.join(*a[-n:]), os.path.join(*b[-n:])
    return path_a, path_b


def _describe(path, rows):
    systems = sorted({f"{r.config.host} {r.config.arch} {r.config.kernel} ({r.config.preempt})"
                      for r in rows})
    return f"{os.path.basename(path)}: {'; '.join(systems)}"


# Units whose larger value is worse: what --threshold checks.
COST_UNITS = ("ns", "insns", "cycles")


def compare(path_a, rows_a, path_b, rows_b, variants, outdir, out, threshold=None):
    """Print the ratio table to out, write the plot and documents; return
    (the HTML path, regressions). With threshold (percent), a regression is a
    cost row (COST_UNITS) whose B/A p50 exceeds 1 + threshold/100: the ratio
    of medians' whole 95% interval when B and A have two runs or more, else
    the ratio itself. regressions lists one line each."""
    a, b = _side(rows_a, path_a), _side(rows_b, path_b)
    keys = sorted(set(a) & set(b), key=_sort_key(variant_order([k[2] for k in a], variants)))
    if not keys:
        raise InputError(f"{path_a} and {path_b} have no measurement in common "
                         f"(matched on {','.join(KEY)})")
    columns = ["scenario", "backend", "variant", "distance", "n_cpus", "metric", "target load",
               "A p50", "B p50", "B/A p50", "A p99", "B p99", "B/A p99"]
    rows, emulated, plotted, regressions = [], [], [], []
    for k in keys:
        (sa, ea, runs_a), (sb, eb, runs_b) = a[k], b[k]
        unit = k[6]
        stat = "mean" if unit != "ns" else "p50"   # counts and ratios: their mean
        r50, r99 = _ratio(sb[stat], sa[stat]), _ratio(sb["p99"], sa["p99"])
        # Over runs, the ratio of medians with its 95% interval (ubench's, number for number).
        interval = (stats.ratio_of_medians(runs_a, runs_b)
                    if unit == "ns" and len(runs_a) > 1 and len(runs_b) > 1 else None)
        if threshold is not None and unit in COST_UNITS:
            worst = interval.lo if interval else r50
            if worst is not None and worst > 1 + threshold / 100:
                regressions.append(
                    f"{k[0]} {k[2]} {k[5]}" + (f" {k[3]}" if k[3] else "") + f" n={k[4]}"
                    + (f" {k[7]}" if k[7] not in ("", "n/a") else "")
                    + f": B/A p50 {interval.describe() if interval else _ratio_text(r50)}"
                    + f" > {1 + threshold / 100:.3g}")
        rows.append([k[0], k[1], k[2], k[3] or "-", str(k[4]), f"{k[5]} ({unit})",
                     k[7] if k[7] not in ("", "n/a") else "-",
                     format_value(sa[stat], unit), format_value(sb[stat], unit),
                     interval.describe() if interval else _ratio_text(r50),
                     format_value(sa["p99"], unit), format_value(sb["p99"], unit),
                     _ratio_text(r99)])
        emulated.append(ea or eb)
        if r50 is not None or r99 is not None:
            label = (f"{k[0]} {k[2]} {k[5]}" + (f" {k[3]}" if k[3] else "") + f" n={k[4]}"
                     + (f" {k[7]}" if k[7] not in ("", "n/a") else "")
                     + (" [emulated]" if ea or eb else ""))
            plotted.append((label, r50, r99, ea or eb))
    only_a, only_b = len(set(a) - set(b)), len(set(b) - set(a))
    notes = [f"A = {_describe(path_a, rows_a)}", f"B = {_describe(path_b, rows_b)}",
             f"{len(keys)} measurements in both; {only_a} only in A, {only_b} only in B.",
             "Several rows with one key (repetitions, CPU pairs of one class, targets) are "
             "reduced to their median first."]
    table = Table(title="Ratios B/A per matching measurement", columns=columns, rows=rows,
                  emulated=emulated, notes=notes,
                  intro="Below 1: B is faster (or counts fewer) than A.")

    _print(table, out)
    os.makedirs(outdir, exist_ok=True)
    name_a, name_b = _short_names(path_a, path_b)
    title = f"qpwbench compare: B/A = {name_b} / {name_a}"
    fig_path = _plot(plotted, outdir, title, " ".join(notes[:2]))
    doc = Document(title)
    if any(emulated):
        doc.banner(f"⚠ Rows marked '{EMULATED_MARK}' involve TCG-emulated runs: their ratios "
                   f"compare emulators, not kernels.")
    doc.table(table)
    if threshold is not None:
        doc.notes([f"Threshold {threshold:g}%: " + (f"{len(regressions)} regression(s)"
                                                    if regressions else "no regression")]
                  + regressions)
    doc.figure(fig_path)
    return write(doc, outdir, "compare"), regressions


def _print(table, out):
    cells = [table.columns] + table.rows
    widths = [max(len(r[i]) for r in cells) for i in range(len(table.columns))]
    for r, emu in zip(cells, [False] + table.emulated):
        line = "  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip()
        print(line + (f"  [{EMULATED_MARK}]" if emu else ""), file=out)
    for n in table.notes:
        print(n, file=out)


def _plot(plotted, outdir, title, caption):
    """Bars of B/A per measurement with a ratio (0/0 counts stay in the table)."""
    labels = [p[0] for p in plotted]
    # A ratio of 0 (B counted none) has no place on a log axis: written, not drawn.
    r50 = [p[1] if p[1] else math.nan for p in plotted]
    r99 = [p[2] if p[2] else math.nan for p in plotted]
    emulated_rows = [p[3] for p in plotted]
    n = len(labels)
    fig, ax = plt.subplots(figsize=(9, 1.4 + 0.24 * n))
    ys = range(n)
    # Bars grow from 1 on a log axis, so 0.5 and 2 look equally far from "same".
    for offset, vals, label, color in ((-0.2, r50, "B/A p50 (mean for counts)", "#1f77b4"),
                                       (0.2, r99, "B/A p99", "#ff7f0e")):
        ax.barh([y + offset for y in ys], [v - 1 if math.isfinite(v) else 0 for v in vals], 0.4,
                left=1, label=label, color=color)
    for y, p in zip(ys, plotted):
        if 0 in (p[1], p[2]):
            ax.text(1, y, "  0 (none in B)", va="center", fontsize=7, color="#666666")
    ax.axvline(1.0, color="black", linewidth=1)
    finite = [v for v in r50 + r99 if math.isfinite(v) and v > 0]
    lo, hi = min(finite + [1.0]), max(finite + [1.0])
    ax.set_xscale("log", base=2 if hi / lo <= 64 else 10)
    ax.set_xlim(min(lo, 1 / hi) / 1.3, max(hi, 1 / lo) * 1.3)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}×"))
    ax.set_yticks(list(ys), labels, fontsize=7)
    for tick, emu in zip(ax.get_yticklabels(), emulated_rows):
        if emu:
            tick.set_color(EMULATED_COLOR)
    ax.invert_yaxis()
    ax.set_xlabel("ratio B/A (below 1: B faster)")
    ax.legend(fontsize=7, loc="lower right")
    emulated = any(emulated_rows)
    ax.set_title(title + (f"\n⚠ red rows: {EMULATED_MARK}" if emulated else ""), fontsize=10,
                 color=EMULATED_COLOR if emulated else "black")
    fig.tight_layout()
    path = os.path.join(outdir, "compare.png")
    fig.savefig(path, dpi=DPI, metadata={"Title": title, "Description": caption,
                                         PNG_KIND_KEY: "compare",
                                         PNG_EMULATED_KEY: "yes" if emulated else "no"})
    plt.close(fig)
    return Figure(name="compare", title=title, caption=caption, path=path, emulated=emulated)
