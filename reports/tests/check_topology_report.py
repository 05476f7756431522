#!/usr/bin/python3
"""The vm suite's topology guests, last step: build the report from what
the guest wrote (scripts/tests/vm-topology's CSVs) and check it shows the
topology: a c2c heatmap over every CPU with class boundaries, remote drains
in every distance class of the pairs, drain-all to N = CPUs on the ramp and
the spread order, every figure marked emulated. Missing rows fail.

  check_topology_report.py DIR     (DIR: scripts/vm --out of the guest)

Writes DIR/report/; exit 0 when every check holds, 1 naming what failed.
"""

import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
from qpwrep import analysis, data, figures, plans  # noqa: E402

FIGURES = ("1-c2c-heatmap", "2-remote-drain", "3-drain-all")


def main():
    if len(sys.argv) != 2 or not os.path.isdir(sys.argv[1]):
        print("usage: check_topology_report.py DIR", file=sys.stderr)
        return 2
    res = sys.argv[1]
    out = os.path.join(res, "report")
    run = subprocess.run([sys.executable, os.path.join(HERE, "..", "qpwreport"), "-o", out, res],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
    print(run.stdout, end="")
    failures = []

    def check(ok, what):
        print(("ok:   " if ok else "FAIL: ") + what)
        if not ok:
            failures.append(what)

    check(run.returncode == 0, f"qpwreport exit status {run.returncode}")
    rows, _, _ = data.load_all([res])
    configs = data.configs_of(rows)
    pairs = {}
    with open(os.path.join(res, "topo-pairs.csv"), encoding="utf-8") as f:
        for line in f.read().splitlines()[1:]:
            a, b, cls = line.split(",")
            pairs[(int(a), int(b))] = cls
    ncpus = len({c for p in pairs for c in p})
    classes = sorted(set(pairs.values()), key=data.class_rank)
    print(f"guest: {ncpus} CPUs, {len(pairs)} pairs, classes {', '.join(classes)}")

    c2c = [(c, analysis.c2c_matrix(rows, c)) for c in configs]
    c2c = [(c, m) for c, m in c2c if m]
    check(len(c2c) == 1, f"one system with c2c rows, found {len(c2c)}")
    for c, m in c2c:
        check(sorted(m.cpus) == list(range(ncpus)), f"heatmap over CPUs 0-{ncpus - 1}: {m.cpus}")
        check(all(v is not None for i, row in enumerate(m.latency) for j, v in enumerate(row)
                  if i != j), "every pair of the heatmap has a latency")
        drawn = {cls for _, cls in m.boundaries}
        check(drawn == set(classes[1:]),
              f"class boundaries drawn for {sorted(drawn)}, want every class past the nearest "
              f"{classes[1:]}")
        check(c.emulated, "rows marked emulated")

    # The module's rows (backend kmod) are one system apart from c2c's
    # (user); missing remote or drain-all rows fail, they do not skip.
    kmod = [c for c in configs if c.backend == "kmod"]
    check(len(kmod) == 1, f"one system with module rows, found {len(kmod)}")
    for c in kmod:
        remote = {k[0] for k in analysis.remote_drain(rows, c)}
        check(classes and remote == set(classes), f"remote drains by class {sorted(remote)}, "
              f"want {classes}")
        orders = plans.drain_all_orders(rows, c)
        check([label for label, _ in orders] == [plans.RAMP, plans.SPREAD],
              f"drain-all orders {[label for label, _ in orders]}, want {[plans.RAMP, plans.SPREAD]}")
        for label, rs in orders:
            curves = analysis.drain_all_curves(rs, c)
            check(curves, f"drain-all {label}: curves for {sorted(curves)}")
            # N counts the CPUs drained besides the caller: 1..ncpus-1. Rows
            # from before the parameters columns (drain_empty) counted the
            # caller too: 1..ncpus.
            top = ncpus - 1 if all("drain_empty" in r.extra for r in rs) else ncpus
            for v, pts in curves.items():
                check([n for n, _, _ in pts] == list(range(1, top + 1)),
                      f"drain-all {label} {v}: N = {[n for n, _, _ in pts]}")

    for name in FIGURES:
        path = os.path.join(out, name + ".png")
        ok = os.path.isfile(path)
        with open(path, "rb") if ok else open(os.devnull, "rb") as f:
            head = f.read(4096)
        check(ok and f"{figures.PNG_EMULATED_KEY}\0yes".encode() in head,
              f"{name}.png drawn and marked emulated")
    if failures:
        print(f"{len(failures)} check(s) failed")
        return 1
    print(f"report checks passed: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
