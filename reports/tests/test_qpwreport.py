#!/usr/bin/python3
"""Unit tests of reports/qpwreport: render from the fixture CSVs beside this
file and check what a reviewer would see; bad input exits 2 with one line.

  test_qpwreport.py [TestClass ...]     (meson runs one class per test)
"""

import os
import re
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import unittest
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
REPORTS = os.path.dirname(HERE)
QPWREPORT = os.path.join(REPORTS, "qpwreport")
UAPI = os.path.join(REPORTS, "..", "kernel", "uapi")
sys.path.insert(0, REPORTS)

from qpwrep import analysis, data, plans  # noqa: E402

EMULATED = data.EMULATED_MARK
SIX = ["1-c2c-heatmap", "2-remote-drain", "3-drain-all", "4-fast-path", "5-interference",
       "6-contended"]


def fixture(name):
    return os.path.join(HERE, name)


def run(*args):
    return subprocess.run([sys.executable, QPWREPORT, *args], capture_output=True, text=True,
                          timeout=300)


def png_text(path):
    """The tEXt chunks of a PNG (matplotlib writes savefig metadata there)."""
    with open(path, "rb") as f:
        blob = f.read()
    assert blob[:8] == b"\x89PNG\r\n\x1a\n", f"{path}: not a PNG"
    text, pos = {}, 8
    while pos < len(blob):
        length, kind = struct.unpack(">I4s", blob[pos:pos + 8])
        body = blob[pos + 8:pos + 8 + length]
        if kind == b"tEXt":
            key, _, value = body.partition(b"\0")
            text[key.decode("latin-1")] = value.decode("latin-1")
        elif kind == b"iTXt":
            key, _, rest = body.partition(b"\0")
            flag, rest = rest[0], rest[2:]
            rest = rest.split(b"\0", 2)[2]
            text[key.decode("latin-1")] = (zlib.decompress(rest) if flag else rest).decode()
        pos += 12 + length
    return text


class TempDir(unittest.TestCase):
    def setUp(self):
        self.out = tempfile.mkdtemp(prefix="qpwreport-test-")

    def tearDown(self):
        shutil.rmtree(self.out, ignore_errors=True)


class RenderTest(unittest.TestCase):
    """The mixed generic/RT/arm64 fixture (TCG rows included) gives every figure."""

    @classmethod
    def setUpClass(cls):
        cls.out = tempfile.mkdtemp(prefix="qpwreport-test-")
        cls.res = run("-o", cls.out, fixture("mixed.csv"))
        if cls.res.returncode != 0:
            raise AssertionError(f"qpwreport failed: {cls.res.stderr}")
        with open(os.path.join(cls.out, "report.html"), encoding="utf-8") as f:
            cls.html = f.read()
        with open(os.path.join(cls.out, "report.md"), encoding="utf-8") as f:
            cls.md = f.read()

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.out, ignore_errors=True)

    def test_files_and_figure_count(self):
        pngs = sorted(n[:-4] for n in os.listdir(self.out) if n.endswith(".png"))
        self.assertEqual(pngs, SIX)
        self.assertIn("6 figures", self.res.stdout)
        self.assertIn(os.path.join(self.out, "report.html"), self.res.stdout)
        for name in SIX:
            self.assertIn(f"]({name}.png)", self.md)

    def test_html_is_self_contained(self):
        self.assertEqual(self.html.count('<img alt='), 6)
        self.assertEqual(self.html.count('src="data:image/png;base64,'), 6)
        self.assertNotIn('src="http', self.html)
        self.assertNotIn('.png"', self.html)

    def test_emulated_marked_everywhere(self):
        # Three of the four systems are TCG guests: every figure carries the
        # mark in the PNG itself (banner + metadata) and in its heading.
        for name in SIX:
            meta = png_text(os.path.join(self.out, name + ".png"))
            self.assertEqual(meta.get("qpwbench-emulated"), "yes", name)
            self.assertEqual(meta.get("qpwreport"), "report", name)
            self.assertIn("emulated tcg", meta.get("Description", ""), name)
        self.assertEqual(self.md.count("### "), 6)
        # Only the appendix marks rows: the answer tables hold no TCG times.
        self.assertEqual(self.md.count(f"**⚠ {EMULATED}**"), 6 + 3 + 3 + 3)  # figures + 3 tables x 3 rows
        self.assertEqual(self.html.count("<tr class=emulated>"), 9)

    def test_opens_with_the_four_answer_tables(self):
        titles = re.findall(r"^\*\*(.+?)\*\*$", self.md, re.M)
        self.assertTrue(titles[0].startswith("(a) Fast-path cost"), titles[:5])
        self.assertTrue(titles[1].startswith("(b) Remote-drain cost"), titles[:5])
        self.assertTrue(titles[2].startswith("(c) Drain-all"), titles[:5])
        self.assertTrue(titles[3].startswith("(d) Does this call site interrupt"), titles[:5])
        self.assertLess(self.md.index("**(d) "), self.md.index("!["))
        # Each labelled by what its numbers are valid as, every row too.
        for t in ("(a) ", "(b) ", "(c) ", "(d) "):
            block = self.md[self.md.index("**" + t):].split("\n\n**", 1)[0]
            self.assertIn("Valid as: ", block, t)
            for ln in block.splitlines():
                if ln.startswith("| ") and not ln.startswith("| kernel") and not ln.startswith("| system"):
                    self.assertNotIn("times, TCG", ln.split("|")[2] if t != "(d) " else "")
        # bench1 is bare metal: its times are in (a) and (b); the TCG guests'
        # times are not, they are named in a note.
        a = self.md[self.md.index("**(a) "):self.md.index("**(b) ")]
        self.assertIn("| 61 cyc | 63 cyc | 76 cyc | 1.21× |", a)
        self.assertIn("times, bare metal", a)
        self.assertIn("Not shown, times under TCG", a)
        self.assertNotIn("| **⚠", a)
        b = self.md[self.md.index("**(b) "):self.md.index("**(c) ")]
        self.assertIn("| smt |", b)
        self.assertIn("| l3 |", b)        # one row per class, never pooled
        c = self.md[self.md.index("**(c) "):self.md.index("**(d) ")]
        self.assertIn("N*=3.6 (95% 3.6..3.6, measured within N=1..4)", c)
        self.assertIn("not measurable here", c)

    def test_summary_first_with_the_answers(self):
        summary = self.md.index("Summary: should remote per-CPU work take the remote lock")
        self.assertLess(summary, self.md.index("!["))
        line = next(ln for ln in self.md[summary:].splitlines() if ln.startswith("| bench1"))
        self.assertIn("1.25× (76 vs 61 core cycles)", line)      # fast path qpw-on/wq
        self.assertIn("N*=3.6 (95% 3.6..3.6, measured within N=1..4)", line)
        self.assertIn("smt: 600 ns / 2.9 µs; l3: 780 ns / 3.78 µs", line)   # never pooled
        self.assertIn("yes: ctx switches 122→0", line)
        self.assertIn("0 (every op accounted for)", line)
        self.assertIn("bench1 user x86_64 generic (dynamic) 6.1.0-28-amd64: every local op costs "
                      "+25% with qpw-on; a remote drain (smt) with qpw-on is 6.7× faster than wq at "
                      "p50 (16× faster at p99); draining all CPUs inline wins below N*=3.6 and loses above it; "
                      "interference on the target removed.", self.md)
        rt = next(ln for ln in self.md.splitlines() if "RT 6.1.0-28-rt-amd64" in ln and ln.startswith("|"))
        self.assertIn(EMULATED, rt)
        # Drain-all at N = 1, 2 only: no N*, said in words (it read N*=1.0 once).
        self.assertIn("| not measurable here (N=1..2) |", rt)
        # No PMU core cycles in a TCG guest: the ratio is of ns, never of TSC ticks.
        self.assertIn("1.02× (1.62 µs vs 1.58 µs)", rt)
        self.assertIn("smt: 27 µs / 131 µs +3 stalled", rt)

    def test_fast_path_table(self):
        table = self.md[self.md.index("**Fast-path cost per op"):]
        line = next(ln for ln in table.splitlines() if ln.startswith("| bench1"))
        self.assertIn("| 61 cyc · 22.3 ns | 62 cyc (1.02×) · 22.6 ns (1.01×) | 76 cyc (1.25×) · 28 ns"
                      " (1.25×) |", line)
        arm = next(ln for ln in table.splitlines() if "aarch64" in ln)   # no cycle counter
        self.assertIn("| 1.11 µs | 1.12 µs (1.01×) |", arm)
        rt = next(ln for ln in table.splitlines() if "RT 6.1.0-28-rt-amd64" in ln)
        self.assertIn("| 95 ref ticks · 1.58 µs |", rt)       # TSC ticks are not core cycles

    def test_metadata_in_captions(self):
        for needle in ("kernel 6.1.0-28-rt-amd64, preempt rt", "timer cntvct", "AMD EPYC 7B13",
                       "guest aarch64"):
            self.assertIn(needle, self.md)


class MissingScenarioTest(TempDir):
    """No interference rows: that figure is skipped with a note, not a crash."""

    def test_skipped_with_note(self):
        # Over an earlier full report: its interference figure must not survive.
        self.assertEqual(run("-o", self.out, fixture("mixed.csv")).returncode, 0)
        other = os.path.join(self.out, "not-ours.png")
        shutil.copy(os.path.join(self.out, "1-c2c-heatmap.png"), other)
        with open(other, "r+b") as f:       # same bytes, another writer's key
            blob = f.read().replace(b"qpwreport\0report", b"qpwreporX\0report")
            f.seek(0)
            f.write(blob)
        res = run("-o", self.out, fixture("missing_scenario.csv"))
        self.assertEqual(res.returncode, 0, res.stderr)
        pngs = sorted(n[:-4] for n in os.listdir(self.out) if n.endswith(".png"))
        self.assertEqual(pngs, [n for n in SIX if n != "5-interference"] + ["not-ours"])
        pngs.remove("not-ours")
        self.assertIn("Figure 5 (interference) skipped: no interference rows", res.stderr)
        with open(os.path.join(self.out, "report.md"), encoding="utf-8") as f:
            md = f.read()
        self.assertIn("Figure 5 (interference) skipped", md)
        self.assertNotIn(EMULATED, md)          # no TCG rows: no mark
        for name in pngs:
            self.assertEqual(png_text(os.path.join(self.out, name + ".png"))["qpwbench-emulated"], "no")

    def test_directory_input_skips_other_csvs(self):
        results = os.path.join(self.out, "results")
        os.mkdir(results)
        shutil.copy(fixture("missing_scenario.csv"), results)
        with open(os.path.join(results, "topo-pairs.csv"), "w") as f:
            f.write("cpu_a,cpu_b,distance\n0,1,smt\n")
        res = run("-o", os.path.join(self.out, "report"), results)
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertIn("topo-pairs.csv: not a qpwbench results CSV, skipped", res.stderr)


class HolesTest(TempDir):
    """Missing values (n/a, empty) and zeros anywhere in the stats: still a report."""

    def test_holes(self):
        res = run("-o", self.out, fixture("holes.csv"))
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertNotIn("Traceback", res.stderr)
        self.assertTrue(os.path.exists(os.path.join(self.out, "report.html")))


class BadInputTest(TempDir):
    """One clear line on stderr, exit 2, no traceback."""

    def check(self, args, needle):
        res = run(*args)
        self.assertEqual(res.returncode, 2, res.stderr)
        lines = res.stderr.strip().splitlines()
        self.assertEqual(len(lines), 1, res.stderr)
        self.assertIn(needle, lines[0])
        self.assertTrue(lines[0].startswith("qpwreport: "))

    def test_missing_core_columns(self):
        self.check(["-o", self.out, fixture("malformed.csv")],
                   "missing core column(s) distance,p999")

    def test_no_rows(self):
        self.check(["-o", self.out, fixture("header_only.csv")], "no rows")

    def test_unreadable(self):
        self.check(["-o", self.out, fixture("does-not-exist.csv")], "cannot read")

    def test_not_a_number(self):
        self.check(["-o", self.out, fixture("bad_number.csv")], "bad_number.csv:4: column p50")

    def test_binary_file(self):
        path = os.path.join(self.out, "binary.csv")
        with open(path, "wb") as f:
            f.write(b"\xff\xfe\x00garbage\x00")
        self.check(["-o", self.out, path], "binary.csv")

    def test_directory_without_results(self):
        self.check(["-o", os.path.join(self.out, "r"), self.out], "no qpwbench results CSV")

    def test_usage(self):
        self.check(["-o", self.out], "no input")
        self.check([fixture("mixed.csv")], "-o/--output")
        self.check(["-o", self.out, "--compare", fixture("compare_a.csv")], "--compare")

    def test_compare_nothing_in_common(self):
        self.check(["-o", self.out, "--compare", fixture("compare_a.csv"),
                    fixture("missing_scenario.csv")], "no measurement in common")


class CompareTest(TempDir):
    def test_ratios(self):
        res = run("-o", self.out, "--compare", fixture("compare_a.csv"), fixture("compare_b.csv"))
        self.assertEqual(res.returncode, 0, res.stderr)
        lines = res.stdout.splitlines()
        # Ratios are the only numbers printed with three decimals: (p50, p99).
        table = {tuple(ln.split()[:3] + [ln.split()[5]]): re.findall(r"\b\d+\.\d{3}\b", ln)
                 for ln in lines[1:7]}
        # B halves wq and doubles qpw-on (compare_b.csv); wq's two runs a side give
        # the ratio of medians its 95% bootstrap interval.
        self.assertEqual(table[("local", "kmod", "wq", "op_cost")], ["0.495", "0.505", "0.500"])
        self.assertIn("0.5 (95% 0.495..0.505)", lines[1])
        self.assertEqual(table[("remote", "kmod", "qpw-on", "drain_latency")], ["2.000", "2.000"])
        self.assertEqual(table[("remote", "kmod", "wq", "stalled")], [])      # 0/0: n/a
        self.assertIn(f"[{EMULATED}]", lines[1])
        self.assertIn("6 measurements in both; 0 only in A, 1 only in B.", res.stdout)
        for name in ("compare.html", "compare.md", "compare.png"):
            self.assertTrue(os.path.getsize(os.path.join(self.out, name)) > 0, name)
        self.assertEqual(png_text(os.path.join(self.out, "compare.png"))["qpwbench-emulated"], "yes")

    def _doubled(self, src, factor, name):
        """src with every ns figure of every row multiplied by factor."""
        import csv as csvmod
        path = os.path.join(self.out, name)
        with open(src, newline="") as f, open(path, "w", newline="") as g:
            r = csvmod.DictReader(f)
            w = csvmod.DictWriter(g, r.fieldnames)
            w.writeheader()
            for rec in r:
                if rec["unit"] == "ns":
                    for c in data.STAT_COLUMNS[1:]:
                        if rec[c] not in data.MISSING:
                            rec[c] = str(float(rec[c]) * factor)
                w.writerow(rec)
        return path

    def test_threshold_exit_codes(self):
        a = fixture("compare_a.csv")
        same = run("-o", self.out, "--compare", a, a, "--threshold", "10")
        self.assertEqual(same.returncode, 0, same.stderr)
        self.assertNotIn("regression", same.stderr)
        slow = self._doubled(a, 2.0, "slow.csv")
        res = run("-o", self.out, "--compare", a, slow, "--threshold", "10")
        self.assertEqual(res.returncode, 1, res.stderr)
        self.assertIn("qpwreport: regression: local wq op_cost", res.stderr)
        self.assertIn("regression(s) beyond 10%", res.stderr)
        # Twice as fast is no regression; 5 % slower is within 10 %.
        fast = self._doubled(a, 0.5, "fast.csv")
        self.assertEqual(run("-o", self.out, "--compare", a, fast, "--threshold", "10").returncode, 0)
        near = self._doubled(a, 1.05, "near.csv")
        self.assertEqual(run("-o", self.out, "--compare", a, near, "--threshold", "10%").returncode, 0)
        self.assertEqual(run("-o", self.out, "--compare", a, near, "--threshold", "1").returncode, 1)
        # Without --threshold the old behaviour: 0 whatever the ratios.
        self.assertEqual(run("-o", self.out, "--compare", a, slow).returncode, 0)
        bad = run("-o", self.out, "--compare", a, slow, "--threshold", "x")
        self.assertEqual(bad.returncode, 2)
        self.assertEqual(len(bad.stderr.strip().splitlines()), 1)
        self.assertEqual(run("-o", self.out, a, "--threshold", "5").returncode, 2)


class JsonInputTest(TempDir):
    """ubench --json rows (JSON Lines, null for n/a, a context header line)
    read as the same rows as the CSV; CSV comment lines are skipped."""

    def _to_json(self, src, name):
        import csv as csvmod
        import json
        path = os.path.join(self.out, name)
        with open(src, newline="") as f, open(path, "w") as g:
            g.write(json.dumps({"context": {"argv": ["ubench", "remote"], "revision": "abc"}}) + "\n")
            for rec in csvmod.DictReader(f):
                g.write(json.dumps({k: (None if v == "n/a" else v) for k, v in rec.items()}) + "\n")
        return path

    def test_json_rows_equal_csv_rows(self):
        src = fixture("compare_a.csv")
        js = self._to_json(src, "a.json")
        a, b = data.load_csv(src), data.load_csv(js)
        self.assertEqual(len(a), len(b))
        for x, y in zip(a, b):
            self.assertEqual((x.config, x.scenario, x.variant, x.metric, x.stats, x.cpus),
                             (y.config, y.scenario, y.variant, y.metric, y.stats, y.cpus))
        res = run("-o", self.out, "--compare", src, js, "--threshold", "1")
        self.assertEqual(res.returncode, 0, res.stderr)
        # A directory holding both a .csv and a .json reads both.
        d = os.path.join(self.out, "dir")
        os.makedirs(d)
        shutil.copy(js, d)
        rows, files, _ = data.load_all([d])
        self.assertEqual([os.path.basename(f) for f in files], ["a.json"])
        self.assertEqual(len(rows), len(a))
        # Beside its CSV twin (--csv a.csv --json a.json) the JSON is not read
        # again; JSON that is no ubench output (meson's testlog) is skipped.
        shutil.copy(src, os.path.join(d, "a.csv"))
        with open(os.path.join(d, "testlog.json"), "w") as g:
            g.write('{"name": "unit test", "result": "OK"}\n')
        rows, files, notes = data.load_all([d])
        self.assertEqual([os.path.basename(f) for f in files], ["a.csv"])
        self.assertEqual(len(rows), len(a))
        self.assertTrue(any("a.json: the same rows as its .csv" in n for n in notes), notes)
        self.assertTrue(any("testlog.json: not a qpwbench results" in n for n in notes), notes)

    def test_csv_comment_lines(self):
        src = fixture("compare_a.csv")
        path = os.path.join(self.out, "c.csv")
        with open(src) as f, open(path, "w") as g:
            g.write("# ubench context: argv ubench remote\n# revision abc\n" + f.read())
        self.assertEqual(len(data.load_csv(path)), len(data.load_csv(src)))
        self.assertTrue(data.is_results_csv(path))

    def test_bad_json(self):
        path = os.path.join(self.out, "bad.json")
        with open(path, "w") as g:
            g.write('{"scenario": "local"\n')
        res = run("-o", self.out, path)
        self.assertEqual(res.returncode, 2)
        self.assertIn("not JSON", res.stderr)
        self.assertEqual(len(res.stderr.strip().splitlines()), 1)


class AnswersTest(TempDir):
    """The answer tables from synthetic rows: never a pooled cell (fill, drainer
    policy), provenance per row, the RT reviewer's rows per drainer policy."""

    COLS = ("scenario,backend,variant,kernel,preempt,arch,cpus,n_cpus,distance,metric,unit,run,"
            "samples,min,p50,p90,p99,p999,max,mean,stddev,pctl_method,host,cpu_model,timer,"
            "emulated,sched_rt,date,version,target_load,trigger").split(",")

    def _write(self, name, rows, params=None):
        import csv as csvmod
        cols = list(self.COLS) + list(params or [])
        path = os.path.join(self.out, name)
        with open(path, "w", newline="") as f:
            w = csvmod.DictWriter(f, cols)
            w.writeheader()
            for r in rows:
                w.writerow({c: r.get(c, "n/a") for c in cols})
        return path

    def _row(self, **kw):
        base = dict(scenario="remote", backend="kmod", variant="wq", kernel="6.1.0-28-rt-amd64",
                    preempt="rt", arch="x86_64", cpus="0,1", n_cpus="2", distance="l3",
                    metric="drain_latency", unit="ns", run="1", samples="1000", min="1",
                    p50="100", p90="150", p99="200", max="300", mean="110", stddev="5",
                    pctl_method="exact", host="box", cpu_model="CPU", timer="tsc", emulated="no",
                    sched_rt="-1/1000000", date="2026-12-06T00:00:00Z", version="x",
                    target_load="owner")
        base.update(kw)
        return base

    def _ctx(self, path):
        from qpwrep import figures
        rows = data.load_csv(path)
        configs = data.configs_of(rows)
        return figures.Context(rows=rows, variants=data.header_variants(), configs=configs,
                               labels=data.config_labels(configs), outdir=self.out)

    def test_remote_fill_never_pooled_and_stall_rate(self):
        from qpwrep import answers
        params = data.parameter_columns()
        rows = []
        for fill, p50 in (("8", "100"), ("64", "900")):
            for v in ("wq", "qpw-on"):
                rows.append(self._row(variant=v, p50=p50, fill=fill, drainer_policy="other"))
                rows.append(self._row(variant=v, metric="stalled", unit="count", samples="1",
                                      min="0", p50="0", p90="0", p99="0", max="10" if v == "wq" else "0",
                                      mean="10" if v == "wq" else "0", fill=fill,
                                      drainer_policy="other"))
        t = answers.remote_drain(self._ctx(self._write("r.csv", rows, params)))
        self.assertEqual(len(t.rows), 2, t.rows)
        # In numeric order; each row says only what differs, the table once
        # what every row has.
        self.assertEqual([r[3] for r in t.rows], ["fill 8", "fill 64"])
        self.assertIn("Every row: ", t.intro)
        self.assertIn("drainer_policy other", t.intro)
        by = {r[3]: r for r in t.rows}
        wq = t.columns.index("wq: p50 / p99; stall rate")
        self.assertIn("100 ns / 200 ns; 1.0% stalled (10/1010)", by["fill 8"][wq])
        self.assertIn("900 ns / 200 ns", by["fill 64"][wq])
        self.assertEqual(t.rows[0][1], answers.BARE)
        self.assertIn("Valid as: times, bare metal.", t.intro)
        # Two files alike in every parameter: rows of their own, named by file.
        a = data.load_csv(self._write("a.csv", rows, params))
        b = data.load_csv(self._write("b.csv", rows, params))
        from qpwrep import figures
        configs = data.configs_of(a + b)
        ctx = figures.Context(rows=a + b, variants=data.header_variants(), configs=configs,
                              labels=data.config_labels(configs), outdir=self.out)
        self.assertEqual([r[3] for r in answers.remote_drain(ctx).rows],
                         ["fill 8 (a.csv)", "fill 8 (b.csv)", "fill 64 (a.csv)", "fill 64 (b.csv)"])
        # The same rows in a file without the parameters columns: two fills
        # cannot be told apart, so no figure is shown for them.
        t = answers.remote_drain(self._ctx(self._write("old.csv", rows)))
        self.assertEqual(len(t.rows), 1)
        self.assertIn(answers.AMBIGUOUS, t.rows[0][4])

    def test_tcg_times_left_out_counts_kept(self):
        from qpwrep import answers
        params = data.parameter_columns()
        rows = [self._row(emulated="tcg", fill="8"),
                self._row(scenario="local", metric="op_cost", variant="qpw-on", n_cpus="1",
                          cpus="0", distance="n/a", target_load="n/a", emulated="tcg")]
        ctx = self._ctx(self._write("t.csv", rows, params))
        self.assertEqual(answers.remote_drain(ctx).rows, [])
        self.assertIn("Not shown, times under TCG", answers.remote_drain(ctx).notes[0])
        self.assertEqual(answers.fast_path(ctx).rows, [])

    def test_rt_reviewer_rows_per_drainer_policy(self):
        from qpwrep import answers
        params = data.parameter_columns()
        rows = []
        for policy in ("other", "fifo"):
            for v in ("wq", "qpw-on"):
                common = dict(variant=v, target_load="owner-preempted", drainer_policy=policy,
                              emulated="tcg", fill="n/a")
                rows.append(self._row(**common))
                rows.append(self._row(metric="held_drains", unit="count", mean="0.9", **common))
                rows.append(self._row(metric="stalled", unit="count", mean="0", **common))
            rows.append(self._row(variant="wq", metric="owner_op_cost", p50="30",
                                  drainer_policy=policy, fill="8"))
            rows.append(self._row(variant="wq", metric="owner_op_cost_alone", p50="10",
                                  drainer_policy=policy, fill="8"))
        t = answers.rt_reviewer(self._ctx(self._write("p.csv", rows, params)))
        pre = [r for r in t.rows if "owner-preempted" in r[2]]
        self.assertEqual(sorted((r[3], r[4]) for r in pre),
                         [("qpw-on", "drainer policy fifo"), ("qpw-on", "drainer policy other"),
                          ("wq", "drainer policy fifo"), ("wq", "drainer policy other")])
        for r in pre:
            self.assertEqual(r[1], answers.TCG_COUNTS)
            self.assertIn("held_drains 0.90", r[5])
            self.assertNotIn("p50", r[5])          # TCG: no latency
        owner = [r for r in t.rows if "alone" in r[4]]
        self.assertEqual(len(owner), 2)            # one per drainer policy, never pooled
        self.assertTrue(all(r[5] == "10 ns → 30 ns (3.00×)" for r in owner), owner)
        self.assertIn("Drainer policies present: fifo, other.", t.notes)


class SweepTest(TempDir):
    """qpwreport on the rows a real `ubench sweep` writes now (UBENCH, set by
    meson), with the summary's figures recomputed from those rows."""

    def test_summary_from_a_real_sweep(self):
        ubench = os.environ.get("UBENCH")
        self.assertTrue(ubench and os.access(ubench, os.X_OK), "UBENCH must name the built ubench")
        csv_path = os.path.join(self.out, "sweep.csv")
        sweep = subprocess.run([ubench, "sweep", "--backend", "user", "--cpus", "0,1",
                                "--variant", "wq,qpw-on", "--csv", csv_path],
                               capture_output=True, text=True, timeout=600)
        self.assertEqual(sweep.returncode, 0, sweep.stderr)
        res = run("-o", os.path.join(self.out, "r"), csv_path)
        self.assertEqual(res.returncode, 0, res.stderr)
        with open(os.path.join(self.out, "r", "report.md"), encoding="utf-8") as f:
            md = f.read()
        rows = data.load_csv(csv_path)
        cfg = data.configs_of(rows)[0]
        label = data.config_labels([cfg])[cfg]
        summary = md[md.index("**Summary: should remote per-CPU work"):]
        line = next(ln for ln in summary.splitlines() if ln.startswith("| ") and label in ln)

        # Fast path: median over CPUs of op_cost p50, qpw-on over wq (no PMU: of ns),
        # one CPU at a time (local --concurrent rows, n_cpus > 1, are not pooled).
        def p50s(v):
            return [r.get("p50") for r in rows
                    if r.metric == "op_cost" and r.variant == v and r.n_cpus <= 1]
        base, inline = statistics.median(p50s("wq")), statistics.median(p50s("qpw-on"))
        self.assertIn(f"{inline / base:.2f}× ({data.format_ns(inline)} vs {data.format_ns(base)})",
                      line)
        # Remote drain per class and target load: medians of the runs' p50 and p99.
        lat = [r for r in rows if r.metric == "drain_latency"]
        self.assertTrue(lat, "the sweep wrote no remote drain_latency rows")
        for cls, load in {(r.distance, analysis.target_load(r)) for r in lat}:
            for v in ("wq", "qpw-on"):
                rs = [r for r in lat if r.variant == v and r.distance == cls
                      and analysis.target_load(r) == load]
                med = [statistics.median(r.get(s) for r in rs) if all(r.get(s) is not None
                                                                       for r in rs) else None
                       for s in ("p50", "p99")]
                self.assertIn(f"{cls}/{load}: {data.format_ns(med[0])} / {data.format_ns(med[1])}",
                              line)
        # The crossover, recomputed with the one method from the owner rows
        # (idle rows move no entries: never a crossover's points).
        from qpwrep import stats
        pts = {v: [(r.n_cpus, r.get("p50")) for r in rows
                   if r.metric == "drain_all_latency" and r.variant == v
                   and analysis.target_load(r) == "owner"] for v in ("qpw-on", "wq")}
        x = stats.crossover(pts["qpw-on"], pts["wq"])
        if x:
            x.names = ("qpw-on", "wq")
        self.assertIn(x.describe() if x else "n/a", line)
        # The rows themselves: p999 n/a below 10,000 samples, ordered figures, emulated's states.
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            guest = any(ln.startswith("flags") and " hypervisor" in ln for ln in f)
        for r in rows:
            n = r.get("samples")
            if n is not None and n < 10000:
                self.assertIsNone(r.get("p999"), f"{r.scenario} {r.metric}: p999 from {n} samples")
            figs = [r.get(c) for c in ("min", "p50", "p90", "p99", "max") if r.get(c) is not None]
            self.assertEqual(figs, sorted(figs), f"{r.scenario} {r.variant} {r.metric}")
            self.assertEqual(r.config.virtualized, guest)


    def test_runs_with_different_fill_never_pool(self):
        # Two runs into one file, --fill 8 and --fill 32: two cells, each its
        # own run's figures, never their median.
        ubench = os.environ.get("UBENCH")
        self.assertTrue(ubench and os.access(ubench, os.X_OK), "UBENCH must name the built ubench")
        csv_path = os.path.join(self.out, "fills.csv")
        for fill in ("8", "32"):
            res = subprocess.run([ubench, "remote", "--backend", "user", "--cpus", "0,1",
                                  "--variant", "wq,qpw-on", "--iterations", "50", "--fill", fill,
                                  "--csv", csv_path], capture_output=True, text=True, timeout=120)
            self.assertEqual(res.returncode, 0, res.stderr)
        res = run("-o", os.path.join(self.out, "r"), csv_path)
        self.assertEqual(res.returncode, 0, res.stderr)
        with open(os.path.join(self.out, "r", "report.md"), encoding="utf-8") as f:
            md = f.read()
        rows = [r for r in data.load_csv(csv_path) if r.metric == "drain_latency"]
        for fill in ("8", "32"):
            rs = [r for r in rows if r.param("fill") == fill and r.variant == "qpw-on"]
            self.assertEqual(len(rs), 1, fill)
            self.assertIn(f"/owner, fill {fill}: {data.format_ns(rs[0].get('p50'))}", md)
        # And the pooling itself is refused, with one line naming what differs.
        with self.assertRaisesRegex(data.InputError, r"^refusing to pool remote drain_latency qpw-on rows "
                                                     r"run differently: fill 32 vs 8$"):
            data.aggregate([r for r in rows if r.variant == "qpw-on"])


class Kernel72Test(TempDir):
    """The section 'the proposal on a real kernel' from 7.2 guests' rows:
    stock, patched with pwlocks=0 and pwlocks=1 (kernel72.csv)."""

    def test_tables(self):
        from qpwrep import kernel72
        rows = data.load_csv(fixture("kernel72.csv"))
        inter, fast = kernel72.tables(rows)
        self.assertEqual([r[1] for r in inter.rows],
                         ["7.2.13-rt (stock)", "7.2.13-rt + PW locks, pwlocks=0",
                          "7.2.13-rt + PW locks, pwlocks=1"])
        self.assertIn("lru_add_drain_per_cpu 1.00", inter.rows[0][4])
        # The caller's row (cpus 0,1) is no table row of its own: its time is the target's.
        self.assertEqual(inter.rows[0][2], "1")
        # The caller's trigger_latency (1.6 M insns, the --hold an RT spinner
        # makes it wait) is an artefact and not shown; the stalls and the
        # caller's own instructions are.
        self.assertNotIn("1,600,000 insns", str(inter.rows))
        self.assertEqual(inter.rows[0][6], "5 of 20")
        self.assertEqual(inter.rows[0][7], "31,000 insns (the caller's own)")
        self.assertEqual(inter.rows[1][6], "–")
        self.assertEqual(inter.rows[2][4], "none")
        self.assertTrue(inter.rows[2][3].startswith("0.00 (min 0, max 0, 20 triggers)"))
        fault = {r[1]: r for r in fast.rows if r[0] == "fault"}
        self.assertEqual(fault["7.2.13-rt (stock)"][4], "1 (stock)")
        self.assertEqual(fault["7.2.13-rt + PW locks, pwlocks=1"][4], "1.010×")
        self.assertEqual(fault["7.2.13-rt + PW locks, pwlocks=1"][6], "1.012×")
        self.assertTrue(all(r[2].endswith(" insns") for r in fast.rows))
        # Instructions under -icount and work-item counts hold under TCG:
        # neither table carries the TCG-times badge.
        self.assertFalse(any(fast.emulated) or any(inter.emulated))

    def test_in_report_and_absent_without_rows(self):
        out = os.path.join(self.out, "r")
        p = run("-o", out, fixture("kernel72.csv"))
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(os.path.join(out, "report.md"), encoding="utf-8") as f:
            md = f.read()
        self.assertIn("The proposal on a real kernel: fast path per op", md)
        self.assertIn("The proposal on a real kernel: work items on the isolated CPU", md)
        p = run("-o", os.path.join(self.out, "m"), fixture("mixed.csv"))
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(os.path.join(self.out, "m", "report.md"), encoding="utf-8") as f:
            self.assertNotIn("The proposal on a real kernel", f.read())


class DrainCostTest(TempDir):
    """The drain-cost table from scripts/drain-cost's rows (drain_cost.csv:
    stock and pwlocks=1 at 2 and 4 CPUs, idle targets, insns)."""

    def test_table(self):
        from qpwrep import kernel72
        rows = data.load_csv(fixture("drain_cost.csv"))
        self.assertIsNone(kernel72.interference(rows))
        self.assertIsNone(kernel72.fast_path(rows))
        t = kernel72.drain_cost(rows)
        by = {(r[1], r[2]): r for r in t.rows}
        self.assertEqual(by[("7.2.13-rt (stock)", "4")][3], "140,000")
        self.assertEqual(by[("7.2.13-rt (stock)", "4")][4], "1 (stock)")
        self.assertEqual(by[("7.2.13-rt + PW locks, pwlocks=1", "4")][4], f"{110000 / 140000:.3f}×")
        self.assertEqual(by[("7.2.13-rt + PW locks, pwlocks=1", "2")][6], "4.000×")
        self.assertIn("drop-caches, 7.2.13-rt (stock): 20,000 insns of the whole drain and 2,000 of "
                      "the caller's per added CPU", t.notes[0])
        self.assertIn("pwlocks=1: 10,000 insns of the whole drain and 10,000", t.notes[1])
        self.assertFalse(any(t.emulated))


class CoherenceTest(TempDir):
    """The section 'cache lines moved per remote drain' from scripts/
    coherence-drain's rows (coherence.csv: drop-caches at 2 CPUs, 3 triggers,
    stock 7.2 RT and pwlocks=1, real guests' rows) and its estimate with a
    machine's c2c rows (coherence_c2c.csv: l3 100 and 120 ns, numa 300 ns)."""

    def test_tables(self):
        from qpwrep import coherence
        rows = data.load_csv(fixture("coherence.csv"))
        self.assertEqual(len(coherence.tables(rows)), 1, "no estimate without c2c rows")
        rows += data.load_csv(fixture("coherence_c2c.csv"))
        lines, estimate = coherence.tables(rows)
        by = {r[1]: r for r in lines.rows}
        stock, pw = by["7.2.13-rt (stock)"], by["7.2.13-rt + PW locks, pwlocks=1"]
        # Stock: the workqueue's lines both ways; pwlocks=1: only to the caller.
        self.assertTrue(stock[3].startswith("55.0 (work item, pool "), stock[3])
        self.assertTrue(stock[4].startswith("82.0 ("), stock[4])
        self.assertEqual(pw[3], "0.0")
        self.assertIn("batch, lock 3.3", pw[4])
        self.assertEqual((stock[6], pw[7], pw[8]), ("1,580,390", "1,587,068", "3"))
        # Counts valid under emulation: no TCG-times badge, a validity label.
        self.assertFalse(any(lines.emulated))
        self.assertTrue(lines.intro.startswith("Valid as: counts, TCG (valid)."))
        # l3: the median of 100 and 120 (the upper one of two): 120 ns.
        est = {(r[1], r[4]): r for r in estimate.rows}
        self.assertEqual(len(estimate.rows), 4)
        self.assertEqual(est[("l3", "7.2.13-rt (stock)")][2], "120.0")
        self.assertEqual(est[("l3", "7.2.13-rt (stock)")][5], "N=2: 137.0 lines → 16.44 µs")
        self.assertEqual(est[("numa", "7.2.13-rt + PW locks, pwlocks=1")][5], "N=2: 62.0 lines → 18.60 µs")
        self.assertIn("not a measurement", estimate.title)
        self.assertFalse(any(estimate.emulated))

    def test_in_report(self):
        out = os.path.join(self.out, "r")
        p = run("-o", out, fixture("coherence.csv"), fixture("coherence_c2c.csv"))
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(os.path.join(out, "report.md"), encoding="utf-8") as f:
            md = f.read()
        self.assertIn("**Cache lines moved per remote drain**", md)
        self.assertIn("cost estimate per machine (an estimate, not a measurement)", md)


class TriggerTest(TempDir):
    """The trigger section from vm-trigger guests' rows (trigger.csv: 6.12-rt
    with CPU 1 isolated, CPU 2 a control, and rtla's witness run; arm64 6.1)."""

    def test_table(self):
        from qpwrep import figures, triggers
        rows = data.load_csv(fixture("trigger.csv"))
        configs = data.configs_of(rows)
        ctx = figures.Context(rows=rows, variants=[], configs=configs,
                              labels=data.config_labels(configs), outdir=self.out)
        t = triggers.table(ctx)
        by = {(r[0].split()[0].split("-")[1], r[1], r[2], r[3]): r for r in t.rows}
        # 6.12: memcg's drain skips the isolated CPU, not the control; drop_caches drains.
        self.assertEqual(by[("amd64", "memcg-reclaim", "fifo", "1")][5], "none")
        self.assertIn("drain_local_stock 1 (min 1)", by[("amd64", "memcg-reclaim", "fifo", "2")][5])
        self.assertIn("lru_add_drain_per_cpu 1 (min 1)", by[("amd64", "drop-caches", "fifo", "1")][5])
        self.assertIn("6.1's fs/drop_caches.c", by[("amd64", "drop-caches", "fifo", "1")][-1])
        # 6.1 (arm64): drop_caches puts nothing there, memcg drains the isolated CPU.
        self.assertEqual(by[("arm64", "drop-caches", "fifo", "1")][5], "none")
        self.assertIn("drain_local_stock 1 (min 1)", by[("arm64", "memcg-reclaim", "fifo", "1")][5])
        self.assertIn("lru_add_drain_all", by[("amd64", "fadvise", "fifo", "1")][9])
        self.assertIn("(osnoise: 1)", by[("amd64", "fadvise", "idle", "1")][6])
        # Counts: no row badge; the TCG latency cell is marked on its own.
        self.assertFalse(any(t.emulated))
        self.assertTrue(all(r[10] == "–" or r[10].endswith("]") for r in t.rows))

    def test_in_report_and_absent_without_rows(self):
        out = os.path.join(self.out, "r")
        p = run("-o", out, fixture("trigger.csv"))
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(os.path.join(out, "report.md"), encoding="utf-8") as f:
            md = f.read()
        self.assertIn("The kernel's own remote drains: work put on the target CPUs", md)
        self.assertTrue(os.path.exists(os.path.join(out, "7-triggers.png")))
        self.assertEqual(png_text(os.path.join(out, "7-triggers.png"))["qpwbench-emulated"], "yes")
        p = run("-o", os.path.join(self.out, "m"), fixture("mixed.csv"))
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(os.path.join(self.out, "m", "report.md"), encoding="utf-8") as f:
            self.assertNotIn("remote drains: work put on", f.read())
        self.assertFalse(os.path.exists(os.path.join(self.out, "m", "7-triggers.png")))


class AnalysisTest(unittest.TestCase):
    def row(self, scenario, metric, variant, cpus, distance, p50, n_cpus=None):
        cfg = data.Config("h", "x86_64", "k", "rt", "kmod", False)
        stats = {c: None for c in data.STAT_COLUMNS}
        stats.update(p50=p50, p99=p50 * 2, mean=p50)
        # Drain-all rows under owners: the only ones a crossover is fitted to.
        extra = {"target_load": "owner"} if scenario == "drain-all" else {}
        return data.Row(cfg, scenario, variant, tuple(cpus), n_cpus or len(cpus), distance, metric,
                        "ns", stats, None, extra)

    def test_topology_order_and_boundaries(self):
        # SMT siblings are (0,2) and (1,3); 0-3 share an L3, 4 is another package.
        cls = {frozenset((0, 2)): "smt", frozenset((1, 3)): "smt"}
        rows = [self.row("c2c", "one_way_latency", "pingpong", (a, b),
                         "package" if 4 in (a, b) else cls.get(frozenset((a, b)), "l3"), 10 + a + b)
                for a in range(5) for b in range(a + 1, 5)]
        m = analysis.c2c_matrix(rows, rows[0].config)
        self.assertEqual(m.cpus, [0, 2, 1, 3, 4])
        self.assertEqual(m.boundaries, [(1, "l3"), (3, "package")])
        self.assertEqual(m.latency[0][1], 12)        # pair (0,2)
        self.assertEqual(m.latency[1][0], 12)        # mirrored
        self.assertIsNone(m.latency[0][0])

    def test_crossover(self):
        # wq: 10 + N; qpw-on: 4N (two runs each, +-1): the lines meet at N* = 10/3.
        def rows_of(variant, f):
            return [self.row("drain-all", "drain_all_latency", variant, range(n), "l3", f(n) + d)
                    for n in (1, 2, 4, 8) for d in (-1, 1)]
        rows = rows_of("wq", lambda n: 10 + n) + rows_of("qpw-on", lambda n: 4 * n)
        c = analysis.crossover(rows)
        self.assertAlmostEqual(c.n, 10 / 3)
        self.assertTrue(c.measured and c.serial_first and c.lo < c.n < c.hi)
        self.assertTrue(c.describe().startswith("N*=3.3 (95% "), c.describe())
        # qpw-on's line is the steeper: it wins below N*, wq above.
        self.assertTrue(c.describe().endswith("qpw-on faster below N*, wq above"), c.describe())
        # Two sizes of N: no line fit tells a crossing from noise.
        two = [r for r in rows if r.n_cpus <= 2]
        self.assertEqual(analysis.crossover(two).describe(), "not measurable here (N=1..2)")
        # Past the measured N: extrapolated.
        far = rows_of("wq", lambda n: 100 + n) + rows_of("qpw-on", lambda n: 4 * n)
        c = analysis.crossover(far)
        self.assertAlmostEqual(c.n, 100 / 3)
        self.assertFalse(c.measured)
        self.assertIn("extrapolated outside N=1..8", c.describe())
        # Parallel lines never meet; one variant alone gives no crossover.
        flat = rows_of("wq", lambda n: 10 + n) + rows_of("qpw-on", lambda n: 2 + n)
        self.assertIn("none: the fits do not cross (qpw-on faster throughout N=1..8)",
                      analysis.crossover(flat).describe())
        self.assertIsNone(analysis.crossover(rows_of("wq", lambda n: n)))

    def test_interference_verdict_over_runs(self):
        # Three runs a side: qpw-on's worst gaps are clearly below wq's; a 50 ms
        # gap with sched_rt 950000/1000000 is RT throttling and says so.
        cfg = data.Config("h", "x86_64", "k", "rt", "kmod", False, sched_rt="950000/1000000")

        def rows_of(variant, gaps, ctxsw):
            out = []
            for run, g in enumerate(gaps, 1):
                r = self.row("interference", "target_gap", variant, (1,), "l3", g / 2)
                r.stats["max"] = g
                r.extra["run"] = str(run)
                c = self.row("interference", "target_ctx_switches", variant, (1,), "l3", ctxsw)
                c.stats["max"] = ctxsw
                out += [r, c]
            for r in out:
                r.config = cfg
            return out
        rows = rows_of("wq", [50e6, 49e6, 51e6], 120) + rows_of("qpw-on", [2e4, 3e4, 2.5e4], 0)
        removed, evidence = analysis.interference_verdict(analysis.interference(rows, cfg), cfg)
        self.assertTrue(removed, evidence)
        self.assertIn("ratio over runs", evidence)
        self.assertIn("is RT throttling (sched_rt 950000/1000000)", evidence)
        # Same gaps on both sides: the interval holds 1, nothing removed.
        rows = rows_of("wq", [1e5, 2e5, 3e5], 5) + rows_of("qpw-on", [2e5, 1e5, 3e5], 0)
        removed, evidence = analysis.interference_verdict(analysis.interference(rows, cfg), cfg)
        self.assertFalse(removed, evidence)
        self.assertIn("no difference", evidence)

    def test_ratio_of_medians(self):
        # ubench/tests/test_hist.c checks the C side on these very values.
        from qpwrep import stats
        a, b, c = [100, 101, 99, 100, 102], [200, 199, 201, 202, 198], [100, 130, 70, 110, 95]
        r = stats.ratio_of_medians(a, b)
        self.assertTrue(r.ratio == 2 and 1.9 < r.lo <= 2 <= r.hi < 2.1 and r.differs)
        r = stats.ratio_of_medians(a, c)
        self.assertTrue(r.lo < 1 < r.hi and not r.differs)
        self.assertIn("no difference", r.describe())


    def test_drain_all_orders(self):
        # 2 packages of 2 SMT pairs: ramp 0,1,2,3,4,...; spread 0,4,2,6,...
        ramp, spread = (0, 1, 2, 3, 4, 5, 6, 7), (0, 4, 2, 6, 1, 5, 3, 7)
        far = {1: "smt", 2: "l3", 3: "l3", 4: "system", 5: "system", 6: "system", 7: "system"}

        def rows_of(order, p50):
            return [self.row("drain-all", "drain_all_latency", v, order[:n],
                             far[max(order[1:n], key=lambda c: list(far).index(c))] if n > 1 else "n/a",
                             p50 * n)
                    for v in ("wq", "qpw-on") for n in range(1, 9)]
        rows = rows_of(spread, 100) + rows_of(ramp, 10)
        cfg = rows[0].config
        orders = plans.drain_all_orders(rows, cfg)
        self.assertEqual([label for label, _ in orders], [plans.RAMP, plans.SPREAD])
        for (_, rs), order in zip(orders, (ramp, spread)):
            # Each order's rows: its 8 prefixes per variant, N=1 shared.
            self.assertEqual(sorted({r.cpus for r in rs}), sorted(order[:n] for n in range(1, 9)))
            curves = analysis.drain_all_curves(rs, cfg)
            self.assertEqual([n for n, _, _ in curves["wq"]], list(range(1, 9)))
        self.assertEqual(analysis.drain_all_curves(orders[1][1], cfg)["wq"][-1][1], 800)
        # One order: no label, every row.
        only = plans.drain_all_orders(rows_of(ramp, 10), cfg)
        self.assertEqual([(label, len(rs)) for label, rs in only], [(None, 16)])
        self.assertEqual(plans.drain_all_orders([], cfg), [])

    def test_interference_verdict(self):
        def inter(ctx, gap):
            return {"gaps": {"max": gap}, "ctxsw": ctx, "ctxsw_max": ctx, "run_gaps": [gap]}
        removed, evidence = analysis.interference_verdict(
            {"wq": inter(120, 2e6), "qpw-on": inter(0, 2e4)})
        self.assertTrue(removed)
        self.assertEqual(evidence, "ctx switches 120→0, max gap 2 ms→20 µs")
        # A stalled workqueue never preempts the spinner (0 switches): the gap decides.
        self.assertTrue(analysis.interference_verdict({"wq": inter(0, 1e6), "qpw-on": inter(0, 1e5)})[0])
        self.assertFalse(analysis.interference_verdict({"wq": inter(5, 1e6), "qpw-on": inter(9, 1e5)})[0])
        self.assertFalse(analysis.interference_verdict({"wq": inter(5, 1e5), "qpw-on": inter(0, 1e5)})[0])
        self.assertIsNone(analysis.interference_verdict({"wq": inter(5, 1e5)}))

    def test_settings_split_by_load_and_differing_parameters(self):
        rows = []
        for load, fill, p50 in (("owner", "0", 30), ("owner", "32", 300), ("idle", "n/a", 60)):
            r = self.row("remote", "drain_latency", "wq", (0, 1), "l3", p50)
            r.extra.update(target_load=load, fill=fill, drain_empty="yes" if load == "idle" else "no")
            rows.append(r)
        self.assertEqual(sorted(data.settings(rows)), ["idle", "owner, fill 0", "owner, fill 32"])
        rows[2].extra["interrupted"] = "yes"
        self.assertEqual(sorted(data.settings(rows)),
                         ["idle, INTERRUPTED (partial)", "owner, fill 0", "owner, fill 32"])
        rows[2].extra["interrupted"] = "no"
        rd = analysis.remote_drain(rows, rows[0].config)
        self.assertEqual(sorted(k[1] for k in rd), ["idle", "owner, fill 0", "owner, fill 32"])
        self.assertEqual(rd[("l3", "owner, fill 32", "wq")]["p50"], 300)
        with self.assertRaises(data.InputError):
            data.aggregate(rows[:2])

    def test_remote_groups_by_class_and_target_load(self):
        rows = []
        for load, p50 in (("idle", 100), ("fifo", 9000), ("idle", 300)):
            r = self.row("remote", "drain_latency", "wq", (0, 1), "l3", p50)
            r.extra["target_load"] = load
            rows.append(r)
        rows.append(self.row("remote", "drain_latency", "wq", (0, 2), "smt", 50))
        rd = analysis.remote_drain(rows, rows[0].config)
        self.assertEqual(list(rd), [("smt", "", "wq"), ("l3", "fifo", "wq"), ("l3", "idle", "wq")])
        self.assertEqual(rd[("l3", "idle", "wq")]["p50"], 200)     # median of repetitions
        # Never pooled: one entry per class and target load, the headline the nearest idle one.
        by = analysis.remote_drain_by_variant(rd)
        self.assertEqual(by["wq"][("l3", "fifo")][:2], (9000, 18000))
        self.assertEqual(by["wq"][("l3", "idle")][:2], (200, 400))
        self.assertEqual(len(by["wq"]), 3)
        self.assertEqual(analysis.remote_headline(by), ("smt", ""))
        # Owners (filled batches) first within a class, then idle.
        self.assertEqual(analysis.remote_headline({"wq": {("l3", "idle"): 0, ("l3", "owner, fill 32"): 0}}),
                         ("l3", "owner, fill 32"))


class VariantsTest(unittest.TestCase):
    """The report reads the variant list from the uapi header; check the parse
    against what the C preprocessor makes of QPWBENCH_VARIANTS."""

    def test_matches_preprocessor(self):
        cc = shutil.which("cc") or shutil.which("gcc")
        if not cc:
            print("SKIP: no C compiler to expand QPWBENCH_VARIANTS with")
            sys.exit(77)
        src = ('#include "qpwbench.h"\n#define NAME(id, name) name\n'
               "QPWBENCH_VARIANTS(NAME)\n")
        out = subprocess.run([cc, "-E", "-P", "-I", UAPI, "-x", "c", "-"], input=src,
                             capture_output=True, text=True, check=True).stdout
        expanded = out.strip().splitlines()[-1]
        names = [s.strip('" ') for s in expanded.split('"') if s.strip()]
        self.assertEqual(data.header_variants(), names)
        self.assertIn(data.BASELINE_VARIANT, names)
        self.assertIn(data.INLINE_VARIANT, names)

    def test_bad_header(self):
        with tempfile.NamedTemporaryFile("w", suffix=".h") as f:
            f.write("#define SOMETHING_ELSE 1\n")
            f.flush()
            with self.assertRaises(data.InputError):
                data.header_variants(f.name)


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v", *sys.argv[1:]])
