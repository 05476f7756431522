#!/usr/bin/python3
"""scripts/run end to end, as a new user meets it: a measurement of this
machine, its CSV and its report, in a directory given relative to where the
user stands, with the paths it prints existing.

  test_run.py PATH/TO/scripts/run BUILD_DIR

--build BUILD_DIR stands in for scripts/setup (root, apt): meson test has
built it. The backend is the one ubench picks, the user model unless
/dev/qpwbench exists.
"""

import csv
import os
import re
import subprocess
import sys
import tempfile
import unittest

RUN, BUILD = (os.path.abspath(a) for a in sys.argv[1:3])
SRC = os.path.dirname(os.path.dirname(RUN))
sys.path.insert(0, os.path.join(SRC, "reports"))

from qpwrep import data  # noqa: E402  (the variant list, read from the uapi header)

# What scripts/run's sweep measures per variant, one metric each.
VARIANT_METRICS = {"local": "op_cost", "remote": "drain_latency",
                   "drain-all": "drain_all_latency", "stress": "lost_ops"}


def module_possible():
    """Whether scripts/run can have the module here: loaded, or a kernel that
    loads modules, as root (the headers may still be missing: run says)."""
    return os.path.exists("/dev/qpwbench") or (os.path.exists("/proc/modules") and os.geteuid() == 0)


class RunTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="qpwbench-run-")
        cls.cwd = cls.tmp.name
        # Relative: the results land where the user stands, not in the source tree.
        cls.res = subprocess.run([RUN, "--out", "out", "--build", BUILD], cwd=cls.cwd,
                                 capture_output=True, text=True, timeout=600)
        cls.out = os.path.join(cls.cwd, "out")
        # The backend run chose, as it said on screen.
        cls.backend = ("kmod" if "run: measuring with the kernel module" in cls.res.stderr
                       else "user")

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_skips_are_no_latency(self):
        # A drain that skipped every batch is a skipped_drains count, never a
        # latency, and the sweep drains filled batches only (owner and
        # filled-idle): no drain latency row whose drained_entries is 0 (or
        # n/a: no drain found anything), and no latency row of skips mixed
        # with drains (drain_or_skip_latency, before ABI 12).
        with open(os.path.join(self.out, "sweep.csv"), encoding="utf-8") as f:
            rows = list(csv.DictReader(line for line in f if not line.startswith("#")))
        key = ("scenario", "variant", "cpus", "target_load", "run")
        found = {tuple(r[k] for k in key): r for r in rows if r["metric"] == "drained_entries"}
        latency = [r for r in rows if r["metric"] in ("drain_latency", "drain_all_latency")]
        self.assertTrue(latency)
        for r in latency:
            entries = found[tuple(r[k] for k in key)]
            self.assertEqual(entries["samples"], r["samples"], r)
            self.assertGreater(float(entries["min"]), 0, r)
        self.assertFalse([r for r in rows if "or_skip" in r["metric"]])
        # Both loads of the sweep, the idle one with a filled batch too.
        for load in ("owner", "filled-idle"):
            for scenario, metric in (("remote", "drain_latency"), ("drain-all", "drain_all_latency")):
                got = {r["variant"] for r in latency if r["target_load"] == load
                       and r["scenario"] == scenario and int(r["samples"]) > 0}
                self.assertTrue({"wq", "qpw-on"} <= got, f"{scenario} {load}: {got}")
        skipped = [r for r in rows if r["metric"] == "skipped_drains" and r["variant"] == "global"]
        self.assertTrue(skipped and all(float(r["p50"]) > 0 for r in skipped))

    def test_exit_and_printed_paths(self):
        self.assertEqual(self.res.returncode, 0, self.res.stderr)
        m = re.search(r"^run: CSV written to (\S+) and (\S+)$", self.res.stdout, re.M)
        self.assertTrue(m, "no 'run: CSV written to' line")
        wrote = re.search(r"^qpwreport: wrote (\S+)$", self.res.stdout, re.M)
        self.assertTrue(wrote, "no 'qpwreport: wrote' line")
        printed = [m.group(1), m.group(2), wrote.group(1)]
        self.assertEqual(printed, [os.path.join(self.out, "sweep.csv"),
                                   os.path.join(self.out, "topo-pairs.csv"),
                                   os.path.join(self.out, "report", "report.html")])
        for path in printed:
            self.assertTrue(os.path.isabs(path) and os.path.getsize(path) > 0, path)

    def test_csv_has_every_variant(self):
        with open(os.path.join(self.out, "sweep.csv"), encoding="utf-8") as f:
            rows = list(csv.DictReader(line for line in f if not line.startswith("#")))
        self.assertEqual({r["backend"] for r in rows}, {self.backend})
        variants = data.header_variants()
        for scenario, metric in VARIANT_METRICS.items():
            rs = [r for r in rows if r["scenario"] == scenario and r["metric"] == metric]
            # global has no batch: its drains all skip, counted, never timed.
            want = [v for v in variants if scenario == "local" or scenario == "stress" or v != "global"]
            self.assertEqual(sorted({r["variant"] for r in rs}), sorted(want), scenario)
            for r in rs:
                self.assertGreater(int(r["samples"]), 0, f"{scenario} {r['variant']}")
                value = float(r["p50"])
                # The stress accounts for every op; the others are times.
                if scenario == "stress":
                    self.assertEqual(value, 0, f"{r['variant']} lost ops")
                else:
                    self.assertGreater(value, 0, f"{scenario} {r['variant']} p50")
        self.assertTrue([r for r in rows if r["scenario"] == "c2c"
                         and r["metric"] == "one_way_latency"], "no c2c one_way_latency rows")
        with open(os.path.join(self.out, "sweep.txt"), encoding="utf-8") as f:
            self.assertIn("sweep: finished in", f.read())
        with open(os.path.join(self.out, "topo-pairs.csv"), encoding="utf-8") as f:
            self.assertGreater(len(f.read().splitlines()), 1, "topo-pairs.csv has no pair")
        n_rows = re.search(r"^qpwreport: \d+ figures, (\d+) rows$", self.res.stdout, re.M)
        self.assertTrue(n_rows and int(n_rows.group(1)) == len(rows),
                        "the report did not read every row of sweep.csv")

    def test_report_names_backend_and_figures(self):
        report = os.path.join(self.out, "report")
        with open(os.path.join(report, "report.md"), encoding="utf-8") as f:
            md = f.read()
        with open(os.path.join(report, "report.html"), encoding="utf-8") as f:
            html = f.read()
        # The systems table: its backend column names the run's backend.
        lines = md.splitlines()
        head = next(i for i, ln in enumerate(lines) if ln.startswith("| system | host |"))
        cols = [c.strip() for c in lines[head].strip("|").split("|")]
        cells = [c.strip() for c in lines[head + 2].strip("|").split("|")]
        self.assertEqual(cells[cols.index("backend")], self.backend)
        self.assertIn(f"backend {self.backend},", html)
        figures = re.findall(r"!\[[^]]*\]\(([^)]+\.png)\)", md)
        # c2c, remote, drain-all, fast path, contended: the sweep has their rows.
        self.assertEqual([f[0] for f in figures], list("12346"), figures)
        for fig in figures:
            with open(os.path.join(report, fig), "rb") as f:
                self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n", fig)

    def test_says_userspace_model(self):
        # Without the module the numbers are the model's: said on screen, with
        # why, and in every row (the backend column, checked above).
        if self.backend == "kmod":
            self.skipTest("the module is loaded here: the kmod backend ran")
        self.assertRegex(self.res.stderr, r"(?m)^run: no kernel module: .+\.$")
        self.assertIn("run: these numbers come from the userspace model", self.res.stderr)
        self.assertIn("run: backend user: the userspace model's numbers", self.res.stdout)
        if not module_possible():
            # This machine (a cloud kernel without module support): --backend
            # kmod cannot be had, one line and exit 2, nothing written.
            res = subprocess.run([RUN, "--backend", "kmod", "--build", BUILD, "--out", "refused"],
                                 cwd=self.cwd, capture_output=True, text=True, timeout=60)
            self.assertEqual((res.returncode, res.stdout), (2, ""))
            self.assertEqual(len(res.stderr.splitlines()), 1, res.stderr)
            self.assertIn("run: --backend kmod: ", res.stderr)
            self.assertFalse(os.path.exists(os.path.join(self.cwd, "refused")))

    def test_bad_arguments(self):
        for args, want in ((["--bogus"], "usage: scripts/run"),
                           (["--backend", "bogus"], "--backend bogus: kmod or user"),
                           (["--build", os.path.join(self.cwd, "none")], "no ubench/ubench there")):
            res = subprocess.run([RUN, *args, "--out", "refused"], cwd=self.cwd,
                                 capture_output=True, text=True, timeout=30)
            self.assertEqual((res.returncode, res.stdout), (2, ""), args)
            self.assertEqual(len(res.stderr.splitlines()), 1, res.stderr)
            self.assertIn(want, res.stderr)
            self.assertFalse(os.path.exists(os.path.join(self.cwd, "refused")), args)


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
