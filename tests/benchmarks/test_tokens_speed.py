"""Message tokens on pathological templates, beside one regular-expression pass over the same text.

Run with ``python -m pytest tests/benchmarks/test_tokens_speed.py -m benchmark -s``.

A template is scanned once (``messages.tokens._scan``); a scan that went back over the
text after each brace would take minutes on a megabyte of ``{``.  Goal: parsing,
checking and rendering each template within 20x of ``re.finditer`` finding every brace
in it, measured in the same run.  Printed, not asserted: a ratio of two timings depends
on the machine's load.
"""

from __future__ import annotations

import re
import time

import pytest

from omnidesk.core.messages.tokens import parse, problems, render

pytestmark = pytest.mark.benchmark

GOAL_RATIO = 20.0
TEMPLATES = {
    "'{a' x 500k": "{a" * 500_000,
    "'{' x 1M": "{" * 1_000_000,
    "'}' x 1M": "}" * 1_000_000,
    "'{first_name|x}' x 75k": "{first_name|x}" * 75_000,
    "'{{' x 500k": "{{" * 500_000,
    "unclosed fallback, 1M": "{first_name|" + "x" * 1_000_000,
    "'|' x 1M in braces": "{" + "|" * 1_000_000 + "}",
    "1M letters then '{'": "a" * 1_000_000 + "{",
}
BRACES = re.compile(r"[{}|]")


def _best(fn, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best


def test_pathological_templates_against_one_regex_pass():
    values = {"first_name": "Ann"}
    print(f"\nTokens on pathological templates (goal: within {GOAL_RATIO:.0f}x of one regex pass)")
    for label, template in TEMPLATES.items():
        reference = _best(lambda t=template: sum(1 for _ in BRACES.finditer(t)))
        ours = _best(lambda t=template: (parse(t), problems(t), render(t, values)), repeat=1)
        ratio = ours / reference if reference else float("inf")
        verdict = "met" if ratio <= GOAL_RATIO else "MISSED"
        print(f"  {label:<26} ours {ours * 1000:8.1f} ms   regex {reference * 1000:7.1f} ms   "
              f"{ratio:6.1f}x  {verdict}")
