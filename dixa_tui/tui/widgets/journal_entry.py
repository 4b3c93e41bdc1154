"""A journal entry as the History screen shows it: one row of the list, and the whole entry.

Everything here is someone's data (identifiers, labels, values, Dixa's error messages), so
every piece goes through :func:`~dixa_tui.tui.literal.lit`. Values are shown as a PATCH body
holds them (a Select path joined by ``/``): the journal is read without the definitions,
which may have changed since the write.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from rich.text import Text

from dixa_tui.domain.values import body_value_text
from dixa_tui.tui.literal import join, lit

if TYPE_CHECKING:
    from dixa_tui.journal import Entry

OUTCOME_STYLES = {"applied": "green", "failed": "red", "unknown": "bold yellow"}


def target_text(entry: Entry, *, short: bool = False) -> str:
    """``#10001`` or ``user eba64c48…`` (short, for the list); the whole id otherwise."""
    if entry.target_kind == "conversation":
        return f"#{entry.target_id}" if short else f"conversation {entry.target_id}"
    if short:
        return f"user {entry.target_id[:8]}…" if len(entry.target_id) > 9 else \
            f"user {entry.target_id}"
    return f"end user {entry.target_id}"


def outcome_text(entry: Entry) -> Text:
    words: str = entry.outcome
    if entry.outcome == "unknown" and not entry.completed:
        words = "unknown: no answer"
    text = lit(words, OUTCOME_STYLES.get(entry.outcome, ""))
    if entry.origin == "undo":
        text.append_text(lit(" · undo", "dim"))
    return text


def change_text(entry: Entry) -> Text:
    """The first attribute written, before -> after, and how many more."""
    if not entry.changes:
        return lit("(no attributes)", "dim")
    first = entry.changes[0]
    text = join(lit(first.identifier or first.definition_id, "bold"), lit(" "),
                lit(body_value_text(first.before), "red"), lit(" -> "),
                lit(body_value_text(first.after), "green"))
    if len(entry.changes) > 1:
        text.append_text(lit(f"  +{len(entry.changes) - 1} more", "dim"))
    return text


def row_cells(entry: Entry) -> tuple[Text, Text, Text, Text, Text]:
    """id, time, target, outcome, change: the History list's columns (the widest last, so
    a narrow terminal cuts it rather than the outcome)."""
    return (lit(str(entry.id)), lit(f"{entry.time:%m-%d %H:%M:%S}"),
            lit(target_text(entry, short=True)), outcome_text(entry), change_text(entry))


def entry_detail(entry: Entry) -> Text:
    """Every part of the entry: what was sent, before/after, Dixa's answer, the error."""
    head = join(lit(f"Entry {entry.id}", "bold"), lit(" · "), outcome_text(entry))
    if entry.status is not None:
        head.append_text(lit(f" (HTTP {entry.status})"))
    lines: list[Text] = [head]
    facts = [f"{entry.time:%Y-%m-%d %H:%M:%S} UTC", f"profile {entry.profile}",
             f"{entry.base_url} ({entry.api_version})", f"from {entry.origin}"]
    if entry.batch:
        facts.append(f"batch {entry.batch}")
    lines.append(lit(" · ".join(facts), "dim"))
    lines.append(join(lit("Target ", "bold"), lit(target_text(entry))))
    if entry.undoes:
        what = f"entry {entry.undoes}" if entry.undoes.isdigit() else f"batch {entry.undoes}"
        lines.append(join(lit("Undoes ", "bold"), lit(what)))
    lines.append(lit("Before -> after", "bold"))
    for change in entry.changes:
        name = change.label or change.identifier or change.definition_id
        lines.append(join(lit("  "), lit(name), lit(f" ({change.identifier})", "dim"),
                          lit("  "), lit(body_value_text(change.before), "red"), lit(" -> "),
                          lit(body_value_text(change.after), "green")))
    lines.append(lit("Dixa's answer", "bold"))
    lines.extend(_answer(entry))
    if entry.error:
        lines.append(join(lit("Error ", "bold red"), lit(entry.error, single_line=False)))
    if entry.settled:
        when = f" ({entry.settled_at:%Y-%m-%d %H:%M:%S} UTC)" if entry.settled_at else ""
        lines.append(join(lit("Settled", "bold"), lit(when, "dim"), lit(": "),
                          lit(entry.settled)))
    lines.append(lit("Body (exact JSON sent)", "bold"))
    lines.append(lit(json.dumps(entry.body, indent=2, ensure_ascii=False),
                     single_line=False))
    return Text("\n").join(lines)


def _answer(entry: Entry) -> list[Text]:
    if entry.returned is None:
        if not entry.completed:
            return [lit("  none recorded: the process stopped before Dixa answered (undo "
                        "settles it by reading the target)", "yellow")]
        return [lit("  no values (see the error)", "dim")]
    names = {c.definition_id: c.identifier or c.definition_id for c in entry.changes}
    return [join(lit("  "), lit(names.get(key, key)), lit(": "), lit(body_value_text(value)))
            for key, value in entry.returned.items()]
