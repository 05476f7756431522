"""The report section "the proposal on a real kernel": our PW locks patches
(kernel/pwlocks/) in Linux 7.2 built by scripts/build-kernel, against stock
7.2 from the same tree, compiler and config.

Rows come from the 7.2 guests (scripts/tests/vm-pwlocks): ubench trigger
rows (scenario trigger) and qpwbench-kpath rows (scenario kpath). A patched
kernel's kernel column ends in " pwlocks=0|1|isolated" (ubench reads
/sys/kernel/pwlocks), so one kernel booted each way counts as a kernel of its own.
Under scripts/vm --icount the unit is insns: guest instructions, a path
length, not a time."""

import re

from .analysis import target_load
from .data import trigger_of
from .tables import Table

TITLE = "The proposal on a real kernel"
_PW = re.compile(r"^(?P<base>.*?)(-pwlocks)?(?: pwlocks=(?P<state>[01]|isolated))?$")


def is_ours(kernel):
    """Kernels built by scripts/build-kernel: release 7.2.x[-rt][-pwlocks]."""
    return kernel.startswith("7.2.")


def stock_of(kernel):
    """The stock kernel a patched one is compared with: 7.2.13-rt-pwlocks
    pwlocks=1 -> 7.2.13-rt."""
    return _PW.match(kernel).group("base")


def kernel_label(kernel):
    m = _PW.match(kernel)
    if m.group("state"):
        return f"{m.group('base')} + PW locks, pwlocks={m.group('state')}"
    return f"{kernel} (stock)"


def state_of(kernel):
    """"stock", "0", "1" or "isolated": how a 7.2 kernel ran its PW locks
    (any other kernel: stock)."""
    return _PW.match(kernel).group("state") or "stock"


def order(kernel):
    return _order(kernel)


def _order(kernel):
    m = _PW.match(kernel)
    # stock, pwlocks=0, pwlocks=1, pwlocks=isolated
    return (m.group("base"), {None: 0, "0": 1, "1": 2, "isolated": 3}[m.group("state")])


def _fmt(v, digits=1):
    return "–" if v is None else f"{v:,.{digits}f}"


# The caller's rows of a trigger run; the others are per target CPU.
CALLER_METRICS = ("trigger_latency", "trigger_caller_cpu", "trigger_calls")


def interference(rows):
    """Trigger x kernel: work items run on the isolated target per trigger,
    under a target load (idle targets are the drain-cost runs' and rtla's
    witness's: no spinner there to interfere with)."""
    mine = [r for r in rows if r.scenario == "trigger" and is_ours(r.config.kernel)
            and target_load(r) != "idle"]
    if not mine:
        return None
    # Per target CPU; the caller's rows (cpus: the caller, then the targets) go
    # to every target row of their trigger and kernel.
    by, caller = {}, {}
    for r in mine:
        if r.metric in CALLER_METRICS:
            caller.setdefault((trigger_of(r), r.config.kernel), []).append(r)
        else:
            by.setdefault((trigger_of(r), r.config.kernel, r.cpus), []).append(r)
    out, emulated = [], []
    for (trigger, kernel, cpus) in sorted(by, key=lambda k: (k[0], _order(k[1]), k[2])):
        rs = by[(trigger, kernel, cpus)]
        work = {}
        for r in rs:
            if r.metric == "trigger_work_items":
                work.setdefault(r.variant, []).append(r)
        # Boots of one kernel and setting (vm-pwlocks-*-boot2) pooled.
        work = {v: _Pooled(grs) for v, grs in work.items()}
        total = work.get("all")
        named = sorted((v, r) for v, r in work.items() if v != "all" and (r.get("mean") or 0) > 0)
        switches = next((r for r in rs if r.metric == "target_involuntary_switches"), None)
        stalled = [r for r in rs if r.metric == "stalled"]
        stalled = _Pooled(stalled) if stalled else None
        own = next((r for r in caller.get((trigger, kernel), [])
                    if r.metric == "trigger_caller_cpu"), None)
        n = int(total.get("samples") or 0) if total else 0
        out.append([trigger, kernel_label(kernel), ",".join(map(str, cpus)),
                    (f"{_fmt(total.get('mean'), 2)} (min {_fmt(total.get('min'), 0)}, "
                     f"max {_fmt(total.get('max'), 0)}, {n} triggers)"
                     if total else "–"),
                    ", ".join(f"{v} {_fmt(r.get('mean'), 2)}" for v, r in named) or "none",
                    _fmt(switches.get("mean"), 2) if switches else "–",
                    (f"{stalled.get('mean') * (stalled.get('samples') or n):.0f} of "
                     f"{int(stalled.get('samples') or n)}"
                     if stalled and stalled.get("mean") is not None else "–"),
                    (f"{_fmt(own.get('p50'), 0)} insns (the caller's own)"
                     if own and own.unit == "insns" else "–")])
        # Work-item counts hold under TCG: no TCG-times badge.
        emulated.append(False)
    return Table(
        title=f"{TITLE}: work items on the isolated CPU per trigger",
        columns=["trigger", "kernel", "target CPU", "work items per trigger",
                 "by work function (mean per trigger)", "spinner involuntary switches per trigger",
                 "triggers that waited for the target (stalled)",
                 "caller's own CPU time (p50, where recorded)"],
        rows=out, emulated=emulated,
        intro=("Each trigger fired from CPU 0 while a thread on the isolated CPU 1 (and, in "
               "the 3-CPU guests, on housekeeping CPU 2) refilled its "
               "per-CPU caches before every trigger (ubench trigger; counts from the "
               "workqueue:workqueue_execute_start tracepoint on that CPU). Converted call sites "
               "(lru_add_drain_all and lru_cache_disable: lru_add_drain_per_cpu, the mlock "
               "batch's drain included; SLUB flush_all: flush_cpu_sheaves) "
               "must show none with pwlocks=1, and with pwlocks=isolated on CPU 1 only; "
               "unconverted ones (vmstat's refresh_vm_stats; memcg's stock drains, which "
               "the kernel itself skips on isolated CPUs) "
               "still do. Rows of several boots of one kernel and setting are pooled (their "
               "trigger counts add up). Counts survive emulation. A trigger that waited for "
               "the target ran into --hold (the spinner then stepped aside): its "
               "trigger_latency is that hold, an artefact, and is not shown; the caller's own "
               "CPU time is, where the rows have it (trigger_caller_cpu: instructions under "
               "--icount)."),
        notes=["pwlocks=0 is the patched kernel with the key off: it must behave as stock."])


class _Pooled:
    """Per-trigger count rows of several runs (boots) as one: min of the
    minima, max of the maxima, the mean weighted by samples, samples
    summed."""

    def __init__(self, rows):
        self.rows = rows

    def get(self, col):
        vals = [r.get(col) for r in self.rows]
        if any(v is None for v in vals):
            return None if len(vals) > 1 or not vals else vals[0]
        if col == "min":
            return min(vals)
        if col == "max":
            return max(vals)
        if col == "samples":
            return sum(vals)
        if col == "mean":
            n = [r.get("samples") or 0 for r in self.rows]
            return sum(v * k for v, k in zip(vals, n)) / sum(n) if sum(n) else None
        return vals[0] if len(vals) == 1 else None


def _unit(r):
    return "insns" if r.unit == "insns" else r.unit


def fast_path(rows):
    """Loop x kernel: per-op cost, and its ratio to stock."""
    mine = [r for r in rows if r.scenario == "kpath" and r.metric == "op_cost"
            and is_ours(r.config.kernel)]
    if not mine:
        return None
    cell = {}
    for r in mine:
        cell.setdefault((r.variant, r.config.kernel, r.unit), []).append(r)
    p50 = {k: sorted(x.get("p50") for x in v)[len(v) // 2] for k, v in cell.items()}
    out, emulated = [], []
    for (loop, kernel, unit) in sorted(cell, key=lambda k: (_order(k[1])[0], k[0], _order(k[1]))):
        v = p50[(loop, kernel, unit)]
        base = p50.get((loop, stock_of(kernel), unit))
        net = base_net = None
        syscall = p50.get(("getppid", kernel, unit))
        if loop != "getppid" and syscall is not None:
            net = v - syscall
            stock_syscall = p50.get(("getppid", stock_of(kernel), unit))
            if base is not None and stock_syscall is not None:
                base_net = base - stock_syscall
        if kernel == stock_of(kernel):
            ratio = "1 (stock)"
        else:
            ratio = f"{v / base:.3f}×" if base else "–"
        net_ratio = (f"{net / base_net:.3f}×" if net is not None and base_net
                     and kernel != stock_of(kernel) else "–")
        mins = min(x.get("min") for x in cell[(loop, kernel, unit)])
        out.append([loop, kernel_label(kernel), f"{_fmt(v)} {unit}", f"{_fmt(mins)} {unit}",
                    ratio, f"{_fmt(net)} {unit}" if net is not None else "–", net_ratio])
        # Instructions under -icount hold; TCG nanoseconds do not.
        emulated.append(unit != "insns" and any(x.config.emulated for x in cell[(loop, kernel, unit)]))
    return Table(
        title=f"{TITLE}: fast path per op",
        columns=["loop", "kernel", "p50 per op", "min per op", "ratio to stock (p50)",
                 "minus getppid (p50)", "ratio to stock, minus getppid"],
        rows=out, emulated=emulated,
        intro=("qpwbench-kpath on CPU 0: fault = write-fault one anonymous page and munmap it "
               "(LRU folio batch), getcwd = one kmalloc(PATH_MAX) + kfree through SLUB's per-CPU "
               "sheaves, getppid = the bare syscall. Unit insns: guest instructions under QEMU "
               "-icount shift=0 (path length, deterministic), never cycles; 'minus getppid' "
               "removes the syscall entry and exit."),
        notes=["On PREEMPT_RT the lock is the same spinlock_t either way (only where the drain "
               "runs changes); on !RT pwlocks=1 turns preempt_disable() into a per-CPU "
               "spinlock."])


def slope(points):
    return _slope(points)


def _slope(points):
    """Least-squares slope of [(x, y)]; None below two distinct x."""
    if len({x for x, _ in points}) < 2:
        return None
    mx = sum(x for x, _ in points) / len(points)
    my = sum(y for _, y in points) / len(points)
    return (sum((x - mx) * (y - my) for x, y in points)
            / sum((x - mx) ** 2 for x, _ in points))


def drain_cost(rows):
    """Trigger x kernel x CPUs (scripts/drain-cost: the caller and every other
    CPU as a target, so the caller rows' n_cpus is the guest's): the whole
    drain's instructions and the caller's share, with the cost per added
    CPU."""
    metrics = ("trigger_latency", "trigger_caller_cpu")
    mine = [r for r in rows if r.scenario == "trigger" and is_ours(r.config.kernel)
            and target_load(r) == "idle" and r.metric in metrics and r.unit == "insns"
            and r.get("p50") is not None]
    if not mine:
        return None
    cell = {}
    for r in mine:
        cell.setdefault((trigger_of(r), r.config.kernel, r.n_cpus, r.metric),
                        []).append(r.get("p50"))
    # Several runs of one point: their median p50.
    p50 = {k: sorted(v)[len(v) // 2] for k, v in cell.items()}
    points = sorted({k[:3] for k in p50}, key=lambda k: (k[0], _order(k[1]), k[2]))
    out, notes = [], []
    for trigger, kernel, n in points:
        whole = p50.get((trigger, kernel, n, metrics[0]))
        caller = p50.get((trigger, kernel, n, metrics[1]))
        stock = p50.get((trigger, stock_of(kernel), n, metrics[0]))
        stock_caller = p50.get((trigger, stock_of(kernel), n, metrics[1]))
        mine_stock = kernel == stock_of(kernel)
        out.append([trigger, kernel_label(kernel), str(n), _fmt(whole, 0),
                    "1 (stock)" if mine_stock else (f"{whole / stock:.3f}×" if whole and stock else "–"),
                    _fmt(caller, 0),
                    "1 (stock)" if mine_stock else
                    (f"{caller / stock_caller:.3f}×" if caller and stock_caller else "–")])
    for trigger, kernel in sorted({k[:2] for k in points}, key=lambda k: (k[0], _order(k[1]))):
        per_cpu = [_slope([(n, p50[(t, k, n, m)]) for (t, k, n, m) in p50
                           if t == trigger and k == kernel and m == metric])
                   for metric in metrics]
        if per_cpu[0] is not None:
            notes.append(f"{trigger}, {kernel_label(kernel)}: {_fmt(per_cpu[0], 0)} insns of the "
                         f"whole drain and {_fmt(per_cpu[1], 0)} of the caller's per added CPU "
                         "(least-squares slope of the p50s).")
    return Table(
        title=f"{TITLE}: drain cost against CPUs",
        columns=["trigger", "kernel", "CPUs (caller + targets)", "whole trigger, every CPU (p50 insns)",
                 "ratio to stock", "the caller's CPU time (p50 insns)", "ratio to stock"],
        rows=out, emulated=[False] * len(out),  # instructions under -icount: valid
        intro=("scripts/drain-cost: a guest of N CPUs under QEMU -icount fires each trigger from "
               "CPU 0 while CPUs 1..N-1, refilled before every trigger, sleep. PW locks "
               "(pwlocks=1) drain every CPU inline on the caller, one after another; stock 7.2 "
               "queues a work item on each and waits. Under -icount the vCPUs run one at a time "
               "and a guest nanosecond is one instruction, so the trigger's time is every CPU's "
               "instructions while it ran (the whole drain's work, wherever it ran, not its "
               "latency: the workqueue's parallelism cannot show; idle time skipped to the next "
               "timer counts too) and the caller's CPU time is its share (read around the "
               "trigger's clock reads, so it can exceed the trigger's time when the caller does "
               "all the work). Instructions see no cache misses: the remote lines an inline "
               "drain pulls cost nothing here."),
        notes=notes)


def tables(rows):
    """The section's tables that have data."""
    return [t for t in (interference(rows), fast_path(rows), drain_cost(rows)) if t is not None]
