"""What the bulk review says, in words: its title, the plan's totals, whether and why it can
be sent, the question before a run, and the outcome after one.

Each line comes as wordings, longest first, for a :class:`~dixa_tui.tui.widgets.fitline.
FitLine` (at 80 columns the short one shows whole rather than a long one cut mid-phrase).
Pure: no widgets, no session calls; names and paths go through ``lit``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text

from dixa_tui.domain.bulk_results import RETRY_OUTCOMES
from dixa_tui.domain.bulk_rows import TARGET_NOUNS
from dixa_tui.text import plural
from dixa_tui.tui.literal import gap, join, lit

if TYPE_CHECKING:
    from dixa_tui.config import Profile
    from dixa_tui.domain.bulk_plan import Plan
    from dixa_tui.domain.bulk_results import ResultLine
    from dixa_tui.tui.bulk_run import BulkSource
    from dixa_tui.tui.context import Ui

def noun(plan: Plan | None) -> str:
    kind = plan.input.target_kind if plan is not None else None
    return TARGET_NOUNS[kind] if kind is not None else "target"


def _count(n: int, plan: Plan | None) -> str:
    return plural(n, noun(plan))


def title(source: BulkSource, ui: Ui) -> tuple[Text, ...]:
    session = ui.session
    profile = f" · profile {session.profile.name}" if session is not None else ""
    if source.plan is not None:
        plan = source.plan
        name = source.path.name if source.path is not None else "plan"
        again = (f" · sent before as {plan.batch_id}: sending again finishes it"
                 if plan.batch_id else "")
        long = lit(f"Bulk plan · {name} · made {plan.created_at} for profile "
                   f"{plan.profile}{again}", "bold")
        return long, lit(f"Bulk plan · {name}{again}", "bold"), lit(f"Bulk plan · {name}",
                                                                    "bold")
    if source.data is not None:
        name = source.path.name if source.path is not None else "input"
        return (lit(f"Bulk edit · {name}, planned here{profile}", "bold"),
                lit(f"Bulk edit · {name}", "bold"))
    kind = source.targets[0].kind if source.targets else "conversation"
    count = plural(len(source.targets), TARGET_NOUNS[kind])
    what = f" · {source.label}" if source.label else ""
    return (lit(f"Bulk edit · {count} marked{what}{profile}", "bold"),
            lit(f"Bulk edit · {count} marked{what}", "bold"),
            lit(f"Bulk edit · {count} marked", "bold"))


def totals(plan: Plan) -> tuple[Text, ...]:
    t = plan.totals
    long = (f"{_count(t.targets, plan)}: {t.changes} to change ({plural(t.values, 'value')})"
            f" · {t.unchanged} unchanged (hold it already: not sent) · {t.errors} in error"
            f" · {t.warnings} with warnings")
    middle = (f"{_count(t.targets, plan)}: {t.changes} to change · {t.unchanged} unchanged "
              f"(not sent) · {t.errors} in error · {t.warnings} with warnings")
    short = (f"{t.targets}: {t.changes} to change · {t.unchanged} unchanged · "
             f"{plural(t.errors, 'error')} · {plural(t.warnings, 'warning')}")
    more = [f"{plural(len(plan.problems), 'file problem')}: {plan.problems[0].text}"] \
        if plan.problems else []
    return tuple(lit(" · ".join([text, *more])) for text in (long, middle, short))


def sendable(plan: Plan, ui: Ui) -> tuple[Plan | None, str]:
    """The plan to send (a plan of marks leaves its targets in error out), or None and why
    nothing can be sent from it."""
    session = ui.session
    if session is not None and session.profile.read_only:
        return None, (f"Profile {session.profile.name!r} is read-only: the plan can be "
                      "reviewed here, never sent.")
    if plan.problems:
        return None, (f"The input has {plural(len(plan.problems), 'problem')} of its own: fix "
                      "it and plan again (dixa-tui bulk plan). Nothing can be sent from it.")
    errors = plan.totals.errors
    if errors and plan.input.origin == "file":
        return None, (f"{_count(errors, plan)} in error: fix the input and plan again "
                      "(dixa-tui bulk plan). Nothing can be sent from this plan.")
    out = plan.restricted_to(e.line for e in plan.entries if e.status != "error") \
        if errors else plan
    if not out.to_send:
        return None, ("Nothing to send: every target already holds the values." if not errors
                      else f"Nothing to send: the other {noun(plan)}s are in error.")
    if session is not None:
        from dixa_tui.session.bulk import planned_elsewhere

        elsewhere = planned_elsewhere(plan, session.profile)
        if elsewhere is not None:
            return None, elsewhere
    return out, ""


def review_status(plan: Plan, send: Plan, ui: Ui) -> tuple[Text, ...]:
    key = ui.key_hint("bulk.send", "ctrl+t")
    back = ui.key_hint("bulk.back", "esc")
    left_out = plan.totals.errors
    out = f" · {_count(left_out, plan)} in error left out" if left_out else ""
    count = _count(len(send.to_send), plan)
    values = plural(send.totals.values, "value")
    return (lit(f"{key} sends {values} to {count} (asks first){out} · {back} goes back"),
            lit(f"{key} sends {values} to {count}{out}"), lit(f"{key} sends {count}"))


def question(send: Plan, plan: Plan, profile: Profile, *, force: bool, resume: bool,
             retry: bool) -> tuple[str, Text]:
    """The title and body of the one question before a run."""
    count = _count(len(send.to_send), plan)
    values = plural(send.totals.values, "value")
    what = (f"Send again the {count} that failed" if retry else
            f"Send the {count} in conflict anyway, over what changed since the plan" if force
            else f"Send the {count} not sent yet" if resume else f"Send {values} to {count}")
    lines = [lit(what + "?", "bold"),
             join(lit("Profile "), lit(profile.name, "bold"), gap(),
                  lit(f"· {profile.base_url}"))]
    lines.append(lit("Journaled under one batch: History (or dixa-tui undo BATCH) reverses "
                     "it. Each target is read first: one changed since the plan is a "
                     "conflict, not sent" + (" (this time it is)." if force else ".")))
    warned = sum(bool(e.warnings) for e in send.to_send)
    if warned:
        lines.append(lit(f"! {_count(warned, plan)} with warnings (see the plan).", "yellow"))
    left_out = plan.totals.errors
    if left_out:
        lines.append(lit(f"{_count(left_out, plan)} in error left out.", "dim"))
    if profile.confirms_sends:
        lines.append(lit(f"This profile asks before every send: type {len(send.to_send)} "
                         "to send.", "bold"))
    return "Send to Dixa?", Text("\n").join(lines)


def latest_counts(plan: Plan, batch_plan: Plan,
                  results: Mapping[int, ResultLine]) -> dict[str, int]:
    """Outcome -> targets, over the whole plan: the planned unchanged count as unchanged,
    the ones never sent as ``not sent``, the ones in error as ``left out``."""
    counts: dict[str, int] = {}

    def add(name: str, n: int = 1) -> None:
        if n:
            counts[name] = counts.get(name, 0) + n

    for result in results.values():
        add(result.outcome)
    add("unchanged", plan.totals.unchanged)
    add("not sent", sum(1 for e in batch_plan.to_send if e.line not in results))
    add("left out", plan.totals.errors)
    return counts


ORDER = ("sent", "skipped", "unchanged", "conflict", "failed", "unknown", "not sent",
         "left out")
WORDS = {"skipped": "done before"}


def outcome_summary(batch_plan: Plan, plan: Plan,
                    results: Mapping[int, ResultLine]) -> tuple[Text, ...]:
    counts = latest_counts(plan, batch_plan, results)
    said = " · ".join(f"{counts[o]} {WORDS.get(o, o)}" for o in ORDER if counts.get(o))
    batch = batch_plan.batch_id or "?"
    head = lit(f"Batch {batch}:", "bold")
    return (join(head, gap(), lit(said), gap(), lit(
                f"· the History screen (H) shows it; dixa-tui undo {batch} reverses it", "dim")),
            join(head, gap(), lit(said), gap(), lit(f"· undo {batch}", "dim")),
            join(lit(f"{batch}:", "bold"), gap(), lit(said)))


def _lines(results: Mapping[int, ResultLine], outcomes: Iterable[str]) -> int:
    wanted = set(outcomes)
    return sum(1 for r in results.values() if r.outcome in wanted)


def done_status(batch_plan: Plan, results: Mapping[int, ResultLine], ui: Ui, *,
                stopped: bool) -> tuple[Text, ...]:
    """What to do next: send the rest, the failures, the conflicts; or close."""
    key = ui.key_hint
    rest = sum(1 for e in batch_plan.to_send if e.line not in results)
    failed, conflicts = _lines(results, RETRY_OUTCOMES), _lines(results, {"conflict"})
    todo = []
    if rest:
        todo.append(f"{key('bulk.send', 'ctrl+t')} sends the {rest} not sent")
    if failed:
        todo.append(f"{key('bulk.retry', 'r')} sends the {failed} failed again")
    if conflicts:
        todo.append(f"{key('bulk.force', 'F')} sends the {conflicts} in conflict anyway")
    head = "Stopped" if stopped else "Done"
    style = "bold yellow" if stopped or failed or conflicts else "bold green"
    close = f"{key('bulk.back', 'esc')} closes"
    if not todo:
        return (lit(f"{head}: every target has its outcome · {close}", style),
                lit(f"{head} · {close}", style))
    return (lit(f"{head}: " + " · ".join([*todo, close]), style),
            lit(f"{head}: " + " · ".join(todo), style), lit(head, style))


def files_note(path: Path | None, failures: Path | None) -> str:
    """Where the run's files are, for a notification."""
    if path is None:
        return ""
    from dixa_tui.session.bulk_files import results_path

    note = f"Plan: {path}\nResults: {results_path(path)}"
    note += f"\n`dixa-tui bulk apply {path}` finishes a stopped run."
    if failures is not None:
        note += f"\nFailures (plan them again with dixa-tui bulk plan): {failures}"
    return note
