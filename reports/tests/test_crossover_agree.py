#!/usr/bin/python3
"""The crossover from C (stats_crossover(), what ubench drain-all prints)
and from Python (stats.crossover(), what qpwreport writes, reached from a
CSV's rows through analysis.crossover()) agree on the same rows: N*, its
interval and the verdict (measured, extrapolated, none, not measurable
with fewer than three sizes of N), and which side wins below N*. N counts
the CPUs drained besides the caller; only rows under owners count.

  test_crossover_agree.py PATH/TO/crossover-rows

The rows: drain-all CSVs written here from lines p50 = a + b*N with small
seeded noise, so that N* is known and each verdict is reached, and the
drain-all rows of the fixture sweeps in make-example/ (a user-model run,
a 6.1 RT guest's module run).
"""

import csv
import math
import os
import random
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from qpwrep import analysis, data, stats  # noqa: E402

CROSSOVER_ROWS = os.path.abspath(sys.argv[1])
SERIAL, PARALLEL = data.INLINE_VARIANT, data.BASELINE_VARIANT
SWEEPS = [os.path.join(HERE, "make-example", d, "sweep.csv") for d in ("this-vm", "vm-rt")]


FLAGS = ("measurable", "found", "measured", "serial_first", "below_serial")


def c_crossover(points):
    """stats_crossover() on [(variant, n, p50)]: None for its -1, else a dict."""
    text = "".join(f"{'serial' if v == SERIAL else 'parallel'} {n!r} {p!r}\n"
                   for v, n, p in points)
    res = subprocess.run([CROSSOVER_ROWS], input=text, capture_output=True, text=True,
                         timeout=30, check=True)
    f = res.stdout.split()
    if int(f[0]):
        return None
    x = dict(zip(FLAGS, (bool(int(v)) for v in f[1:6])))
    x.update(zip(("n", "lo", "hi", "min_n", "max_n"), map(float, f[6:11])))
    return x


def py_crossover(rows):
    """analysis.crossover() (the report's path) on loaded rows, as a dict like c_crossover()."""
    x = analysis.crossover(rows)
    if x is None:
        return None
    return {"measurable": x.measurable, "found": x.n is not None, "measured": x.measured,
            "serial_first": x.serial_first, "below_serial": x.below_serial,
            "n": x.n, "lo": x.lo, "hi": x.hi, "min_n": x.min_n, "max_n": x.max_n}


def points_of(rows):
    return [(r.variant, r.n_cpus, r.get("p50")) for r in rows
            if r.scenario == "drain-all" and r.metric == "drain_all_latency"
            and analysis.target_load(r) in analysis.FILLING_LOADS
            and r.variant in (SERIAL, PARALLEL) and r.get("p50") is not None]


class CrossoverAgreeTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="qpwbench-crossover-")
        # A real drain-all row of the fixture: every column ubench writes, as it writes them.
        with open(SWEEPS[1], encoding="utf-8") as f:
            cls.header = f.readline().strip().split(",")
            f.seek(0)
            cls.template = next(r for r in csv.DictReader(line for line in f if not line.startswith("#"))
                                if r["scenario"] == "drain-all" and r["metric"] == "drain_all_latency")

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def rows_of(self, name, lines, ns, runs=3, noise=0.0, seed=1):
        """Loaded rows of a CSV with p50 = a + b*N (+ uniform noise) per variant, N in ns, runs each."""
        rng = random.Random(seed)
        path = os.path.join(self.tmp.name, name + ".csv")
        with open(path, "w", newline="", encoding="utf-8") as f:
            w = csv.DictWriter(f, self.header)
            w.writeheader()
            for run in range(1, runs + 1):
                for n in ns:
                    for variant, (a, b) in lines.items():
                        p50 = a + b * n + rng.uniform(-noise, noise)
                        w.writerow(dict(self.template, variant=variant, n_cpus=n, target_load="owner",
                                        cpus=",".join(map(str, range(n))), run=run,
                                        p50=f"{p50:.3f}"))
        return data.load_csv(path)

    def agree(self, rows):
        """C and Python on the same rows: the same verdict, the same numbers."""
        points = points_of(rows)
        c, py = c_crossover(points), py_crossover(rows)
        self.assertEqual(c is None, py is None, (c, py))
        if c is None:
            return None
        for k in FLAGS:
            self.assertEqual(c[k], py[k], k)
        for k in ("min_n", "max_n") + (("n", "lo", "hi") if c["found"] else ()):
            self.assertTrue(math.isclose(c[k], py[k], rel_tol=1e-9, abs_tol=1e-9),
                            f"{k}: C {c[k]!r}, Python {py[k]!r}")
        if not c["found"]:
            self.assertTrue(math.isnan(c["n"]) and py["n"] is None)
        # The reading each side prints names the winner on each side of N*.
        self.assertEqual(analysis.crossover(rows).describe().endswith(" above"), c["found"])
        return c

    def test_measured(self):
        # 100 + 1000 N meets 3000 + 200 N at N* = 2900 / 800 = 3.625, inside 1..8.
        x = self.agree(self.rows_of("measured", {SERIAL: (100, 1000), PARALLEL: (3000, 200)},
                                    range(1, 9), noise=20))
        self.assertTrue(x["measurable"] and x["found"] and x["measured"] and x["serial_first"])
        self.assertAlmostEqual(x["n"], 3.625, delta=0.05)
        self.assertTrue(x["lo"] < 3.625 < x["hi"] and x["hi"] - x["lo"] < 0.5, x)
        self.assertEqual((x["min_n"], x["max_n"]), (1, 8))
        # Serial (steeper) is faster below N*, parallel above: the reading says so.
        self.assertTrue(x["below_serial"])
        self.assertIn(f"{SERIAL} faster below N*, {PARALLEL} above",
                      analysis.crossover(self.rows_of("measured", {SERIAL: (100, 1000), PARALLEL: (3000, 200)},
                                                      range(1, 9), noise=20)).describe())

    def test_parallel_wins_below(self):
        # A parallel line with the larger slope: parallel is faster below N* = 4900 / 800 = 6.125.
        x = self.agree(self.rows_of("parallel-below", {SERIAL: (5000, 200), PARALLEL: (100, 1000)},
                                    range(1, 9), noise=20))
        self.assertTrue(x["found"] and x["measured"] and not x["below_serial"] and not x["serial_first"])

    def test_t_interval(self):
        # Four sizes, one run, noise: 2 + 2 residual degrees of freedom, so the
        # interval's half-width is t(4) = 2.776 standard errors, not 1.96.
        rows = self.rows_of("t", {SERIAL: (100, 1000), PARALLEL: (3000, 200)}, (1, 3, 5, 7), runs=1,
                            noise=100, seed=3)
        x = self.agree(rows)
        pts = points_of(rows)
        s = [(n, p) for v, n, p in pts if v == SERIAL]
        p = [(n, p) for v, n, p in pts if v == PARALLEL]
        (a1, b1, v1, s1, m1), (a2, b2, v2, s2, m2) = stats._fit(s), stats._fit(p)
        se = math.sqrt(v1 * (1 / 4 + (x["n"] - m1) ** 2 / s1) + v2 * (1 / 4 + (x["n"] - m2) ** 2 / s2)) / abs(b1 - b2)
        self.assertAlmostEqual((x["hi"] - x["n"]) / se, 2.7764451, places=5)
        self.assertAlmostEqual(stats.t975(4), 2.7764451, places=5)
        self.assertAlmostEqual(stats.t975(30), 2.0422725, places=5)

    def test_extrapolated(self):
        # N = 1, 2, 3: N* = 4900 / 800 = 6.125, past the measured N.
        x = self.agree(self.rows_of("extrapolated", {SERIAL: (100, 1000), PARALLEL: (5000, 200)},
                                    (1, 2, 3), noise=20))
        self.assertTrue(x["found"] and not x["measured"])
        self.assertAlmostEqual(x["n"], 6.125, delta=0.5)

    def test_not_measurable(self):
        # Two sizes of N (a 2- or 3-CPU machine): no N*, however clean the lines,
        # and the reading says so instead of a number.
        rows = self.rows_of("two-sizes", {SERIAL: (100, 1000), PARALLEL: (5000, 200)}, (1, 2), noise=20)
        x = self.agree(rows)
        self.assertFalse(x["measurable"] or x["found"])
        self.assertEqual(analysis.crossover(rows).describe(), "not measurable here (N=1..2)")

    def test_exact_lines(self):
        # No noise, one run: the fits are exact, the interval is N* itself.
        x = self.agree(self.rows_of("exact", {SERIAL: (100, 1000), PARALLEL: (3000, 200)},
                                    (1, 2, 4, 8), runs=1))
        self.assertEqual((x["n"], x["lo"], x["hi"]), (3.625, 3.625, 3.625))

    def test_interval_floor(self):
        # N* = 0.2 under heavy noise: the interval's low end, below 0, is clamped to 0 by both.
        x = self.agree(self.rows_of("floor", {SERIAL: (0, 1000), PARALLEL: (200, 0)},
                                    (1, 2, 3, 4), noise=400, seed=7))
        self.assertTrue(x["found"] and not x["measured"])
        self.assertAlmostEqual(x["n"], 0.2, delta=0.2)
        self.assertEqual(x["lo"], 0)

    def test_none(self):
        # The lines would meet at N < 0: serial lower throughout, then parallel lower throughout.
        x = self.agree(self.rows_of("serial-first", {SERIAL: (100, 100), PARALLEL: (3000, 200)},
                                    range(1, 5), noise=5))
        self.assertTrue(not x["found"] and x["serial_first"])
        x = self.agree(self.rows_of("parallel-first", {SERIAL: (5000, 1000), PARALLEL: (100, 200)},
                                    range(1, 5), noise=5))
        self.assertTrue(not x["found"] and not x["serial_first"])
        # Parallel lines never meet.
        x = self.agree(self.rows_of("parallel", {SERIAL: (100, 200), PARALLEL: (3000, 200)},
                                    range(1, 5)))
        self.assertFalse(x["found"])

    def test_too_few_sizes(self):
        # One N: not measurable; one variant: nothing to set it against (-1 in C, None in Python).
        lines = {SERIAL: (100, 1000), PARALLEL: (3000, 200)}
        self.assertFalse(self.agree(self.rows_of("one-n", lines, (2,), noise=20))["measurable"])
        self.assertIsNone(self.agree(self.rows_of("one-variant", {SERIAL: lines[SERIAL]},
                                                  range(1, 5), noise=20)))

    def test_idle_rows_give_none(self):
        # Rows without owners on the targets are no crossover's points.
        rows = self.rows_of("idle", {SERIAL: (100, 1000), PARALLEL: (3000, 200)}, range(1, 9))
        for r in rows:
            r.extra["target_load"] = "idle"
        self.assertEqual(points_of(rows), [])
        self.assertIsNone(analysis.crossover(rows))

    def test_fixture_sweeps(self):
        # Real drain-all rows: a user-model run and a 6.1 RT guest's module run,
        # 2-CPU machines: not measurable under owners, no points under idle.
        for path in SWEEPS:
            rows = [r for r in data.load_csv(path) if r.scenario == "drain-all"]
            with self.subTest(path=path):
                x = self.agree(rows)
                self.assertFalse(x["measurable"], x)


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
