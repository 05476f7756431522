#!/usr/bin/python3
"""reports/make-example regenerating an examples directory from the result
directories in make-example/ (CSVs copied from reports/examples/csv: a
user-model sweep with interference and the topology CSV scripts/run writes
beside it, a 6.1 RT guest's module sweep, its trigger rows), into a
temporary --out: the staged CSVs, report.md, report.html and the figures,
with values from the fixture's rows, checked by hand once.
"""

import csv
import filecmp
import os
import re
import subprocess
import tempfile
import unittest
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
MAKE_EXAMPLE = os.path.join(os.path.dirname(HERE), "make-example")
FIXTURE = os.path.join(HERE, "make-example")
RESULT_DIRS = [os.path.join(FIXTURE, d) for d in ("this-vm", "vm-rt", "vm-trigger-rt")]
# <result dir>-<file>, topo-pairs.csv left out.
STAGED = {"this-vm-interference.csv": "this-vm/interference.csv",
          "this-vm-sweep.csv": "this-vm/sweep.csv",
          "vm-rt-sweep.csv": "vm-rt/sweep.csv",
          "vm-trigger-rt-trigger.csv": "vm-trigger-rt/trigger.csv"}
FIGURES = ["1-c2c-heatmap.png", "2-remote-drain.png", "3-drain-all.png", "4-fast-path.png",
           "5-interference.png", "6-contended.png", "7-triggers.png"]
HEADINGS = ["Cache-line ping-pong: one-way latency per CPU pair",
            "Remote drain latency by distance class", "Drain-all latency vs number of CPUs",
            "Fast-path cost of one local op", "Interference seen by an RT task on the target CPU",
            "Contended cache line: throughput and fairness vs CPUs",
            "Kernel remote drains: work items per trigger on the target CPU"]


def make_example(*args):
    return subprocess.run([MAKE_EXAMPLE, *args], capture_output=True, text=True, timeout=300)


def fixture_rows():
    rows = []
    for rel in STAGED.values():
        with open(os.path.join(FIXTURE, rel), encoding="utf-8") as f:
            rows += list(csv.DictReader(line for line in f if not line.startswith("#")))
    return rows


class MakeExampleTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="qpwbench-make-example-")
        cls.out = os.path.join(cls.tmp.name, "examples")
        cls.res = make_example("--out", cls.out, *RESULT_DIRS)
        with open(os.path.join(cls.out, "report.md"), encoding="utf-8") as f:
            cls.md = f.read()
        with open(os.path.join(cls.out, "report.html"), encoding="utf-8") as f:
            cls.html = f.read()

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_staged_csvs(self):
        self.assertEqual(self.res.returncode, 0, self.res.stderr)
        self.assertIn(f"qpwreport: wrote {self.out}/report.html", self.res.stdout)
        csv_dir = os.path.join(self.out, "csv")
        self.assertEqual(sorted(os.listdir(csv_dir)), sorted(STAGED))
        for name, rel in STAGED.items():
            self.assertTrue(filecmp.cmp(os.path.join(csv_dir, name), os.path.join(FIXTURE, rel),
                                        shallow=False), name)

    def test_sections_and_figures(self):
        rows = fixture_rows()
        first = self.md.splitlines()[2]
        self.assertTrue(first.startswith(f"_{len(rows)} rows from {', '.join(sorted(STAGED))}; "
                                         "4 system(s);"), first)
        headings = re.findall(r"^### (.+?)(?: \*\*⚠ emulated: correctness only\*\*)?$", self.md, re.M)
        self.assertEqual(headings, HEADINGS)
        self.assertEqual(re.findall(r"!\[[^]]*\]\(([^)]+)\)", self.md), FIGURES)
        self.assertEqual(sorted(f for f in os.listdir(self.out) if f.endswith(".png")), FIGURES)
        for fig in FIGURES:
            with open(os.path.join(self.out, fig), "rb") as f:
                self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n", fig)
        # report.html is self-contained: the same sections, every figure embedded.
        for h in HEADINGS:
            self.assertIn(h, self.html)
        self.assertEqual(self.html.count("data:image/png;base64,"), len(FIGURES))

    def test_values_from_the_fixture(self):
        # Fast path qpw-on/wq, medians of op_cost p50 over CPUs (checked by
        # hand): this-vm 7.5135/1.4085, the 6.1 RT guest 252.89/251.63.
        summary = [ln for ln in self.md.splitlines()
                   if ln.startswith("| ") and "every op accounted for" in ln]
        self.assertEqual(len(summary), 2, summary)
        self.assertIn("6.18.44-fc-v1045", summary[0])
        self.assertIn("| 5.33× (7.51 ns vs 1.41 ns) |", summary[0])
        self.assertIn("6.1.0-57-rt-amd64", summary[1])
        self.assertIn("| 1.00× (253 ns vs 252 ns) |", summary[1])
        # Measured systems: the rows of each (host, backend, kernel) of the fixture.
        counts = Counter((r["host"], r["backend"], r["kernel"]) for r in fixture_rows())
        self.assertEqual(len(counts), 4)
        systems = self.md[self.md.index("**Measured systems**"):]
        for (host, backend, kernel), n in counts.items():
            self.assertRegex(systems, rf"\| {re.escape(host)} \| [^\n]*\| {re.escape(kernel)} \| "
                             rf"[^|]* \| {backend} \| [^\n]*\| {n} \|", (host, backend, kernel))
        # The trigger table: 6.1's drop_caches does not drain, fadvise does.
        self.assertRegex(self.md, r"\| drop-caches \| fifo \| 1 \| 0 \| none \|")
        self.assertRegex(self.md, r"\| fadvise \| fifo \| 1 \| 2 \| lru_add_drain_per_cpu 1 \(min 1\)")

    def test_replaces_only_its_own_output(self):
        # An earlier output is replaced whole: no stale figure survives.
        again = os.path.join(self.tmp.name, "again")
        self.assertEqual(make_example("--out", again, RESULT_DIRS[2]).returncode, 0)
        open(os.path.join(again, "9-stale.png"), "w").close()
        res = make_example("--out", again, RESULT_DIRS[2])
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertNotIn("9-stale.png", os.listdir(again))
        self.assertEqual(os.listdir(os.path.join(again, "csv")), ["vm-trigger-rt-trigger.csv"])
        # Anything else is refused, untouched.
        mine = os.path.join(self.tmp.name, "mine")
        os.mkdir(mine)
        open(os.path.join(mine, "notes.txt"), "w").close()
        for args, want in ((["--out", mine, RESULT_DIRS[0]], "not replacing it"),
                           (["--out", os.path.join(mine, "notes.txt"), RESULT_DIRS[0]],
                            "not replacing it"),
                           ([], "usage:"), (["--out", os.path.join(self.tmp.name, "new")], "usage:"),
                           ([os.path.join(mine, "notes.txt")], "not a directory")):
            res = make_example(*args)
            self.assertEqual(res.returncode, 2, args)
            self.assertEqual(len(res.stderr.splitlines()), 1, res.stderr)
            self.assertIn(want, res.stderr)
        self.assertEqual(os.listdir(mine), ["notes.txt"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
