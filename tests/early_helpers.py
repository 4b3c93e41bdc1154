"""The early read's rows as its child hands them over (``session.early._row_parts``)."""

from __future__ import annotations

from dixa_tui.api.rows import DefinitionRow
from dixa_tui.session import early
from dixa_tui.session.handover import rows_of
from dixa_tui.session.startcache import CachedRow


def handed_parts(pages: list[bytes], decoded: dict[int, list[DefinitionRow]] | None = None
                 ) -> list[bytes]:
    """Each part's bytes, checked to end with the one said to be the last."""
    parts = list(early._row_parts(pages, decoded))
    assert [last for _, last in parts] == [False] * (len(parts) - 1) + [True] * bool(parts)
    return [payload for payload, _ in parts]


def handed_rows(pages: list[bytes], decoded: dict[int, list[DefinitionRow]] | None = None
                ) -> list[CachedRow] | None:
    """The rows the app is handed for ``pages`` (every part read), None when none are."""
    parts = handed_parts(pages, decoded)
    return [row for part in parts for row in rows_of(part)] if parts else None
