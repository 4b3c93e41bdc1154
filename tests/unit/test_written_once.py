"""Rules written once: which bulk outcomes count as failures is named in
``domain.bulk_results`` only, not again as a literal set in a screen or a helper."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.unit.source_helpers import parse_source

PACKAGE = Path(__file__).resolve().parents[2] / "dixa_tui"
OWNER = PACKAGE / "domain" / "bulk_results.py"
FAILURE_NAMES = ({"failed", "unknown"}, {"conflict", "failed", "unknown"})
# Being reworked in parallel (its ApplySummary.failures names the outcomes in a tuple): to
# take domain.bulk_results.FAILURE_OUTCOMES when that work lands.
PENDING = {PACKAGE / "session" / "bulk.py"}


def _literal_sets(tree: ast.AST) -> list[tuple[int, set[str]]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Set | ast.Tuple | ast.List) and node.elts and all(
                isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.elts):
            found.append((node.lineno, {e.value for e in node.elts
                                        if isinstance(e, ast.Constant)}))
    return found


def test_the_failure_outcomes_are_named_in_one_place() -> None:
    repeated = []
    for path in PACKAGE.rglob("*.py"):
        if path == OWNER or path in PENDING:
            continue
        for line, names in _literal_sets(parse_source(path)):
            if names in FAILURE_NAMES:
                repeated.append(f"{path.relative_to(PACKAGE)}:{line}")
    assert repeated == []
