"""The numbers the figures and the summary share, computed per config.

Several rows can measure the same thing: repetitions (--repeat) and, for
per-CPU measurements, several target CPUs. Each function says how it
combines them; repetitions always combine by median.
"""

from dataclasses import dataclass

from . import stats
from .data import (BASELINE_VARIANT, INLINE_VARIANT, aggregate, class_rank, format_ns,
                   format_value, group, max_of, median_of, select, settings)


# Loads whose owners fill the targets' batches: only there does a drain move entries.
FILLING_LOADS = ("owner", "owner-preempted")


def target_load(row):
    return row.target_load


def setting_of(rows):
    """row id -> its setting's label (data.settings(): the target load, and
    the parameters that differ between rows of that load)."""
    return {id(r): label for label, rs in settings(rows).items() for r in rs}


def fast_path(rows, config):
    """variant -> {"ns": median p50 per op over CPUs, "cycles": median PMU core
    cycles per op (only from an --events cycles column: DESIGN.md's anchors
    are core cycles), "ticks": median reference ticks per op (the TSC: not
    core cycles, never set beside the anchors)}."""
    out = {}
    # One CPU at a time only: local --concurrent rows (n_cpus > 1) measure a contended lock.
    alone = [r for r in select(rows, "local", "op_cost", config) if r.n_cpus <= 1]
    for variant, rs in group(alone, lambda r: r.variant).items():
        agg = aggregate(rs)
        out[variant] = {"ns": agg["p50"], "cycles": agg["core_cycles"], "ticks": agg["ticks"]}
    return out


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def fast_path_ratios(fp, variant):
    """(core cycles ratio, ns ratio) of variant to the baseline, None where unknown."""
    base, v = fp.get(BASELINE_VARIANT), fp.get(variant)
    if not base or not v:
        return None, None
    return ratio(v["cycles"], base["cycles"]), ratio(v["ns"], base["ns"])


def remote_drain(rows, config):
    """(distance, setting, variant) -> median stats over targets and repetitions,
    with "stalled": the largest stalled count of those rows (None if not recorded).
    The setting is the target load, with the parameters that tell its rows
    apart where they differ (data.settings())."""
    lat, stalls = select(rows, "remote", "drain_latency", config), select(rows, "remote", "stalled", config)
    # One setting (load and parameters) per key: never pooled (data.refuse_pooling()).
    label = setting_of(lat + stalls)
    stalled = {}
    for r in stalls:
        k = (r.distance, label[id(r)], r.variant)
        stalled[k] = max_of([stalled.get(k), r.get("max"), r.get("mean")])
    out = {}
    for k, rs in group(lat, lambda r: (r.distance, label[id(r)], r.variant)).items():
        out[k] = aggregate(rs)
        out[k]["stalled"] = stalled.get(k)
    return dict(sorted(out.items(), key=lambda kv: (class_rank(kv[0][0]), kv[0][1])))


def remote_drain_by_variant(rd):
    """variant -> {(distance, target load): (p50, p99, stalled)}, in rd's order
    (nearest class first): never pooled over classes or loads. A drain that
    hit the wait bound is counted in stalled, never quoted as a latency."""
    out = {}
    for (cls, load, v), agg in rd.items():
        out.setdefault(v, {})[(cls, load)] = (agg["p50"], agg["p99"], agg["stalled"])
    return out


def remote_headline(by_variant):
    """The (distance, setting) the summary's sentence speaks of: the nearest
    class, owner targets first (filled batches, the drain lru_add_drain_all()
    does), then unrecorded and idle ones; None without rows."""
    keys = [k for d in by_variant.values() for k in d]
    if not keys:
        return None
    return min(keys, key=lambda k: (class_rank(k[0]), not k[1].startswith(FILLING_LOADS),
                                    k[1] not in ("", "idle"), k[1]))


def drain_all_curves(rows, config):
    """variant -> [(n_cpus, p50, p99)] sorted by n_cpus (median over repetitions)."""
    curves = {}
    for (variant, n), rs in group(select(rows, "drain-all", "drain_all_latency", config),
                                  lambda r: (r.variant, r.n_cpus)).items():
        agg = aggregate(rs)
        curves.setdefault(variant, []).append((n, agg["p50"], agg["p99"]))
    return {v: sorted(pts) for v, pts in curves.items()}


def crossover(rows, config=None):
    """DESIGN.md's one crossover (stats.crossover(), which ubench drain-all
    prints too): least-squares lines p50 = a + b*N of INLINE_VARIANT (serial)
    and BASELINE_VARIANT (parallel) over the drain-all rows of one CPU order
    under owners (FILLING_LOADS), every run a point, and where they meet.
    None when either is missing."""
    rs = [r for r in select(rows, "drain-all", "drain_all_latency", config)
          if target_load(r) in FILLING_LOADS]
    pts = {v: [(r.n_cpus, r.get("p50")) for r in rs if r.variant == v and r.get("p50") is not None]
           for v in (INLINE_VARIANT, BASELINE_VARIANT)}
    x = stats.crossover(pts[INLINE_VARIANT], pts[BASELINE_VARIANT])
    if x:
        x.names = (INLINE_VARIANT, BASELINE_VARIANT)
    return x


def interference(rows, config):
    """variant -> {"gaps": worst-target stats of the spinner's gaps,
    "ctxsw": mean context switches per target, "ctxsw_max": the most on one
    target, "run_gaps": the worst gap of each --repeat run (for the ratio of
    medians over runs)}."""
    gaps = group(select(rows, "interference", "target_gap", config), lambda r: r.variant)
    ctx = group(select(rows, "interference", "target_ctx_switches", config), lambda r: r.variant)
    out = {}
    for variant in list(gaps) + [v for v in ctx if v not in gaps]:
        per_run = group(gaps.get(variant, []), lambda r: r.extra.get("run", ""))
        out[variant] = {
            "gaps": aggregate(gaps[variant], combine=max_of) if variant in gaps else None,
            "ctxsw": median_of([r.get("mean") for r in ctx.get(variant, [])]),
            "ctxsw_max": max_of([r.get("max") for r in ctx.get(variant, [])]),
            "run_gaps": [max_of([r.get("max") for r in rs]) for rs in per_run.values()],
        }
    return out


def interference_verdict(inter, config=None):
    """(removed: bool, one line of evidence), or None without both variants.
    Removed means the inline variant left the target no more context
    switches and a worst gap smaller than the workqueue's by the ratio of
    medians over runs with its 95% interval below 1 (stats.ratio_of_medians:
    with one run a side, the plain ratio). A worst gap about as long as RT
    throttling's (config's sched_rt: period - runtime) is flagged: it is the
    scheduler's throttling, not the drain."""
    base, inline = inter.get(BASELINE_VARIANT), inter.get(INLINE_VARIANT)
    if not base or not inline or not base["gaps"] or not inline["gaps"]:
        return None
    bc, ic = base["ctxsw"], inline["ctxsw"]
    bg, ig = base["gaps"]["max"], inline["gaps"]["max"]
    if None in (bc, ic, bg, ig):
        return None
    r = stats.ratio_of_medians(base["run_gaps"], inline["run_gaps"])
    removed = ic <= bc and r is not None and r.hi < 1
    evidence = (f"ctx switches {format_value(bc, 'count')}→{format_value(ic, 'count')},"
                f" max gap {format_ns(bg)}→{format_ns(ig)}")
    if r is not None and len(base["run_gaps"]) > 1 and len(inline["run_gaps"]) > 1:
        evidence += f" (ratio over runs {r.describe()})"
    throttle = config.rt_throttle_gap_ns if config else None
    if throttle and any(g is not None and 0.8 * throttle <= g <= 1.25 * throttle for g in (bg, ig)):
        evidence += (f"; a gap of about {format_ns(throttle)} is RT throttling "
                     f"(sched_rt {config.sched_rt}), not the drain")
    return removed, evidence


def stress_lost_ops(rows, config):
    """The largest lost_ops of any stress row (must be 0), or None without rows."""
    rs = select(rows, "stress", "lost_ops", config)
    return max_of([max_of([r.get("max"), r.get("mean")]) for r in rs]) if rs else None


def contended(rows, config):
    """(throughput curves, fairness curves): op -> [(n_cpus, value)]. Throughput
    is Mops/s, total ops / elapsed of the point (median over repetitions):
    right however unfair the threads were, unlike n / per-thread cost.
    Fairness is the median of the stddev/mean ratio."""
    def curves(metric, stat):
        out = {}
        for (op, n), rs in group(select(rows, "c2c", metric, config),
                                 lambda r: (r.variant, r.n_cpus)).items():
            out.setdefault(op, []).append((n, aggregate(rs)[stat]))
        return {op: {n: v for n, v in pts if v is not None} for op, pts in out.items()}
    ops, elapsed = curves("contended_total_ops", "mean"), curves("contended_elapsed", "mean")
    tput = {op: sorted((n, o / elapsed[op][n] * 1e3) for n, o in pts.items()
                       if elapsed.get(op, {}).get(n))
            for op, pts in ops.items()}
    fair = {op: sorted(pts.items()) for op, pts in curves("fairness", "mean").items()}
    return {op: pts for op, pts in tput.items() if pts}, fair


@dataclass
class C2CMatrix:
    cpus: list          # in topology order
    latency: list       # latency[i][j] ns (p50), None where not measured
    boundaries: list    # (index after which the class changes, class name)
    classes: list       # the distance classes of the measured pairs, nearest first


def c2c_matrix(rows, config):
    """One-way latency per CPU pair, CPUs ordered nearest-first: start at the
    smallest CPU and repeatedly take the unplaced CPU in the nearest class
    to the last placed one (lowest index on ties), so CPUs that share a
    core, cache or package end up adjacent. A boundary is drawn wherever the
    class between neighbours is wider than the narrowest such step."""
    rs = [r for r in select(rows, "c2c", "one_way_latency", config) if len(r.cpus) == 2]
    if not rs:
        return None
    lat, cls = {}, {}
    for (a, b), prs in group(rs, lambda r: r.cpus).items():
        lat[(a, b)] = aggregate(prs)["p50"]
        cls[(a, b)] = cls[(b, a)] = prs[0].distance
    cpus = sorted({c for pair in lat for c in pair})

    def rank(a, b):
        return class_rank(cls.get((a, b), ""))

    order = [cpus[0]]
    left = set(cpus[1:])
    while left:
        nxt = min(left, key=lambda c: (rank(order[-1], c), c))
        order.append(nxt)
        left.remove(nxt)
    steps = [rank(order[i], order[i + 1]) for i in range(len(order) - 1)]
    narrowest = min(steps) if steps else 0
    boundaries = [(i, cls.get((order[i], order[i + 1]), "unknown"))
                  for i, s in enumerate(steps) if s > narrowest]
    idx = {c: i for i, c in enumerate(order)}
    n = len(order)
    matrix = [[None] * n for _ in range(n)]
    for (a, b), v in lat.items():
        matrix[idx[a]][idx[b]] = v
        if (b, a) not in lat:       # one direction measured: the matrix is symmetric
            matrix[idx[b]][idx[a]] = v
    classes = sorted({c for c in cls.values()}, key=class_rank)
    return C2CMatrix(cpus=order, latency=matrix, boundaries=boundaries,
                     classes=[c or "n/a" for c in classes])
