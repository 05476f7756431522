#!/usr/bin/python3
"""The documentation's shape (issue 25): README.md's first 80 lines hold what
a newcomer needs (what it is, the two commands with their times, three
recipes, the variant <-> pwlocks= mapping, the answers with provenance, a
map of docs/), the whole README is under 15 KB, and every relative link of
README.md, CHANGES.md, DESIGN.md and docs/ names a file that exists.

  test_docs.py SOURCE_ROOT
"""

import os
import re
import sys
import unittest

ROOT = os.path.abspath(sys.argv.pop(1)) if len(sys.argv) > 1 else os.getcwd()


def read(path):
    with open(os.path.join(ROOT, path), encoding="utf-8") as f:
        return f.read()


class Readme(unittest.TestCase):
    def test_size(self):
        self.assertLess(os.path.getsize(os.path.join(ROOT, "README.md")), 15 * 1024)

    def test_first_screen(self):
        first = "\n".join(read("README.md").splitlines()[:80])
        for needle in ("./scripts/run", "./scripts/test", "cold", "warm",
                       "real machine", "isolated CPUs", "scripts/vm", "counts",
                       "pwlocks=0", "pwlocks=1", "qpw-on", "qpw-off",
                       "(a) fast path", "(b) remote drain", "(c) drain-all",
                       "(d) does a call site interrupt", "valid as", "TCG",
                       "docs/README.md"):
            self.assertIn(needle, first, needle)
        # What it is: the first paragraph, two sentences.
        para = first.split("\n\n")[1]
        self.assertEqual(len(re.findall(r"[.:]\s*$|\.\s+[A-Z]", para, re.M)), 2, para)


class Links(unittest.TestCase):
    def test_relative_links_resolve(self):
        pages = ["README.md", "CHANGES.md", "DESIGN.md"] + [
            os.path.join("docs", n) for n in sorted(os.listdir(os.path.join(ROOT, "docs")))
            if n.endswith(".md")]
        bad = []
        for page in pages:
            text = re.sub(r"```.*?```", "", read(page), flags=re.S)
            for target in re.findall(r"\]\(([^)\s]+)\)", text):
                if re.match(r"[a-z]+:|#", target):
                    continue
                path = os.path.normpath(os.path.join(ROOT, os.path.dirname(page),
                                                     target.split("#")[0]))
                if not os.path.exists(path):
                    bad.append(f"{page}: {target}")
        self.assertEqual(bad, [])

    def test_docs_map_lists_every_page(self):
        index = read("docs/README.md")
        for n in os.listdir(os.path.join(ROOT, "docs")):
            if n.endswith(".md") and n != "README.md":
                self.assertIn(f"]({n})", index, n)


if __name__ == "__main__":
    unittest.main(verbosity=2)
