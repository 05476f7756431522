#!/usr/bin/python3
"""ubench's conventions (issue 25): --version prints the revision every row
carries; a new CSV starts with the context header as comment lines and a new
JSON file with a {"context": ...} line; the sweep shows progress with an ETA
on stderr on a terminal (a pty here), and not when stderr is a file, unless
QPWBENCH_PROGRESS=1.

  test_conventions.py UBENCH
"""

import csv
import json
import os
import pty
import re
import subprocess
import sys
import tempfile
import unittest

UBENCH = None
CONTEXT_KEYS = ["argv", "revision", "kernel_cmdline", "isolcpus", "nohz_full", "governor", "smt",
                "thp", "rt_throttling"]


def run(*args, env=None):
    return subprocess.run([UBENCH, *args], capture_output=True, text=True, timeout=300,
                          env=env)


def on_pty(args, env):
    """Run UBENCH with stdout and stderr on a pseudo-terminal: (status, output)."""
    pid, fd = pty.fork()
    if pid == 0:
        os.execve(UBENCH, [UBENCH, *args], env)
    out = b""
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), out.decode(errors="replace")


class Conventions(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="ubench-conv-")
        self.env = {k: v for k, v in os.environ.items() if k != "QPWBENCH_PROGRESS"}

    def test_version(self):
        p = run("--version")
        self.assertEqual(p.returncode, 0, p.stderr)
        m = re.fullmatch(r"ubench (\S+)\n", p.stdout)
        self.assertTrue(m, p.stdout)
        # The same revision as every row's version column and the context's.
        csv_path = os.path.join(self.dir, "v.csv")
        q = run("local", "--cpus", "0", "--variant", "wq", "--iterations", "200", "--csv", csv_path)
        self.assertEqual(q.returncode, 0, q.stderr)
        with open(csv_path) as f:
            lines = f.read().splitlines()
        rows = list(csv.DictReader(ln for ln in lines if not ln.startswith("#")))
        self.assertEqual({r["version"] for r in rows}, {m.group(1)})
        self.assertIn(f"# revision: {m.group(1)}", lines)
        self.assertIn("--version", run("--help").stdout)

    def test_context_header(self):
        csv_path, json_path = os.path.join(self.dir, "c.csv"), os.path.join(self.dir, "c.json")
        args = ["local", "--cpus", "0", "--variant", "wq", "--iterations", "200",
                "--csv", csv_path, "--json", json_path]
        p = run(*args)
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(csv_path) as f:
            lines = f.read().splitlines()
        comments = [ln for ln in lines if ln.startswith("#")]
        self.assertEqual([c.split(":")[0][2:] for c in comments], CONTEXT_KEYS)
        self.assertEqual(lines[len(comments)].split(",")[0], "scenario")   # then the header
        self.assertTrue(comments[0].endswith(" ".join(args)), comments[0])
        with open("/proc/sys/kernel/sched_rt_runtime_us") as f:
            runtime = f.read().strip()
        self.assertTrue(comments[-1].startswith(f"# rt_throttling: {runtime}/"), comments[-1])
        with open("/proc/cmdline") as f:
            self.assertEqual(comments[2], "# kernel_cmdline: " + f.read().strip())
        # Appending adds rows, never a second context or header.
        p = run(*args)
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(csv_path) as f:
            again = f.read().splitlines()
        self.assertEqual(sum(ln.startswith("#") for ln in again), len(CONTEXT_KEYS))
        self.assertEqual(sum(ln.startswith("scenario,") for ln in again), 1)
        with open(json_path) as f:
            objs = [json.loads(ln) for ln in f]
        self.assertEqual(list(objs[0]), ["context"])
        self.assertEqual(list(objs[0]["context"]), CONTEXT_KEYS)
        self.assertEqual(sum("context" in o for o in objs), 1)
        self.assertTrue(all("scenario" in o for o in objs[1:]))

    def test_sweep_progress_on_a_terminal(self):
        status, out = on_pty(["sweep", "--variant", "wq,qpw-on", "--csv",
                              os.path.join(self.dir, "s.csv")], self.env)
        self.assertEqual(status, 0, out)
        steps = re.findall(r"ubench sweep: \[(\d+)/(\d+)\] ([^:]+): (\d+) s elapsed, (.*)", out)
        self.assertGreaterEqual(len(steps), 4, out)
        n = int(steps[0][1])
        self.assertEqual([int(s[0]) for s in steps], list(range(1, n + 1)))
        self.assertEqual(steps[0][2], "local")
        # From the second step on, an ETA.
        for s in steps[1:]:
            self.assertRegex(s[4], r"^about \d+ s left", s)
        self.assertRegex(out, rf"ubench sweep: \[{n}/{n}\] done in \d+ s")

    def test_no_progress_into_a_file_unless_asked(self):
        out = os.path.join(self.dir, "q.csv")
        p = run("sweep", "--variant", "wq", "--csv", out, env=self.env)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertNotIn("elapsed", p.stderr)
        env = dict(self.env, QPWBENCH_PROGRESS="1")
        p = run("sweep", "--variant", "wq", "--csv", os.path.join(self.dir, "r.csv"), env=env)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertRegex(p.stderr, r"ubench sweep: \[2/\d+\] local --concurrent: \d+ s elapsed, about")


if __name__ == "__main__":
    UBENCH = os.path.realpath(sys.argv.pop(1))
    unittest.main(verbosity=2)
