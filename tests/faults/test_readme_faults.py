"""The README's "When Dixa fails" table is measured, not typed, and covers the whole matrix."""

from __future__ import annotations

import re
from pathlib import Path

from fault_matrix import CASES

from dixa_tui.api.client import DEFAULT_TIMEOUT
from dixa_tui.api.ratelimit import RetryPolicy
from tools.fault_table import FAULTS, markdown

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_fault_table_is_generated_from_the_client() -> None:
    text = README.read_text(encoding="utf-8")
    block = re.search(r"<!-- faults:start[^>]*-->\n(.*?)<!-- faults:end -->", text, re.S)
    assert block, "README lost its faults block"
    assert block.group(1) == markdown(), \
        "run `make readme`"


def test_the_table_has_every_fault_of_the_matrix() -> None:
    def kinds(faults: list) -> list[tuple[str, int]]:
        return [(f.kind, f.status) for f in faults]

    assert kinds([f for _, f in FAULTS]) == kinds([c.fault for c in CASES])
    assert len(FAULTS) == 17


def test_the_table_counts_the_default_policys_attempts() -> None:
    rows = markdown().splitlines()[2:]
    tries = {row.split(" | ")[0].strip("| "): row.split(" | ")[3] for row in rows}
    policy = RetryPolicy()  # the product's default, not the tests' fast policy
    bound = policy.max_attempts
    assert tries["HTTP 503"] == tries["Connection reset mid-body"]
    assert tries["HTTP 503"] == f"{bound} / {bound}"
    # A read timeout costs each try the client's 20 s: the budget, not the count, ends it.
    within = int(policy.budget // (DEFAULT_TIMEOUT.read or 1)) + 1
    assert within < bound and tries["Read timeout"] == f"{within} / {within}"
    assert tries["HTTP 500"] == tries["200 with an empty body"] == "1 / 1"
    # A 429 is waited out for the whole budget: more tries than any other failure gets.
    rate_limited = int(tries["HTTP 429 (sustained)"].split(" / ")[0])
    assert tries["HTTP 429 (sustained)"] == f"{rate_limited} / {rate_limited}"
    assert bound < rate_limited <= policy.attempts_for(429)
