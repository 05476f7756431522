#!/usr/bin/python3
"""scripts/lib/summary.py, run as scripts/test runs it, on the fixture run in
summary/ (a CI run: the host kmod suite's 3 skips, a guest scripts/vm booted
twice, parts guests left out, two setup steps) and on variants of it.

  test_summary.py [TestClass ...] [--build BUILD]

With --build, RealConfigTest checks the real configuration: every test
.ci/expected-skips names is registered, and the setup steps run first and
alone.
"""

import json
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.dirname(os.path.dirname(HERE))
SUMMARY = os.path.join(SRC, "scripts", "lib", "summary.py")
FIXTURE = os.path.join(HERE, "summary")
BUILD = None

KMOD_REASON = "/dev/qpwbench absent (qpwbench.ko not loaded; the vm suite runs this in guests)"
QEMU_SKIP = {"name": "qpwbench:vm / vm-arm64", "result": "SKIP", "returncode": 77, "stdout": "",
             "stderr": "vm: SKIP: qemu-system-aarch64 is not installed (scripts/setup installs it)\n"}
TOPO_SKIP = {"name": "qpwbench:unit / topo-files", "result": "SKIP", "returncode": 77,
             "stdout": "SKIP: the real machines' topologies are not checked: ../shared/topologies "
                       "is missing (they sit beside the clone, in ../shared/topologies)\n"}


def run(extra=(), replace=(), expected=None, ci=False, testlog=None):
    """summary.py on the fixture with records added (extra) or swapped by
    name (replace); returns (exit status, stdout lines)."""
    with tempfile.TemporaryDirectory() as tmp:
        if testlog is None:
            with open(os.path.join(FIXTURE, "testlog.json")) as f:
                records = [json.loads(line) for line in f]
            swap = {r["name"]: r for r in replace}
            records = [swap.pop(r["name"], r) for r in records] + list(extra)
            assert not swap, f"no such fixture record: {list(swap)}"
            testlog = os.path.join(tmp, "testlog.json")
            with open(testlog, "w") as f:
                f.writelines(json.dumps(r) + "\n" for r in records)
        cmd = [sys.executable, SUMMARY, testlog, os.path.join(FIXTURE, "intro-tests.json")]
        if expected is not None:
            cmd += ["--expected-skips", expected]
        env = {k: v for k, v in os.environ.items() if k != "CI"}
        if ci:
            env["CI"] = "true"
        p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    return p.returncode, p.stdout.splitlines(), p.stderr


class FixtureTest(unittest.TestCase):
    EXPECTED = os.path.join(FIXTURE, "expected-skips")

    def test_summary_lines(self):
        rc, out, _ = run()
        self.assertEqual(rc, 0)
        self.assertEqual(out, [
            "setup steps: ok (build-kernel-7.2, pwlocks-patches)",
            f"skipped qpwbench-selftest: SKIP qpwbench-selftest: {KMOD_REASON}",
            f"skipped qpwbench-fuzz: SKIP qpwbench-fuzz: {KMOD_REASON}",
            f"skipped qpwbench-rtcheck: SKIP qpwbench-rtcheck: {KMOD_REASON}",
            # One line per part and reason, naming every test that left it
            # out once (vm-rt's two boots both printed it).
            "part skipped: qpwbench-selftest run-cap: not asked for (--run-cap: a run of 60 s)"
            " [vm-rt, vm-arm64]",
            "part skipped: vm-trigger rtla-agrees: no rtla witness here (rtla or the osnoise tracer"
            " missing) [vm-trigger-arm64]",
            "retried: 1: vm-rt (boot 1 stalled after 38.2s (RCU: CPU 0's timer wakeup didn't happen;"
            " no module loaded))",
            # 5 tests: the setup steps are not counted.
            "tests: 5 passed, 0 failed, 3 skipped",
        ])

    def test_no_retry(self):
        rc, out, _ = run(replace=[{"name": "qpwbench:vm / vm-rt", "result": "OK", "returncode": 0,
                                   "stdout": "vm-suite: 6 passed, 0 failed\n"}])
        self.assertEqual(rc, 0)
        self.assertEqual(out[-2:], ["retried: 0", "tests: 5 passed, 0 failed, 3 skipped"])

    def test_retried_failure_still_named(self):
        failed = {"name": "qpwbench:vm / vm-rt", "result": "FAIL", "returncode": 1, "stdout": "",
                  "stderr": "QPWBENCH-VM-RETRIED boot 1 stalled after 12.0s\nvm: no result\n"}
        rc, out, _ = run(replace=[failed])
        self.assertEqual(rc, 1)
        self.assertEqual(out[-5:], ["retried: 1: vm-rt (boot 1 stalled after 12.0s)",
                                    "failed vm-rt (FAIL):",
                                    "  | QPWBENCH-VM-RETRIED boot 1 stalled after 12.0s",
                                    "  | vm: no result",
                                    "tests: 4 passed, 1 failed, 3 skipped"])

    def test_failed_test_says_why(self):
        """CI shows the end of the output: a failed test's FAIL lines are
        there (not its passing checks) with scripts/vm's last words, cut to
        width, at most 8 lines."""
        checks = "".join(f"QPWBENCH-CHECK c{i} PASS\n" for i in range(40))
        failed = {"name": "qpwbench:vm / vm-arm64", "result": "FAIL", "returncode": 1,
                  "stdout": checks + "QPWBENCH-CHECK memcg FAIL: " + "x" * 400 + "\n"
                            + "vm-trigger: 1 check(s) failed\n", "stderr": "vm: done\n"}
        rc, out, _ = run(replace=[failed])
        self.assertEqual(rc, 1)
        i = out.index("failed vm-arm64 (FAIL):")
        self.assertEqual(out[i + 1], "  | QPWBENCH-CHECK memcg FAIL: " + "x" * (300 - 27))
        self.assertEqual(out[i + 2], "  | vm: done")
        self.assertEqual(out[i + 3], "tests: 4 passed, 1 failed, 3 skipped")
        many = dict(failed, stdout="".join(f"FAIL: case {i}\n" for i in range(20)))
        rc, out, _ = run(replace=[many])
        i = out.index("failed vm-arm64 (FAIL):")
        self.assertEqual(out[i + 1:i + 10], [f"  | FAIL: case {k}" for k in range(6)]
                         + ["  | ... 14 more that say FAIL", "  | vm: done",
                            "tests: 4 passed, 1 failed, 3 skipped"])

    def test_expected_skips_pass(self):
        rc, out, _ = run(expected=self.EXPECTED)
        self.assertEqual(rc, 0)
        self.assertIn(f"skipped qpwbench-fuzz: SKIP qpwbench-fuzz: {KMOD_REASON} [expected]", out)
        self.assertEqual(out[-1], "tests: 5 passed, 0 failed, 3 skipped")

    def test_extra_skip_fails(self):
        rc, out, _ = run(replace=[TOPO_SKIP], expected=self.EXPECTED)
        self.assertEqual(rc, 1)
        self.assertIn("skipped topo-files: SKIP: the real machines' topologies are not checked: "
                      "../shared/topologies is missing (they sit beside the clone, in ../shared/topologies) [FAILED: not an expected skip]",
                      out)
        self.assertEqual(out[-1], "tests: 4 passed, 1 failed, 3 skipped")

    def test_extra_skip_without_list_is_a_skip(self):
        rc, out, _ = run(replace=[TOPO_SKIP])
        self.assertEqual(rc, 0)
        self.assertIn("skipped topo-files: SKIP: the real machines' topologies are not checked: "
                      "../shared/topologies is missing (they sit beside the clone, in ../shared/topologies)", out)
        self.assertEqual(out[-1], "tests: 4 passed, 0 failed, 4 skipped")

    def test_qemu_missing_under_ci_fails(self):
        rc, out, _ = run(replace=[QEMU_SKIP], ci=True)
        self.assertEqual(rc, 1)
        self.assertIn("skipped vm-arm64: vm: SKIP: qemu-system-aarch64 is not installed "
                      "(scripts/setup installs it) [FAILED: under CI=true the vm suite must boot "
                      "its guests]", out)
        self.assertEqual(out[-1], "tests: 4 passed, 1 failed, 3 skipped")

    def test_qemu_missing_for_a_user_is_a_skip(self):
        rc, out, _ = run(replace=[QEMU_SKIP])
        self.assertEqual(rc, 0)
        self.assertEqual(out[-1], "tests: 4 passed, 0 failed, 4 skipped")

    def test_skip_without_reason_fails(self):
        silent = {"name": "qpwbench:unit / hist", "result": "SKIP", "returncode": 77,
                  "stdout": "hist: nothing to do\n"}
        rc, out, _ = run(replace=[silent])
        self.assertEqual(rc, 1)
        self.assertIn("skipped hist: (no reason printed) [FAILED: a skip must print one line "
                      "with SKIP and why]", out)
        self.assertEqual(out[-1], "tests: 4 passed, 1 failed, 3 skipped")

    def test_setup_step_failure(self):
        broken = {"name": "qpwbench:vm+setup / build-kernel-7.2", "result": "FAIL", "returncode": 1,
                  "stdout": "build-kernel: make failed\n"}
        rc, out, _ = run(replace=[broken])
        self.assertEqual(rc, 1)
        self.assertEqual(out[0], "setup steps: FAILED build-kernel-7.2; ok pwlocks-patches")
        self.assertEqual(out[-1], "tests: 5 passed, 0 failed, 3 skipped")

    def test_single_suite_names(self):
        # One suite run: meson names tests without 'project:suite / '.
        rc, out, _ = run(extra=[{"name": "vm-6.12", "result": "OK", "returncode": 0, "stdout": ""}])
        self.assertEqual(rc, 0)
        self.assertEqual(out[-1], "tests: 6 passed, 0 failed, 3 skipped")

    def test_expected_list_names_unknown_test(self):
        with tempfile.NamedTemporaryFile("w", suffix="-skips") as f:
            f.write("qpwbench-selftest\nqpwbench-gone  # renamed since\n")
            f.flush()
            rc, out, err = run(expected=f.name)
        self.assertEqual(rc, 2)
        self.assertIn("names no registered test: qpwbench-gone", err)

    def test_no_test_log(self):
        rc, out, err = run(testlog="/nonexistent/testlog.json")
        self.assertEqual(rc, 2)
        self.assertIn("cannot read the test log", err)


class RealConfigTest(unittest.TestCase):
    """The configured build: .ci/expected-skips against its tests, and the
    setup steps' order."""

    def setUp(self):
        if not BUILD:
            self.fail("RealConfigTest needs --build BUILD")
        self.intro = os.path.join(BUILD, "meson-info", "intro-tests.json")

    def test_expected_skips_are_tests(self):
        with tempfile.NamedTemporaryFile("w", suffix=".json") as empty:
            p = subprocess.run([sys.executable, SUMMARY, empty.name, self.intro, "--expected-skips",
                                os.path.join(SRC, ".ci", "expected-skips")],
                               capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout.splitlines(), ["retried: 0", "tests: 0 passed, 0 failed, 0 skipped"])

    def test_setup_steps_first_and_alone(self):
        with open(self.intro) as f:
            tests = json.load(f)
        steps = [t for t in tests if "qpwbench:setup" in t["suite"]]
        if not steps:
            print("QPWBENCH-PART-SKIPPED setup-order: the vm suite is not configured (-Dvm_tests=disabled)")
            return
        # The kernels first (pwlocks-patches reads the source they fetch),
        # each alone, before any guest or other test starts.
        self.assertEqual([t["name"] for t in sorted(steps, key=lambda t: -t["priority"])],
                         ["build-kernel-7.2", "pwlocks-patches"])
        for t in steps:
            self.assertFalse(t["is_parallel"], t["name"])
        others = [t for t in tests if t not in steps]
        self.assertGreater(min(t["priority"] for t in steps), max(t["priority"] for t in others))


if __name__ == "__main__":
    if "--build" in sys.argv:
        i = sys.argv.index("--build")
        BUILD = sys.argv[i + 1]
        del sys.argv[i:i + 2]
    unittest.main(verbosity=2)
