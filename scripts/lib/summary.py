#!/usr/bin/python3
"""scripts/test's closing summary, read from meson's test log.

  summary.py TESTLOG_JSON INTRO_TESTS_JSON [--expected-skips FILE]

TESTLOG_JSON is build/meson-logs/testlog.json (one JSON object per test
run), INTRO_TESTS_JSON build/meson-info/intro-tests.json (every registered
test with its suites). Prints, in this order:

  setup steps: ok (NAME, ...)     tests of suite 'setup' (build steps): not
                                  counted below
  skipped NAME: REASON            one per skipped test; REASON is the test's
                                  own first output line with the word SKIP
  part skipped: PART: WHY [NAME, ...]
                                  a part the tests NAME left out, from
                                  their 'QPWBENCH-PART-SKIPPED PART: WHY'
                                  lines (one summary line per PART: WHY)
  retried: N[: NAME (WHY), ...]   tests whose guest scripts/vm booted twice
                                  ('QPWBENCH-VM-RETRIED WHY' on its stderr)
  failed NAME (RESULT):           one per failed test, then up to
    | LINE                        FAILED_LINES of its lines that say FAIL
                                  and its stderr's last, else the last of its
                                  output: CI shows only the end of
                                  scripts/test's output, so why a test failed
                                  must be there
  tests: N passed, N failed, N skipped

A skip counts as failed (and its line says why) when it gives no reason,
when --expected-skips FILE is given and does not list it, or when CI=true
and the test is in suite vm: there the vm suite skips only because QEMU or
the cross tools are missing, and CI must boot its guests. Exit 1 when
anything failed (a setup step included), 2 on bad input.
"""

import argparse
import json
import os
import re
import sys

SKIP_WORD = re.compile(r"\bSKIP\b")
FAIL_WORD = re.compile(r"\bFAIL(ED|URE)?\b")
FAILED_LINES = 8
STDERR_TAIL = 3
LINE_WIDTH = 300
PART_SKIPPED = "QPWBENCH-PART-SKIPPED "
RETRIED = "QPWBENCH-VM-RETRIED "
SETUP_SUITE = "setup"
# Meson's results that count as passed; SKIP is skipped, anything else
# (FAIL, TIMEOUT, ERROR, UNEXPECTEDPASS, INTERRUPT) failed.
PASSED = ("OK", "EXPECTEDFAIL")


def die(msg):
    print(f"summary: {msg}", file=sys.stderr)
    sys.exit(2)


def read_json_lines(path):
    try:
        with open(path) as f:
            return [json.loads(line) for line in f if line.strip()]
    except (OSError, ValueError) as e:
        die(f"cannot read the test log {path}: {e}")


def read_suites(path):
    """Test name -> its suites without the project prefix ('qpwbench:vm' -> 'vm')."""
    try:
        with open(path) as f:
            tests = json.load(f)
    except (OSError, ValueError) as e:
        die(f"cannot read the test list {path}: {e}")
    return {t["name"]: {s.split(":", 1)[-1] for s in t["suite"]} for t in tests}


def read_expected(path, suites):
    """Test names, one a line; '#' starts a comment. Every name must be a test."""
    try:
        with open(path) as f:
            names = {line.split("#", 1)[0].strip() for line in f} - {""}
    except OSError as e:
        die(f"cannot read the expected skips {path}: {e}")
    unknown = sorted(names - suites.keys())
    if unknown:
        die(f"{path} names no registered test: {', '.join(unknown)}")
    return names


def output_lines(record):
    return (record.get("stdout", "") + "\n" + record.get("stderr", "")).splitlines()


def why_failed(record):
    """A failed test's lines that say FAIL (a check's verdict) and the last
    STDERR_TAIL lines of its stderr (scripts/vm's verdict on the guest: a
    kernel complaint, a timeout), else its last lines; at most FAILED_LINES,
    each cut to LINE_WIDTH characters."""
    lines = [line.rstrip() for line in output_lines(record) if line.strip()]
    said = [line for line in lines if FAIL_WORD.search(line)]
    if said:
        stderr = [line.rstrip() for line in record.get("stderr", "").splitlines() if line.strip()]
        tail = [line for line in stderr[-STDERR_TAIL:] if line not in said]
        keep = FAILED_LINES - len(tail)
        if len(said) > keep:
            said = said[:keep - 1] + [f"... {len(said) - keep + 1} more that say FAIL"]
        picked = said + tail
    else:
        picked = lines[-FAILED_LINES:]
    return [f"  | {line[:LINE_WIDTH]}" for line in picked]


def summarize(records, suites, expected, ci):
    """The summary's lines and whether the run failed."""
    counts = {"passed": 0, "failed": 0, "skipped": 0}
    steps_ok, steps_failed, skips, retried, failures = [], [], [], [], []
    parts = {}  # 'PART: WHY' -> the tests that printed it, in order
    for r in records:
        # meson names a test 'project:suite / name' when several suites ran.
        name = r["name"].rsplit(" / ", 1)[-1]
        test_suites = suites.get(name)
        if test_suites is None:
            die(f"test {name} of the log is not in the test list (reconfigure the build)")
        lines = output_lines(r)
        result = r["result"]
        if SETUP_SUITE in test_suites:
            (steps_ok if result in PASSED else steps_failed).append(name)
            if result not in PASSED:
                failures += [f"failed {name} ({result}):"] + why_failed(r)
            continue
        for line in lines:
            if line.startswith(PART_SKIPPED):
                tests = parts.setdefault(line[len(PART_SKIPPED):].strip(), [])
                if name not in tests:
                    tests.append(name)
        why_retried = [line[len(RETRIED):] for line in lines if line.startswith(RETRIED)]
        if why_retried:
            retried.append(f"{name} ({why_retried[0]})")
        if result in PASSED:
            counts["passed"] += 1
            continue
        if result != "SKIP":
            counts["failed"] += 1
            failures += [f"failed {name} ({result}):"] + why_failed(r)
            continue
        reason = next((line.strip() for line in lines if SKIP_WORD.search(line)), None)
        if reason is None:
            failed = "a skip must print one line with SKIP and why"
        elif ci and "vm" in test_suites:
            failed = "under CI=true the vm suite must boot its guests"
        elif expected is not None and name not in expected:
            failed = "not an expected skip"
        else:
            failed = None
        counts["failed" if failed else "skipped"] += 1
        tag = f" [FAILED: {failed}]" if failed else " [expected]" if expected is not None else ""
        skips.append(f"skipped {name}: {reason or '(no reason printed)'}{tag}")

    out = []
    if steps_failed:
        out.append(f"setup steps: FAILED {', '.join(steps_failed)}"
                   + (f"; ok {', '.join(steps_ok)}" if steps_ok else ""))
    elif steps_ok:
        out.append(f"setup steps: ok ({', '.join(steps_ok)})")
    out += skips
    out += [f"part skipped: {part} [{', '.join(tests)}]" for part, tests in parts.items()]
    out.append(f"retried: {len(retried)}" + (f": {', '.join(retried)}" if retried else ""))
    out += failures
    out.append(f"tests: {counts['passed']} passed, {counts['failed']} failed, "
               f"{counts['skipped']} skipped")
    return out, bool(counts["failed"] or steps_failed)


def main():
    ap = argparse.ArgumentParser(description="scripts/test's closing summary")
    ap.add_argument("testlog")
    ap.add_argument("intro_tests")
    ap.add_argument("--expected-skips", metavar="FILE",
                    help="the only tests allowed to skip (one name a line)")
    args = ap.parse_args()
    suites = read_suites(args.intro_tests)
    expected = read_expected(args.expected_skips, suites) if args.expected_skips else None
    lines, failed = summarize(read_json_lines(args.testlog), suites, expected,
                              os.environ.get("CI") == "true")
    print("\n".join(lines))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
