"""Moments as people type them in a query: ``7d``, ``today``, ``2026-11-01``, full ISO.

Relative forms count back from an injected ``now`` (UTC), so "the last 7 days" in a saved
query means the 7 days before each run, and tests fix the clock. A date or a time without a
zone is read as UTC: Dixa's timestamps are UTC, and a query must mean the same on every
machine that runs it. Pure: no clock is read here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_RELATIVE = re.compile(r"([0-9]{1,6})\s*([smhdw])", re.IGNORECASE)
_ISO_START = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
FORMS = ("7d, 24h, 30m, 90s or 2w (that long before now), today, yesterday, a date "
         "(2026-11-01, midnight UTC), a time (2026-11-01T08:00 or '2026-11-01 08:00', UTC) "
         "or an ISO time with its zone (2026-11-01T08:00+01:00)")


class DateError(ValueError):
    """A moment that cannot be read; ``str()`` is the sentence for a person."""


@dataclass(frozen=True)
class Moment:
    """A moment as typed (``text``, kept so a saved query stays relative) and the instant
    it meant when the query was read (``at``, UTC)."""

    text: str
    at: datetime

    def show(self) -> str:
        """``7d (2026-10-25 08:00 UTC)``; an absolute moment shows only its instant."""
        shown = show(self.at)
        return shown if _ISO_START.match(self.text.strip()) else f"{self.text} ({shown})"


def utc(moment: datetime) -> datetime:
    """``moment`` in UTC; a naive one is taken to be UTC already. Raises
    :class:`DateError` for a moment whose UTC falls outside the calendar (year 1 to 9999)."""
    try:
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except OverflowError:
        raise DateError(f"{moment.isoformat()} in UTC falls outside the years 1 to 9999: "
                        "write a later or an earlier date") from None


def parse_moment(text: str, now: datetime) -> Moment:
    """``text`` as a moment relative to ``now``; raises :class:`DateError`.

    Relative amounts use docker's units: ``m`` minutes, ``h`` hours, ``d`` days, ``w``
    weeks (no months: their length varies). ``today`` is the last midnight UTC.
    """
    now = utc(now)
    word = text.strip()
    lowered = word.casefold()
    if not word:
        raise DateError(f"a moment is empty: write {FORMS}")
    if lowered == "now":
        return Moment(word, now)
    if lowered in ("today", "yesterday"):
        midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
        return Moment(word, midnight - timedelta(days=1 if lowered == "yesterday" else 0))
    relative = _RELATIVE.fullmatch(word)
    if relative:
        amount, unit = int(relative.group(1)), relative.group(2).lower()
        try:
            return Moment(word, now - timedelta(**{UNITS[unit]: amount}))
        except OverflowError:
            raise DateError(f"'{word}' reaches back before the year 1: use a smaller "
                            "amount") from None
    if _ISO_START.match(word):
        try:
            moment = datetime.fromisoformat(word)
        except ValueError:
            raise DateError(f"'{word}' is not a valid date or time: write {FORMS}") from None
        return Moment(word, utc(moment))
    raise DateError(f"'{word}' is not a moment this tool reads: write {FORMS}")


def wire(moment: datetime) -> str:
    """The timestamp sent to Dixa: ISO-8601 in UTC with ``Z``, milliseconds only when set
    (``2026-11-01T08:00:00Z``, ``2026-11-01T08:00:00.250Z``)."""
    moment = utc(moment)
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    if moment.microsecond:
        text += f".{moment.microsecond // 1000:03d}"
    return text + "Z"


def show(moment: datetime) -> str:
    """``2026-11-01 08:00 UTC`` (seconds only when set), for people."""
    moment = utc(moment)
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC" if moment.second else "%Y-%m-%d %H:%M UTC")
