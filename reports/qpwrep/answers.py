"""The report's first screen: four answer tables, each labelled by what its
numbers are valid as, and the RT reviewer's rows after them.

  (a) fast-path cost, PW locks off against on, per kernel
  (b) remote-drain cost per distance class, owners at a fixed fill
  (c) drain-all: serial inline against parallel queued
  (d) does this call site interrupt an isolated CPU? (trigger x kernel)

Nothing is pooled: a cell holds rows that agree in system, source file and
every parameters column (data.parameter_columns(): fill, drainer_policy,
...); rows that differ in any get rows of their own. Provenance of a row:

  times, bare metal         emulated = no, unit ns (or core cycles)
  times, virtualized host   emulated = virtualized
  counts/instructions, TCG  emulated = tcg*, unit count or insns: valid
  times, TCG                never in these tables (the figures and tables
                            after them keep them, marked)
"""

from . import analysis, kernel72, plans
from .data import (BASELINE_VARIANT, INLINE_VARIANT, class_rank, format_ns, group,
                   median_of, parameter_columns, trigger_of)
from .tables import Table

BARE = "times, bare metal"
VIRT = "times, virtualized host (host noise)"
TCG_COUNTS = "counts, TCG (valid)"
TCG_INSNS = "instructions, TCG -icount (valid)"
TCG_TIMES = "times, TCG (not valid: appendix only)"

MODEL_NOTE = ("backend user: the userspace model of the variants (ubench/model), "
              "not the kernel's code")


def provenance(row):
    """What a row's numbers are valid as (one of the labels above)."""
    c = row.config
    if c.emulated:
        if row.unit == "insns":
            return TCG_INSNS
        if row.unit in ("count", "ratio", "entries"):
            return TCG_COUNTS
        return TCG_TIMES
    return VIRT if c.virtualized else BARE


def _source(row):
    return row.extra.get("_source", "")


def _set_key(row):
    """What must agree for two rows to share a cell: the source file and every
    parameters column (a file without those columns cannot tell its runs'
    parameters apart, so its rows never meet another file's)."""
    return (_source(row),) + row.params


def _params_of(row, skip=("interrupted",)):
    return {c: row.param(c) for c in parameter_columns() if c not in skip and row.param(c) != "n/a"}


def _common(rows):
    """The parameters every one of rows has alike (column -> value): a table
    says them once, above it, and its rows only what differs."""
    common = None
    for r in rows:
        mine = _params_of(r)
        common = mine if common is None else {c: v for c, v in common.items() if mine.get(c) == v}
    return common or {}


def _common_text(common):
    return (" Every row: " + ", ".join(f"{c} {v}" for c, v in common.items()) + ".") if common else ""


def _params_text(rows, common=None, sources=1):
    """The parameters of a cell's rows, as recorded ("fill 32, drainer_policy
    fifo") but for those in common, or "not recorded (FILE)" for files from
    before those columns; with sources > 1 (its system's rows come from
    several files) the file too, so that two rows alike in parameters are
    told apart."""
    r = rows[0]
    common = common or {}
    known = [(c, v) for c, v in _params_of(r).items() if common.get(c) != v]
    text = ", ".join(f"{c} {v}" for c, v in known)
    if r.param("interrupted") == "yes":
        text += " INTERRUPTED (partial)"
    if not _params_of(r) and r.param("interrupted") != "yes":
        return f"not recorded ({_source(r) or 'unknown file'})"
    if sources > 1:
        text += f" ({_source(r)})" if text else _source(r)
    return text


def _then(text):
    """"; TEXT" after a cell's own words, or nothing."""
    return f"; {text}" if text else ""


def _natural(key):
    """A sort key in which "8" comes before "32": numbers as numbers."""
    out = []
    for k in key if isinstance(key, tuple) else (key,):
        try:
            out.append((0, float(k), ""))
        except (TypeError, ValueError):
            out.append((1, 0.0, str(k)))
    return tuple(out)


def _sources(rows):
    return len({_source(r) for r in rows})


def ambiguous(rows):
    """True when rows that should be one measurement's runs are not: two rows
    of one variant, metric, CPU set and run number in one cell differ in
    something their file did not record (a file from before the parameters
    columns holding several fills). Such a cell is not shown."""
    seen = set()
    for r in rows:
        k = (r.variant, r.metric, r.cpus, r.n_cpus, r.extra.get("run", ""), r.target_load,
             trigger_of(r) if r.scenario == "trigger" else "")
        if k in seen:
            return True
        seen.add(k)
    return False


AMBIGUOUS = "not shown: rows that differ in parameters their file did not record"


def _label(ctx, config):
    return ctx.labels[config]


def _stat(rows, stat):
    """The median of stat over rows (runs, CPUs of one setting), as the
    appendix's summary takes it."""
    return median_of([r.get(stat) for r in rows])


def _fmt_num(v, digits=1):
    return "–" if v is None else f"{v:,.{digits}f}"


def _valid_line(provs):
    order = [BARE, VIRT, TCG_INSNS, TCG_COUNTS]
    have = [p for p in order if p in provs]
    return "Valid as: " + ("; ".join(have) if have else "nothing here (no rows of a valid kind)") + "."


# --- (a) fast path ------------------------------------------------------------

def fast_path(ctx):
    """Per kernel and setting: stock, PW locks off, PW locks on, and on / off."""
    out, provs, excluded = [], set(), set()
    # The module or the userspace model: local op_cost, one CPU at a time.
    local = [r for r in ctx.rows if r.scenario == "local" and r.metric == "op_cost" and r.n_cpus <= 1]
    common = _common(r for r in local if provenance(r) != TCG_TIMES)
    for config in ctx.configs:
        mine = [r for r in local if r.config == config]
        if not mine:
            continue
        if provenance(mine[0]) == TCG_TIMES:
            excluded.add(_label(ctx, config))
            continue
        for _, rs in sorted(group(mine, _set_key).items(), key=lambda kv: _natural(kv[0])):
            if ambiguous(rs):
                out.append([_label(ctx, config), provenance(rs[0]), "local op", AMBIGUOUS,
                            "–", "–", "–"])
                continue
            by_v = group(rs, lambda r: r.variant)
            cyc = all(r.core_cycles is not None for r in rs)

            def val(variant):
                vr = by_v.get(variant)
                if not vr:
                    return None
                if cyc:
                    return median_of([r.core_cycles for r in vr])
                return _stat(vr, "p50")

            unit = "core cycles" if cyc else "ns"
            fmt = (lambda v: "–" if v is None else f"{v:,.0f} cyc") if cyc else format_ns
            off, on, stock = val("qpw-off"), val(INLINE_VARIANT), val(BASELINE_VARIANT)
            prov = provenance(rs[0])
            provs.add(prov)
            out.append([_label(ctx, config) + (f" ({MODEL_NOTE.split(':')[0]})"
                                               if config.backend == "user" else ""),
                        prov, f"local op ({unit}, p50 over CPUs)"
                        + _then(_params_text(rs, common, _sources(mine))),
                        fmt(stock), fmt(off), fmt(on),
                        f"{on / off:.2f}×" if on and off else "–"])
    # Our 7.2 kernels: qpwbench-kpath, instructions under -icount.
    kp = [r for r in ctx.rows if r.scenario == "kpath" and r.metric == "op_cost"
          and kernel72.is_ours(r.config.kernel)]
    cells = {}
    for r in kp:
        if provenance(r) == TCG_TIMES:
            excluded.add(f"kpath {r.config.kernel}")
            continue
        cells.setdefault((kernel72.stock_of(r.config.kernel), r.variant, r.unit), {}) \
            .setdefault(kernel72.state_of(r.config.kernel), []).append(r)
    for (base, loop, unit), states in sorted(cells.items()):
        p = {s: _stat(rs, "p50") for s, rs in states.items()}
        prov = provenance(next(iter(states.values()))[0])
        provs.add(prov)

        def f(s):
            return "–" if p.get(s) is None else f"{p[s]:,.1f} {unit}"
        off, on = p.get("0"), p.get("1")
        out.append([base, prov, f"kernel path {loop} (qpwbench-kpath, p50)", f("stock"),
                    f("0") + ("" if "isolated" not in p else f"; isolated {f('isolated')}"),
                    f("1"), f"{on / off:.3f}×" if on and off else "–"])
    notes = []
    if excluded:
        notes.append("Not shown, times under TCG (the figures below keep them, marked): "
                     + "; ".join(sorted(excluded)) + ".")
    return Table(
        title="(a) Fast-path cost: PW locks off against on, per kernel",
        columns=["kernel / system", "valid as", "what", "stock (wq)", "PW locks off (qpw-off, pwlocks=0)",
                 "PW locks on (qpw-on, pwlocks=1)", "on / off"],
        rows=out, emulated=[False] * len(out), notes=notes,
        intro=(_valid_line(provs) + " Core cycles where a PMU counted them (--events cycles), "
               "else ns; instructions where emulated (QEMU -icount: path lengths, not times). "
               "The user model's qpw-off is wq (userspace cannot patch a static branch)."
               + _common_text(common)))


# --- (b) remote drain ---------------------------------------------------------

def _drains(rs_lat, rs_stall):
    """(p50, p99, stall rate text) of one cell."""
    p50, p99 = _stat(rs_lat, "p50"), _stat(rs_lat, "p99")
    timed = sum(r.get("samples") or 0 for r in rs_lat)
    stalled = sum(max(r.get("max") or 0, 0) if (r.get("samples") or 0) <= 1
                  else (r.get("mean") or 0) * (r.get("samples") or 0) for r in rs_stall)
    total = timed + stalled
    rate = f"{stalled / total:.1%} stalled ({stalled:.0f}/{total:.0f})" if total and rs_stall else "stalls n/a"
    return p50, p99, rate


def remote_drain(ctx):
    out, provs, tcg = [], set(), set()
    # Owners on the targets; files from before the target_load column too
    # (their rows say so in the parameters cell).
    rs = [r for r in ctx.rows if r.scenario == "remote" and r.target_load in ("owner", "")
          and r.metric in ("drain_latency", "stalled")]
    variants = [v for v in ctx.variants if any(r.variant == v for r in rs)]
    shown = {r.config for r in rs if r.metric == "drain_latency" and provenance(r) != TCG_TIMES}
    common = _common(r for r in rs if r.config in shown)
    for config in ctx.configs:
        mine = [r for r in rs if r.config == config]
        lat = [r for r in mine if r.metric == "drain_latency"]
        if not lat:
            continue
        if provenance(lat[0]) == TCG_TIMES:
            tcg.add(_label(ctx, config))
            continue
        keys = sorted({(r.distance, _set_key(r)) for r in lat},
                      key=lambda k: (class_rank(k[0]), _natural(k[1][1:]), k[1][0]))
        for cls, sk in keys:
            cell_rows = [r for r in mine if r.distance == cls and _set_key(r) == sk]
            cells = []
            for v in variants:
                lv = [r for r in cell_rows if r.variant == v and r.metric == "drain_latency"]
                sv = [r for r in cell_rows if r.variant == v and r.metric == "stalled"]
                if not lv:
                    cells.append("–")
                    continue
                if ambiguous(lv):
                    cells.append(AMBIGUOUS)
                    continue
                p50, p99, rate = _drains(lv, sv)
                cells.append(f"{format_ns(p50)} / {format_ns(p99)}; {rate}")
            prov = provenance(cell_rows[0])
            provs.add(prov)
            load = "" if cell_rows[0].target_load else "target load not recorded; "
            out.append([_label(ctx, config), prov, cls or "n/a",
                        load + _params_text(cell_rows, common, _sources(lat)) or "–"] + cells)
    notes = []
    if tcg:
        notes.append(f"Not shown, times under TCG ({len(tcg)} systems; figure 2 keeps them, "
                     "marked): " + "; ".join(sorted(tcg)) + ".")
    return Table(
        title="(b) Remote-drain cost per distance class, owners at a fixed fill",
        columns=["system", "valid as", "distance class", "parameters (fill, drainer policy, ...)"]
        + [f"{v}: p50 / p99; stall rate" for v in variants],
        rows=out, emulated=[False] * len(out), notes=notes,
        intro=(_valid_line(provs) + " One caller drains one target whose owner thread runs "
               "local ops (target load owner); each row one class and one set of parameters, "
               "never pooled. A drain that hit the wait bound is a stall, counted beside the "
               "latencies, never inside them." + _common_text(common)))


# --- (c) drain-all ------------------------------------------------------------

def drain_all(ctx):
    out, provs, tcg = [], set(), set()
    common = _common(r for r in ctx.rows if r.scenario == "drain-all"
                     and r.metric == "drain_all_latency" and provenance(r) != TCG_TIMES
                     and r.target_load in analysis.FILLING_LOADS)
    for config in ctx.configs:
        rs = [r for r in ctx.rows if r.scenario == "drain-all" and r.config == config
              and r.metric == "drain_all_latency"]
        if not rs:
            continue
        if provenance(rs[0]) == TCG_TIMES:
            tcg.add(_label(ctx, config))
            continue
        for label, ors in plans.drain_all_orders(ctx.rows, config):
            ors = [r for r in ors if r.metric == "drain_all_latency"]
            if not any(r.target_load in analysis.FILLING_LOADS for r in ors):
                continue
            for _, srs in sorted(group(ors, _set_key).items(), key=lambda kv: _natural(kv[0])):
                if ambiguous(srs):
                    out.append([_label(ctx, config), provenance(srs[0]), label or "–", "–",
                                AMBIGUOUS])
                    continue
                x = analysis.crossover(srs)
                prov = provenance(srs[0])
                provs.add(prov)
                ns = sorted({r.n_cpus for r in srs})
                out.append([_label(ctx, config), prov,
                            (label or "one CPU order") + _then(_params_text(srs, common, _sources(rs))),
                            f"N={ns[0]}..{ns[-1]}",
                            x.describe() if x else "not measurable here (no qpw-on or no wq rows)"])
    if tcg:
        out.append([f"{len(tcg)} TCG guest systems", "none (TCG cannot time a drain)", "–", "–",
                    "not measurable here: under TCG a drain's time is the emulator's"])
    # Our 7.2 kernels under -icount (scripts/drain-cost): instructions per added CPU.
    dc = [r for r in ctx.rows if r.scenario == "trigger" and kernel72.is_ours(r.config.kernel)
          and r.target_load == "idle" and r.unit == "insns" and r.get("p50") is not None
          and r.metric in ("trigger_latency", "trigger_caller_cpu")]
    cell = group(dc, lambda r: (trigger_of(r), r.config.kernel, r.metric))
    for trig, kernel in sorted({k[:2] for k in cell}, key=lambda k: (k[0], kernel72.order(k[1]))):
        slopes = []
        for metric in ("trigger_latency", "trigger_caller_cpu"):
            pts = [(r.n_cpus, r.get("p50")) for r in cell.get((trig, kernel, metric), [])]
            slopes.append(kernel72.slope(pts))
        if slopes[0] is None:
            continue
        ns = sorted({r.n_cpus for r in cell[(trig, kernel, "trigger_latency")]})
        provs.add(TCG_INSNS)
        out.append([kernel72.kernel_label(kernel), TCG_INSNS, f"scripts/drain-cost, {trig}",
                    f"N={ns[0]}..{ns[-1]} CPUs",
                    f"{_fmt_num(slopes[0], 0)} insns per added CPU, whole drain; "
                    f"{_fmt_num(slopes[1], 0)} on the caller"])
    return Table(
        title="(c) Drain-all: serial inline against parallel queued",
        columns=["system / kernel", "valid as", "CPU order, parameters", "measured", "answer"],
        rows=out, emulated=[False] * len(out),
        intro=(_valid_line(provs) + f" Times: N* where least-squares lines of drain-all p50 "
               f"against N for {INLINE_VARIANT} (serial inline) and {BASELINE_VARIANT} (parallel "
               f"queued) meet, with its 95% interval (DESIGN.md), owners on the targets. "
               f"Instructions: the cost per added CPU of the kernel's own drain (slope over N; "
               f"pwlocks=1 drains inline, stock queues), which cannot show the queue's "
               f"parallelism." + _common_text(common)))


# --- (d) triggers -------------------------------------------------------------

STATES = ("stock", "0", "1", "isolated")


def triggers(ctx):
    """Trigger x kernel: work items per trigger on the isolated target CPU under
    the FIFO spinner, stock / pwlocks=0 / pwlocks=1 / pwlocks=isolated."""
    rs = [r for r in ctx.rows if r.scenario == "trigger" and r.target_load not in ("idle",)
          and r.metric in ("trigger_work_items", "stalled") and provenance(r) != TCG_TIMES]
    cells = {}
    for r in rs:
        if r.metric == "trigger_work_items" and r.variant != "all":
            continue
        base = kernel72.stock_of(r.config.kernel)
        key = (base, r.config.host, r.config.arch, trigger_of(r), r.cpus, r.target_load,
               _set_key(r)[1:])
        cells.setdefault(key, {}).setdefault(kernel72.state_of(r.config.kernel), []).append(r)
    out, provs = [], set()
    # The lowest target CPU of each run: the isolated one (scripts/vm --isolate 1);
    # other targets (the vm suite's ordinary control CPU 2) are in the trigger table below.
    lowest = {}
    for k in cells:
        lowest[k[:4] + k[5:]] = min(lowest.get(k[:4] + k[5:], k[4]), k[4])
    for key in sorted(cells, key=lambda k: (not kernel72.is_ours(k[0]), k[0], k[3], k[4])):
        base, host, arch, trig, cpus, load, _ = key
        if cpus != lowest[key[:4] + key[5:]]:
            continue
        row = [f"{base} ({arch})", trig, ",".join(map(str, cpus))]
        for s in STATES:
            got = cells[key].get(s)
            work = [r for r in got or [] if r.metric == "trigger_work_items"]
            if not work:
                row.append("–")
                continue
            w = work[0]
            provs.add(provenance(w))
            stall = [r for r in got if r.metric == "stalled"]
            n = int(w.get("samples") or 0)
            text = f"{_fmt_num(w.get('mean'), 2)} (min {_fmt_num(w.get('min'), 0)})"
            if stall and stall[0].get("mean") is not None:
                text += f"; stalled {stall[0].get('mean') * n:.0f}/{n}"
            else:
                text += f"; {n} triggers"
            row.append(text)
        out.append(row)
    return Table(
        title="(d) Does this call site interrupt an isolated CPU? Work items per trigger",
        columns=["kernel", "trigger", "target CPU", "stock", "pwlocks=0", "pwlocks=1",
                 "pwlocks=isolated"],
        rows=out, emulated=[False] * len(out),
        intro=(_valid_line(provs) + " ubench trigger: the isolated target refills its per-CPU "
               "caches before every trigger while a SCHED_FIFO task holds it; a cell is the work "
               "items that ran there per trigger (every work function, flush_work()'s barrier "
               "included; 0 = not interrupted) and how many triggers waited for an RT task on a "
               "target (stalled N/triggers: after --hold every target's spinner steps aside, "
               "so a stall is the trigger's, not proof that this CPU held it up). Counts hold "
               "under TCG. The lowest target CPU of each run, "
               "the isolated one in the vm guests; the trigger table below has the others and "
               "names the work functions."))


# --- the RT reviewer's rows ---------------------------------------------------

def rt_reviewer(ctx):
    """owner_op_cost against owner_op_cost_alone (what a remote drain costs the
    target's own work), and the owner-preempted load per drainer policy."""
    out, provs, tcg_times = [], set(), set()
    owner = [r for r in ctx.rows if r.scenario in ("remote", "drain-all")
             and r.metric in ("owner_op_cost", "owner_op_cost_alone")]
    pre = [r for r in ctx.rows if r.target_load == "owner-preempted"]
    common = _common(r for r in owner + pre if provenance(r) != TCG_TIMES)
    for config in ctx.configs:
        mine = [r for r in owner if r.config == config]
        if not mine:
            continue
        if provenance(mine[0]) == TCG_TIMES:
            tcg_times.add(_label(ctx, config))
            continue
        for (sc, v, cls, n, load, sk), rs in sorted(group(
                mine, lambda r: (r.scenario, r.variant, r.distance, r.n_cpus, r.target_load,
                                 _set_key(r))).items(),
                key=lambda kv: (kv[0][0], class_rank(kv[0][2]), kv[0][3], kv[0][4],
                                _natural(kv[0][5][1:]), kv[0][5][0],
                                ctx.variants.index(kv[0][1]) if kv[0][1] in ctx.variants else 99)):
            if ambiguous(rs):
                continue
            during = _stat([r for r in rs if r.metric == "owner_op_cost"], "p50")
            alone = _stat([r for r in rs if r.metric == "owner_op_cost_alone"], "p50")
            if sc == "drain-all" and n != max(r.n_cpus for r in mine if r.scenario == sc):
                continue     # drain-all: the largest N only, one row per variant
            prov = provenance(rs[0])
            provs.add(prov)
            out.append([_label(ctx, config), prov, f"{sc} {cls or ''} N={n} {load}"
                        + _then(_params_text(rs, common, _sources(mine))), v,
                        "owner's op cost, alone → during drains",
                        f"{format_ns(alone)} → {format_ns(during)}"
                        + (f" ({during / alone:.2f}×)" if during and alone else "")])
    for (config, sc, v, sk), rs in sorted(group(
            pre, lambda r: (r.config, r.scenario, r.variant, _set_key(r))).items(),
            key=lambda kv: (kv[0][0].sort_key(), kv[0][1], str(kv[0][3]), kv[0][2])):
        policy = rs[0].param("drainer_policy")
        parts = []
        for metric in ("held_drains", "stalled", "target_involuntary_switches"):
            m = [r for r in rs if r.metric == metric]
            if m:
                parts.append(f"{metric} {_fmt_num(m[0].get('mean'), 2)}")
        lat = [r for r in rs if r.metric in ("drain_latency", "drain_all_latency")]
        if lat and provenance(lat[0]) != TCG_TIMES:
            parts.insert(0, f"p50 {format_ns(_stat(lat, 'p50'))}, p99 {format_ns(_stat(lat, 'p99'))}")
        elif lat:
            tcg_times.add(f"{_label(ctx, config)} (owner-preempted latencies)")
        provs.add(TCG_COUNTS if config.emulated else provenance(rs[0]))
        out.append([_label(ctx, config), TCG_COUNTS if config.emulated else provenance(rs[0]),
                    f"{sc} owner-preempted" + _then(_params_text(rs, common)), v,
                    f"drainer policy {policy if policy != 'n/a' else 'not recorded'}",
                    "; ".join(parts) or "–"])
    notes = []
    if not pre:
        notes.append("No owner-preempted rows in these inputs: ubench remote --target-load "
                     "owner-preempted (--drainer-policy other|fifo where ubench has it) on a "
                     "PREEMPT_RT kernel with the module makes them.")
    policies = sorted({r.param("drainer_policy") for r in pre})
    if pre:
        notes.append("Drainer policies present: " + ", ".join(policies) + ".")
    if tcg_times:
        notes.append("Not shown, times under TCG: " + "; ".join(sorted(tcg_times)) + ".")
    return Table(
        title="The RT reviewer's rows: what a remote drain costs the target's own work",
        columns=["system", "valid as", "run", "variant", "what", "value"],
        rows=out, emulated=[False] * len(out), notes=notes,
        intro=(_valid_line(provs) + " owner_op_cost_alone is the owner's cost per local op "
               "before the first drain, owner_op_cost while the drains take its lines away "
               "(p50 over targets). Under owner-preempted a SCHED_FIFO task preempts the "
               "target's owner inside its critical section before each drain; rows per "
               "drainer policy (the drainer_policy column) when ubench records it."
               + _common_text(common)))


def all_tables(ctx):
    return [fast_path(ctx), remote_drain(ctx), drain_all(ctx), triggers(ctx)]
