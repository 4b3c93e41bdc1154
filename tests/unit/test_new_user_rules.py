"""Issue 10's domain items: a required attribute cleared is a warning (item 8), a trailing
carriage return is named (item 20), counts meet nouns in one way (item 22), and errors say
whether retrying can help (item 9)."""

from __future__ import annotations

import pytest

from dixa_tui.api.errors import (
    DixaApiError,
    DixaError,
    DixaNetworkError,
    DixaNotConnected,
    DixaResponseError,
)
from dixa_tui.domain.options import TRAILING_CR_HINT, resolve_path_text
from dixa_tui.domain.patch import (
    StagedEdit,
    Target,
    build_patch,
    check_value,
)
from dixa_tui.text import plural

CONV = Target("conversation", "12345")
USER = Target("enduser", "93b885ad-fe0d-3089-8df6-34904fd59f71")


def by_identifier(defs, identifier):
    return next(d for d in defs if d.identifier == identifier)


# -- item 8: clearing a required attribute ----------------------------------------------------


def test_clearing_a_required_attribute_is_a_warning(defs):
    contact_reason = by_identifier(defs, "contact_reason")
    assert contact_reason.is_required
    plan = build_patch(defs, CONV, [StagedEdit.clear("contact_reason")])
    assert [p.code for p in plan.warnings] == ["required-cleared"]
    assert "required" in plan.warnings[0].message
    assert not plan.sendable() and plan.sendable(force=True)


def test_an_empty_text_on_a_required_attribute_is_a_clear_too(defs):
    required_text = by_identifier(defs, "order_number").model_copy(update={"is_required": True})
    assert [p.code for p in check_value(required_text, "")] == ["required-cleared"]
    assert check_value(required_text, "100-1") == []


def test_clearing_an_optional_attribute_passes(defs):
    assert not by_identifier(defs, "loyalty_id").is_required
    plan = build_patch(defs, USER, [StagedEdit.clear("loyalty_id")])
    assert plan.problems == [] and plan.sendable()


def test_setting_a_required_attribute_passes(defs):
    plan = build_patch(defs, CONV, [StagedEdit("contact_reason", ["payment", "card"])])
    assert plan.problems == []


# -- item 20: a trailing carriage return is named ---------------------------------------------


def test_a_text_value_ending_in_cr_says_windows_line_ending(defs):
    problems = check_value(by_identifier(defs, "order_number"), "100-2\r")
    assert [p.severity for p in problems] == ["warning"]
    assert TRAILING_CR_HINT in problems[0].message


def test_a_select_value_ending_in_cr_says_windows_line_ending(defs):
    problems = check_value(by_identifier(defs, "contact_reason"), ["payment", "card\r"])
    assert [p.code for p in problems] == ["unknown-option"]
    assert TRAILING_CR_HINT in problems[0].message
    assert "'card'" in problems[0].message  # what it would be without the \r


def test_a_typed_path_that_fails_with_a_cr_says_so(defs):
    options = by_identifier(defs, "contact_reason").options
    resolved = resolve_path_text(options, "payment/crad\r")
    assert resolved.values is None and TRAILING_CR_HINT in (resolved.problem or "")
    assert resolve_path_text(options, "payment/card\r").values == ["payment", "card"]


def test_bulk_input_shares_the_hint():
    from dixa_tui.domain import bulk_rows

    assert bulk_rows.TRAILING_CR_HINT is TRAILING_CR_HINT


# -- item 22: one plural -------------------------------------------------------------------------


@pytest.mark.parametrize(("count", "noun", "many", "said"), [
    (0, "edit", None, "0 edits"), (1, "edit", None, "1 edit"), (2, "edit", None, "2 edits"),
    (1, "match", "matches", "1 match"), (3, "match", "matches", "3 matches"),
])
def test_plural(count, noun, many, said):
    assert plural(count, noun, many) == said


# -- item 9: which errors retrying can help ------------------------------------------------------


@pytest.mark.parametrize(("error", "retryable"), [
    (DixaNetworkError("list definitions", "timed out"), True),
    (DixaNetworkError("list definitions", "refused", reached=False), True),
    (DixaApiError("patch", 429, "slow down"), True),
    (DixaApiError("patch", 500, "boom"), True),
    (DixaApiError("patch", 503, "busy"), True),
    (DixaApiError("patch", 400, "Invalid input for patching"), False),
    (DixaApiError("patch", 401, "Unauthorized"), False),
    (DixaApiError("patch", 404, "not found"), False),
    (DixaApiError("patch", 409, "conflict"), False),
    (DixaResponseError("list definitions", "not JSON"), False),
    (DixaNotConnected("list definitions"), True),
    (DixaError("start", "something"), True),
])
def test_retryable(error, retryable):
    assert error.retryable is retryable


def test_no_hand_made_plurals_left() -> None:
    """Every count that meets a noun goes through ``text.plural``: no ``(s)``, no
    ``'s' * (n != 1)`` anywhere in what the app says."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "dixa_tui"
    hand_made = re.compile(r"""[a-z]\(s\)(?! for )[ "'.,:]|['"]s['"] \* \(|\bs['"] if \w+ != 1""")
    found = [f"{path.relative_to(root)}:{n}: {line.strip()}"
             for path in root.rglob("*.py")
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if hand_made.search(line) and not line.lstrip().startswith(("#", '"""'))
             and "http(s)" not in line]
    assert found == []
