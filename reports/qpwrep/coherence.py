"""The report section "cache lines moved per remote drain": the coherence
plugin's counts (plugins/coherence.c) of the lines that move between CPUs
while a kernel trigger drains remote CPUs, and an estimate of what those
lines cost on a measured machine.

Rows come from scripts/coherence-drain (scripts/coherence-trigger-rows):
scenario coherence, unit lines, per trigger and kernel at N CPUs (caller
CPU 0, targets 1..N-1, the kernel column's " pwlocks=0|1|isolated" telling
a patched kernel's mode): lines_to_target, lines_from_target and
lines_between_targets per drained CPU, variant "all" or a data object
(a per-CPU copy written NAME@caller|target|other), and the triggers'
instructions (trigger_insns, caller_insns; under -icount). The estimate
multiplies the lines by a machine's one-way cache-to-cache latency per
distance class (ubench c2c rows in the same input): an estimate from
those inputs, never a measurement."""

from .data import class_rank, trigger_of
from .kernel72 import _order, kernel_label
from .tables import Table

TITLE = "Cache lines moved per remote drain"
DIRECTIONS = ("lines_to_target", "lines_from_target", "lines_between_targets")

# Data objects by what they are in a drain (the plugin's names, per-CPU copies
# with their role): the mechanism's own lines first.
GROUPS = (
    ("work item, pool", ("lru_add_drain_work", "lru_add_drain_pw", "cpu_worker_pools")),
    ("batch, lock", ("cpu_fbatches", "mlock_fbatch", "lru_rotate", "memcg_stock", "obj_stock")),
    ("runqueue", ("runqueues", "tick_cpu_sched", "call_single_queue", "nohz_full_kick_work")),
    ("folios", ("[struct page]",)),
    ("dynamic per-CPU", ("[percpu-dynamic]",)),
)
OTHER = "other"


def group_of(obj):
    name = obj.split("@")[0]
    for label, names in GROUPS:
        if name in names:
            return label
    return OTHER


def _fmt(v, digits=1):
    return "–" if v is None else f"{v:,.{digits}f}"


def _points(rows):
    """{(trigger, kernel, n_cpus): {(metric, variant): row}} of the coherence rows."""
    out = {}
    for r in rows:
        if r.scenario == "coherence" and r.get("p50") is not None:
            out.setdefault((trigger_of(r), r.config.kernel, r.n_cpus), {})[(r.metric, r.variant)] = r
    return out


def _split(cell, direction):
    """The direction's total (p50) and its lines per object group (sum of
    the objects' means): 'total (group n, ...)'."""
    total = cell.get((direction, "all"))
    if total is None:
        return "–"
    groups = {}
    for (metric, variant), r in cell.items():
        if metric == direction and variant != "all":
            g = group_of(variant)
            groups[g] = groups.get(g, 0) + (r.get("mean") or 0)
    labels = [g for g, _ in GROUPS] + [OTHER]
    parts = [f"{g} {groups[g]:.1f}" for g in labels if groups.get(g, 0) >= 0.05]
    return f"{_fmt(total.get('p50'))}" + (f" ({', '.join(parts)})" if parts else "")


def lines_table(rows):
    """Trigger x kernel x CPUs: lines per drained CPU by direction and object
    group, the trigger's instructions beside them."""
    points = _points(rows)
    if not points:
        return None
    out, tops = [], []
    for key in sorted(points, key=lambda k: (k[0], _order(k[1]), k[2])):
        trigger, kernel, n = key
        cell = points[key]
        insns = cell.get(("trigger_insns", "all"))
        caller = cell.get(("caller_insns", "all"))
        samples = cell.get(("lines_to_target", "all"))
        out.append([trigger, kernel_label(kernel), str(n),
                    _split(cell, "lines_to_target"), _split(cell, "lines_from_target"),
                    _fmt((cell.get(("lines_between_targets", "all")) or {}).get("p50")
                         if cell.get(("lines_between_targets", "all")) else None),
                    _fmt(insns.get("p50"), 0) if insns else "–",
                    _fmt(caller.get("p50"), 0) if caller else "–",
                    f"{samples.get('samples'):.0f}" if samples and samples.get("samples") else "–"])
        if n == max(k[2] for k in points if k[:2] == key[:2]):
            for direction in DIRECTIONS[:2]:
                objs = sorted(((r.get("mean") or 0, v) for (m, v), r in cell.items()
                               if m == direction and v != "all"), reverse=True)[:5]
                if objs:
                    tops.append(f"{trigger}, {kernel_label(kernel)}, {n} CPUs, "
                                f"{direction.replace('_', ' ')}: "
                                + ", ".join(f"{v} {m:.1f}" for m, v in objs) + " (mean per drained CPU).")
    return Table(
        title=TITLE,
        columns=["trigger", "kernel", "CPUs (caller + targets)",
                 "lines caller → target per drained CPU, p50 (by object: mean)",
                 "lines target → caller per drained CPU, p50 (by object: mean)",
                 "lines between targets per drained CPU, p50",
                 "whole trigger, every CPU (p50 insns)", "the caller's CPU time (p50 insns)",
                 "triggers"],
        # Counts of a deterministic model, valid under emulation: never
        # under the TCG-times badge.
        rows=out, emulated=[False] * len(out),
        intro=("Valid as: counts, TCG (valid). scripts/coherence-drain: QEMU's coherence plugin (plugins/coherence.c) models "
               "MESI-like coherence per 64-byte physical line between the vCPUs of a guest of N "
               "CPUs under -icount and counts, in a window around each trigger that CPU 0 fires "
               "(ubench trigger, CPUs 1..N-1 refilled before it and idle while it runs), the lines "
               "that move from the CPU holding them Modified to another (perf c2c's HITM), per "
               "pair of CPUs and per data object the accessed address belongs to. Per drained CPU: "
               "the trigger's lines divided by the N-1 targets. The window holds the whole "
               "trigger (drop_caches also drops the page cache: the folios' lines), not the drain "
               "alone. Object groups: work item, pool (lru_add_drain_work, PW locks' "
               "lru_add_drain_pw, cpu_worker_pools); batch, lock (cpu_fbatches, mlock_fbatch, ...: the per-CPU caches and "
               "their lock word); runqueue (runqueues, tick_cpu_sched, the IPI queue); folios "
               "(struct pages); other (task structs and slab in the direct map, stacks, "
               "statistics). The instruction counts are the same triggers' (the plugin changes no "
               "guest instruction): under -icount a nanosecond is an instruction. Counts hold under "
               "emulation; the caches are unbounded, so a line leaves a CPU only when another "
               "CPU writes it. dynamic per-CPU: alloc_percpu() data (per-CPU statistics, SLUB's "
               "sheaves, ...), unnamed."),
        notes=tops)


def _c2c_classes(rows):
    """{machine label: {distance class: one-way latency p50 (median over the
    class's pairs)}} from ubench c2c rows."""
    by = {}
    for r in rows:
        if r.scenario != "c2c" or r.metric != "one_way_latency" or len(r.cpus) != 2:
            continue
        if r.get("p50") is None or not r.distance:
            continue
        c = r.config
        label = f"{c.host} ({c.cpu_model or c.arch}{', emulated' if c.emulated else ''})"
        by.setdefault(label, {}).setdefault(r.distance, []).append((r.get("p50"), r.unit))
    out = {}
    for label, classes in by.items():
        for cls, vals in classes.items():
            if any(u != "ns" for _, u in vals):
                continue
            s = sorted(v for v, _ in vals)
            out.setdefault(label, {})[cls] = s[len(s) // 2]
    return out


def estimate_table(rows):
    """Per machine with c2c rows and distance class: each coherence point's
    lines per drained CPU (to and from the target, p50) times that class's
    one-way latency. An estimate."""
    points = _points(rows)
    c2c = _c2c_classes(rows)
    if not points or not c2c:
        return None
    runs = sorted({k[:2] for k in points}, key=lambda k: (k[0], _order(k[1])))
    out, emulated = [], []
    emulated_machines = {m for m in c2c if m.endswith(", emulated)")}
    for machine in sorted(c2c):
        for cls in sorted(c2c[machine], key=class_rank):
            lat = c2c[machine][cls]
            for trigger, kernel in runs:
                cells = []
                for n in sorted(k[2] for k in points if k[:2] == (trigger, kernel)):
                    cell = points[(trigger, kernel, n)]
                    lines = sum((cell.get((d, "all")).get("p50") or 0) for d in DIRECTIONS[:2]
                                if cell.get((d, "all")))
                    cells.append(f"N={n}: {_fmt(lines, 1)} lines → {_fmt(lines * lat / 1000, 2)} µs")
                out.append([machine, cls, _fmt(lat, 1), trigger, kernel_label(kernel), "; ".join(cells)])
                emulated.append(machine in emulated_machines)
    return Table(
        title=f"{TITLE}: cost estimate per machine (an estimate, not a measurement)",
        columns=["machine (its ubench c2c rows)", "distance class caller ↔ target",
                 "one-way c2c latency p50 (ns)", "trigger", "kernel",
                 "estimate per drained CPU at N CPUs: (lines caller → target + target → caller, "
                 "p50) × latency"],
        rows=out, emulated=emulated,
        intro=("ESTIMATE, not a measurement. Inputs: the lines per drained CPU of the table "
               "above (counted by the coherence plugin in an emulated guest) and each machine's "
               "one-way cache-line latency per distance class from its ubench c2c rows in this "
               "report's input (median of the class's pairs' p50). Each line is charged one "
               "one-way transfer at the class between the caller and the target, as if the "
               "transfers were serial (dependent misses); overlapping misses would cost less, "
               "lines that also miss to memory more. The workqueue's lines are paid on both CPUs "
               "(the target's kworker and the caller), PW locks' on the caller."))


def tables(rows):
    """The section's tables that have data."""
    return [t for t in (lines_table(rows), estimate_table(rows)) if t is not None]
