"""Building journal intents and entries in tests, and a clock that moves only when told."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from dixa_tui.journal import Change, Entry, Intent

USER = "eba64c48-745b-5c86-9a75-e3cce144c401"
OTHER_USER = "0b7e4f3c-1d2a-4c5b-8e9f-a1b2c3d4e5f6"


def make_intent(changes: dict[str, tuple[Any, Any]] | None = None, *,
                kind: str = "conversation", target_id: str = "10001",
                profile: str = "prod", **fields: Any) -> Intent:
    """An intent setting ``{definition id: (before, after)}`` on one target."""
    changes = changes if changes is not None else {"def-order": (None, "100-2345")}
    defaults: dict[str, Any] = {"base_url": "https://dev.dixa.io", "api_version": "beta"}
    return Intent(
        profile=profile, target_kind=kind,  # type: ignore[arg-type]
        target_id=target_id, body={key: after for key, (_, after) in changes.items()},
        changes=tuple(Change(key, key.removeprefix("def-"), key.removeprefix("def-").title(),
                             before, after) for key, (before, after) in changes.items()),
        **{**defaults, **fields})


def make_entry(entry_id: int, changes: dict[str, tuple[Any, Any]], *,
               outcome: str = "applied", kind: str = "conversation",
               target_id: str = "10001", returned: dict[str, Any] | None = None,
               batch: str | None = None) -> Entry:
    """An entry as the journal would read it back, without a database (for pure tests)."""
    intent = make_intent(changes, kind=kind, target_id=target_id)
    return Entry(id=entry_id, batch=batch, time=datetime(2026, 1, 1, tzinfo=UTC)
                 + timedelta(minutes=entry_id), profile=intent.profile,
                 base_url=intent.base_url, api_version=intent.api_version,
                 target_kind=intent.target_kind, target_id=intent.target_id,
                 body=dict(intent.body), changes=intent.changes,
                 outcome=outcome,  # type: ignore[arg-type]
                 returned=returned)


class Clock:
    """Returns ``now`` and then moves it on by ``step``: entries get distinct, known times."""

    def __init__(self, start: datetime | None = None,
                 step: timedelta = timedelta(seconds=1)) -> None:
        self.now = start or datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
        self.step = step

    def __call__(self) -> datetime:
        now = self.now
        self.now = now + self.step
        return now
