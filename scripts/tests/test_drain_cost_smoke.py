#!/usr/bin/python3
"""scripts/drain-cost at its smallest that still measures something: its
default kernels (stock 7.2-rt, 7.2-rt-pwlocks booted with pwlocks=1), two
CPUs, drop-caches three times. Checks what docs/kernel-7.2.md's table is made of:
each kernel's caller rows (instruction counts, every trigger counted), the
workqueue's drain on CPU 1 under stock (lru_add_drain_per_cpu each trigger)
and none under pwlocks=1 beside the same run's work-item row, and the
report's drain-cost table.

  test_drain_cost_smoke.py PATH/TO/scripts/drain-cost BUILD_DIR OUT_DIR

Exit 77 only when QEMU is not installed (scripts/vm's own skip would make
drain-cost fail instead). The kernels come from build-kernel-7.2, which
the vm suite runs first.
"""

import csv
import os
import re
import shutil
import subprocess
import sys
import unittest

DRAIN_COST, BUILD, OUT = (os.path.abspath(a) for a in sys.argv[1:4])
COUNT = 3
TRIGGER = "drop-caches"
# The kernel column: the release, then the parameters drain-cost booted with.
STOCK = re.compile(r"7\.2\.\d+-rt")
PWLOCKS = re.compile(r"7\.2\.\d+-rt-pwlocks pwlocks=1")


class DrainCostSmokeTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        shutil.rmtree(OUT, ignore_errors=True)
        cls.res = subprocess.run([DRAIN_COST, "--smp", "2", "--count", str(COUNT), "--trigger", TRIGGER,
                                  "--build", BUILD, "--out", OUT],
                                 capture_output=True, text=True)
        print(cls.res.stdout, cls.res.stderr, sep="\n")
        cls.rows = []
        if os.path.exists(os.path.join(OUT, "drain-cost.csv")):
            with open(os.path.join(OUT, "drain-cost.csv"), encoding="utf-8") as f:
                cls.rows = list(csv.DictReader(line for line in f if not line.startswith("#")))
        cls.kernels = {}
        for r in cls.rows:
            cls.kernels.setdefault(r["kernel"], []).append(r)

    def kernel(self, pattern):
        names = [k for k in self.kernels if pattern.fullmatch(k)]
        self.assertEqual(len(names), 1, f"{pattern.pattern} among {sorted(self.kernels)}")
        return self.kernels[names[0]]

    def test_exit_and_outputs(self):
        self.assertEqual(self.res.returncode, 0, self.res.stderr)
        self.assertIn(f"drain-cost: rows in {OUT}/drain-cost.csv", self.res.stdout)
        self.assertIn(f"qpwreport: wrote {OUT}/report/report.html", self.res.stdout)
        self.assertEqual(len(self.kernels), 2, sorted(self.kernels))

    def test_caller_rows(self):
        for pattern in (STOCK, PWLOCKS):
            rows = self.kernel(pattern)
            by = {r["metric"]: r for r in rows if r["cpus"] == "0,1"}
            self.assertEqual(sorted(by), ["trigger_caller_cpu", "trigger_latency"], pattern.pattern)
            for r in by.values():
                what = f"{r['kernel']} {r['metric']}"
                self.assertEqual((r["trigger"], r["n_cpus"], r["unit"], r["emulated"], r["target_load"]),
                                 (TRIGGER, "2", "insns", "tcg-icount", "idle"), what)
                self.assertEqual(int(r["samples"]), COUNT, what)
                self.assertGreater(float(r["min"]), 0, what)

    def work_items(self, rows):
        return {r["variant"]: r for r in rows if r["metric"] == "trigger_work_items"
                and r["cpus"] == "1" and r["trigger"] == TRIGGER}

    def test_drain_on_cpu1(self):
        # Stock: every trigger queued lru_add_drain_all()'s work on CPU 1.
        stock = self.work_items(self.kernel(STOCK))
        self.assertTrue("lru_add_drain_per_cpu" in stock, f"stock: CPU 1 ran only {sorted(stock)}")
        self.assertEqual(int(stock["lru_add_drain_per_cpu"]["samples"]), COUNT)
        self.assertGreaterEqual(float(stock["lru_add_drain_per_cpu"]["min"]), 1)
        # pwlocks=1: CPU 1's work items were counted (the row is there), none of them the drain.
        pw = self.work_items(self.kernel(PWLOCKS))
        self.assertTrue("all" in pw, "pwlocks=1: no work-item row for CPU 1")
        self.assertEqual(int(pw["all"]["samples"]), COUNT)
        self.assertFalse("lru_add_drain_per_cpu" in pw, f"pwlocks=1: CPU 1 ran {sorted(pw)}")

    def test_report_table(self):
        with open(os.path.join(OUT, "report", "report.md"), encoding="utf-8") as f:
            md = f.read()
        self.assertIn("scripts/drain-cost: a guest of N CPUs", md)
        # One line per kernel at 2 CPUs, without the TCG-times badge (-icount
        # instructions hold); pwlocks=1's ratios to stock need both kernels' rows.
        self.assertNotIn(f"correctness only** {TRIGGER}", md)
        line = rf"^\| {TRIGGER} \| 7\.2\.\d+-rt "
        stock = re.findall(line + r"\(stock\) \| 2 \| [\d,]+ \| 1 \(stock\) \|", md, re.M)
        pw = re.findall(line + r"\+ PW locks, pwlocks=1 \| 2 \| [\d,]+ \| \d+\.\d{3}× \| [\d,]+ \| "
                        r"\d+\.\d{3}× \|", md, re.M)
        self.assertEqual((len(stock), len(pw)), (1, 1), md[md.find("drain cost against CPUs"):])


if __name__ == "__main__":
    if not shutil.which("qemu-system-x86_64"):
        print("SKIP: qemu-system-x86_64 is not installed: drain-cost boots 7.2 guests under it")
        sys.exit(77)
    unittest.main(argv=sys.argv[:1], verbosity=2)
