"""What the Find screen's workers do: run a find, list and save queries; and its status line.

Each function runs in a worker (``Ui.run``) and answers with one message; a find also posts
one message per match and per progress step while it runs. A query the session refuses
(``QueryError``) and a config file that cannot be read or written (``ConfigError``) are
answers, not failures: the screen says them where the query is. Failures of Dixa go on to
the app as ``RequestFailed`` and show in the screen's error bar.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from contextlib import aclosing
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from dixa_tui.tui.messages import (
    FindFinished,
    FindMatched,
    FindProgress,
    FindRefused,
    FindStarted,
    QuerySaved,
    SavedQueriesListed,
)

if TYPE_CHECKING:
    from textual.message import Message

    from dixa_tui.domain.query import QuerySpec
    from dixa_tui.session.core import Session
    from dixa_tui.session.progress import Progress


async def run_find(session: Session, run: int, spec: QuerySpec, columns: Sequence[str],
                   limit: int | None, now: datetime,
                   post: Callable[[Message], object]) -> Message:
    """Check ``spec``, then post :class:`FindStarted`, each match and the progress as they
    come; answers :class:`FindFinished`, or :class:`FindRefused` when it cannot run.
    Cancelling the worker closes the find at once (the reads under way are cancelled)."""
    from dixa_tui.domain.query import QueryError
    from dixa_tui.session.queries import find, prepare_find

    try:
        prepared = await prepare_find(session, spec, columns=list(columns) or None, now=now)
    except QueryError as exc:
        return FindRefused(run, exc.problems)
    post(FindStarted(run, prepared))
    last: list[Progress] = []

    def heard(progress: Progress) -> None:
        last[:] = [progress]
        post(FindProgress(run, progress))

    async with aclosing(find(session, prepared, limit=limit, on_progress=heard)) as matches:
        async for found in matches:
            post(FindMatched(run, found))
    return FindFinished(run, last[0] if last else None)


async def load_saved(purpose: Literal["open", "save"]) -> SavedQueriesListed:
    """The config file's saved queries (read off the event loop)."""
    from dixa_tui.config import ConfigError, config_path
    from dixa_tui.session.queries import saved_queries

    path = str(config_path())
    try:
        queries = await asyncio.to_thread(saved_queries)
    except ConfigError as exc:
        return SavedQueriesListed([], purpose, path, str(exc))
    return SavedQueriesListed(queries, purpose, path)


async def save_find(session: Session, name: str, spec: QuerySpec,
                    now: datetime) -> Message:
    """Check ``spec`` as a find would, then save it as ``name`` (as checked: identifiers and
    option values; relative dates stay relative)."""
    from dixa_tui.config import ConfigError, config_path
    from dixa_tui.domain.query import QueryError
    from dixa_tui.session.queries import prepare_find, save_query

    path = str(config_path())
    try:
        prepared = await prepare_find(session, spec, now=now)
        replaced = await asyncio.to_thread(save_query, name, prepared)
    except (QueryError, ConfigError) as exc:
        return QuerySaved(name, path, problem=str(exc))
    return QuerySaved(name, path, replaced)


def status_line(progress: Progress, head: str, *, live: bool = True,
                matches: int | None = None) -> str:
    """``Reading · 2 search pages · 87 checked · 12 matches · 9.8/s · ETA 12 s``; ``live``
    False leaves out the rate and the time (a finished find's line reads the same every
    run). The rate is of conversations checked; an ETA shows only when a stop-after gives
    the find a known end. ``matches`` overrides the progress's count (the rows kept at a
    stop)."""
    from dixa_tui.session.progress import duration
    from dixa_tui.text import plural

    counts = progress.counts
    checked = progress.done if progress.stage == "checked" else counts.get("checked", 0)
    if matches is None:
        matches = progress.done if progress.stage == "found" else counts.get("matches", 0)
    pages = counts.get("pages", 0)
    parts = [head, plural(matches, "match", "matches"), f"{checked:,} checked",
             plural(pages, "search page")]
    if counts.get("missing"):
        parts.append(f"{counts['missing']:,} gone since the search")
    if live:
        if progress.elapsed > 0 and checked:
            parts.append(f"{checked / progress.elapsed:.1f}/s")
        eta = progress.eta
        if progress.total is not None and eta is not None and eta > 0:
            parts.append(f"ETA {duration(eta)}")
    return " · ".join(parts)
