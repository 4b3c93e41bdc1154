"""A find as the session runs it: a query checked against the organization, then its matches.

Front ends (the CLI's ``find conversations``, the TUI's Find screen) call these functions
with their session (as bulk runs do: the session's core stays small) and hand over a
:class:`~dixa_tui.domain.query.QuerySpec` as people wrote it; :func:`prepare_find` checks it
and answers a :class:`PreparedFind` or raises ``QueryError`` with every problem at once.
What can be checked without the organization (dates, statuses, channels, ids, text) is
checked first: a query whose only problems are those costs no request at all. Attribute
conditions and columns need the definitions, so they cost one read of them (loaded once per
session), and never a search or a conversation read. Only a prepared find is ever run.

Relative moments (``7d``) are read against :func:`utc_now` when the find is prepared, so a
saved query means "the 7 days before this run".

Saved queries live in the config file's ``[queries]`` table (name -> the options as shell
words, :meth:`QuerySpec.to_text`): :func:`saved_queries` lists them for a picker,
:func:`saved_query` opens one by name, :func:`save_query` writes one (the query as checked:
identifiers and option values, so renamed labels do not break it; relative dates stay
relative).
"""

from __future__ import annotations

import difflib
from collections.abc import AsyncGenerator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from dixa_tui.domain.query import FindQuery, QueryError, QuerySpec, compile_query

if TYPE_CHECKING:
    from dixa_tui.api.models import CustomAttributeDefinition
    from dixa_tui.session.core import Session
    from dixa_tui.session.find import Found, Tally
    from dixa_tui.session.progress import ProgressListener


def utc_now() -> datetime:
    """The moment relative dates count back from (tests replace it to pin the clock)."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class PreparedFind:
    """A query that passed every check: ``query`` for Dixa and for each conversation,
    ``columns`` to show (the requested ones, else the ones the query tests, else every
    conversation attribute that is not archived), ``now`` the moment it was read against,
    ``names`` each column's name in exports (:func:`~dixa_tui.domain.export_values.
    column_names`: the identifier, or the id where that would be ambiguous)."""

    query: FindQuery
    columns: tuple[CustomAttributeDefinition, ...]
    now: datetime
    names: Mapping[str, str] = field(default_factory=dict)  # column names by definition id

    def describe(self) -> str:
        return self.query.describe()


def _offline_problems(spec: QuerySpec, now: datetime) -> list[str]:
    """Problems of everything but the attribute conditions: no definitions needed."""
    try:
        compile_query(replace(spec, where=()), [], now=now)
    except QueryError as exc:
        return exc.problems
    return []


async def prepare_find(session: Session, spec: QuerySpec, *,
                       columns: Sequence[str] | None = None,
                       now: datetime | None = None) -> PreparedFind:
    """``spec`` checked against the organization's definitions (and ``columns``, identifiers
    or ids, each item may be comma-separated); raises ``QueryError`` listing every problem.

    Without attribute conditions or columns, a query with problems sends nothing; otherwise
    the definitions are read (once per session) so that every problem is said at once.
    """
    from dixa_tui.domain.export_values import column_names, columns_for

    moment = now or utc_now()
    problems = _offline_problems(spec, moment)
    if problems and not spec.where and not columns:
        raise QueryError(problems)
    read = session.definitions or await session.load_definitions()
    definitions = read.definitions
    query: FindQuery | None = None
    try:
        query = compile_query(spec, definitions, now=moment)
    except QueryError as exc:
        problems = exc.problems
    chosen: list[CustomAttributeDefinition] = []
    try:
        chosen = columns_for(definitions, columns, query)
    except QueryError as exc:
        problems = [*problems, *exc.problems]
    if problems or query is None:
        raise QueryError(problems)
    return PreparedFind(query, tuple(chosen), moment, column_names(chosen, definitions))


def find(session: Session, prepared: PreparedFind, *, limit: int | None = None,
         sample: int | None = None, on_progress: ProgressListener | None = None,
         ) -> AsyncGenerator[Found, None]:
    """The matches of ``prepared``, each as soon as it is confirmed (see
    :func:`dixa_tui.session.find.find_conversations`: ``limit`` stops the reading early,
    ``sample`` checks the first N the search names). Close it (``contextlib.aclosing``) to
    stop at once."""
    from dixa_tui.session.find import find_conversations

    client = session.require_client("find conversations")
    return find_conversations(client, prepared.query, limit=limit, sample=sample,
                              on_progress=on_progress)


async def count(session: Session, prepared: PreparedFind, *, sample: int | None = None,
                on_progress: ProgressListener | None = None) -> Tally:
    """How many conversations match: by the search alone when no attribute is tested, else
    by reading each one the search names."""
    from dixa_tui.session.find import count_matches

    client = session.require_client("count conversations")
    return await count_matches(client, prepared.query, sample=sample,
                               on_progress=on_progress)


# -- saved queries ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SavedQuery:
    """A query saved by name: ``text`` as the config file holds it."""

    name: str
    text: str

    def spec(self) -> QuerySpec:
        """The saved options; raises ``QueryError`` naming the query when they do not
        read."""
        try:
            return QuerySpec.from_text(self.text)
        except QueryError as exc:
            raise QueryError([f"saved query {self.name!r}: {p}" for p in exc.problems]
                             ) from None


def saved_queries(path: Path | None = None) -> list[SavedQuery]:
    """Every saved query of the config file (default: the one in use), in file order.
    Raises ``config.ConfigError``. Reads a file: the TUI calls it off its event loop."""
    from dixa_tui.config import load_config

    return [SavedQuery(name, text) for name, text in load_config(path).queries.items()]


def saved_query(name: str, path: Path | None = None) -> SavedQuery:
    """The saved query called ``name``; raises ``QueryError`` saying which exist."""
    found = saved_queries(path)
    for query in found:
        if query.name == name:
            return query
    names = [q.name for q in found]
    if not names:
        raise QueryError([f"no query is saved as {name!r}: none is saved yet (save one "
                          "with --save NAME, or add it under [queries] in the config file)"])
    close = difflib.get_close_matches(name, names, n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    raise QueryError([f"no query is saved as {name!r}; {hint}saved: {', '.join(names)}"])


def save_query(name: str, prepared: PreparedFind, path: Path | None = None) -> str | None:
    """Save a checked query under ``name`` (replacing one of that name); returns the text
    it replaced, if any. Raises ``config.ConfigError`` (nothing written then)."""
    from dixa_tui.config_edit import save_query as write

    return write(name, prepared.query.to_text(), path)
