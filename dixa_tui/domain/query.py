"""A conversation query: what people type, checked into what Dixa is asked and what is
checked on each conversation read back.

Two stages, so a query can be saved and rerun:

- :class:`QuerySpec` is the query as written (``--created-since 7d --where "..."``), nothing
  resolved; :meth:`QuerySpec.to_text` / :meth:`QuerySpec.from_text` are its stable text form
  (shell words), the one a saved query keeps.
- :func:`compile_query` checks a spec against the definitions and a ``now`` and gives a
  :class:`FindQuery`, or raises :class:`QueryError` listing every problem at once, before
  any request.

Dates, status, channel, queue, tag and text go to Dixa's ``POST /search/conversations``
(:meth:`FindQuery.search_body`); attribute conditions never do: they are checked on the
values read from each conversation (:meth:`FindQuery.matches`), so correctness never rests
on Dixa's undocumented ``CustomAttribute`` condition. What Dixa filtered on and a
conversation's own fields show (creation time, status, channel, queue) is checked again on
the conversation read back (:meth:`FindQuery.confirms`): the timestamp format Dixa accepts is
not documented either, and a misread bound must not let strangers through.
"""

from __future__ import annotations

import difflib
import shlex
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from typing import Any

from dixa_tui.api.models import AttributeValue, Conversation, CustomAttributeDefinition
from dixa_tui.domain.dates import DateError, Moment, parse_moment, utc, wire
from dixa_tui.domain.patch import UUID_PATTERN
from dixa_tui.domain.where import Condition, parse_conditions

# Dixa's conversation states (the ``state`` field's documented values), by what people type.
STATUSES = {"open": "Open", "closed": "Closed", "pending": "Pending",
            "awaitingpending": "AwaitingPending"}
STATUS_WORDS = {"Open": "open", "Closed": "closed", "Pending": "pending",
                "AwaitingPending": "awaiting-pending"}
# The ``channel`` values Dixa documents on conversations.
CHANNELS = ("WhatsApp", "Voicemail", "WidgetChat", "FacebookMessenger", "Twitter", "Email",
            "ContactForm", "Callback", "PstnPhone", "Sms", "Messenger")

# (option, QuerySpec field, takes a list)
OPTIONS: tuple[tuple[str, str, bool], ...] = (
    ("--created-since", "created_since", False), ("--created-until", "created_until", False),
    ("--closed-since", "closed_since", False), ("--closed-until", "closed_until", False),
    ("--status", "status", True), ("--channel", "channel", True), ("--queue", "queue", True),
    ("--tag", "tag", True), ("--text", "text", False), ("--where", "where", True),
)


class QueryError(ValueError):
    """A query that cannot be run; ``problems`` holds one sentence per problem, and
    ``str()`` joins them with line breaks."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


@dataclass(frozen=True)
class QuerySpec:
    """A query as written: the options of ``find conversations``, unresolved.

    List options hold what was given per occurrence; an occurrence may itself be a
    comma-separated list (``--status open,pending``), except ``where``, one condition each.
    """

    created_since: str | None = None
    created_until: str | None = None
    closed_since: str | None = None
    closed_until: str | None = None
    status: tuple[str, ...] = ()
    channel: tuple[str, ...] = ()
    queue: tuple[str, ...] = ()
    tag: tuple[str, ...] = ()
    text: str | None = None
    where: tuple[str, ...] = ()

    def args(self) -> list[str]:
        """The options as command-line words, in a fixed order."""
        words: list[str] = []
        for option, name, many in OPTIONS:
            value = getattr(self, name)
            for item in (value if many else (() if value is None else (value,))):
                words += [option, item]
        return words

    def to_text(self) -> str:
        """One line of shell words (``--status open --where 'x is empty'``):
        :meth:`from_text` reads it back to an equal spec."""
        return shlex.join(self.args())

    @classmethod
    def from_text(cls, text: str) -> QuerySpec:
        try:
            words = shlex.split(text)
        except ValueError as exc:
            raise QueryError([f"the query text cannot be read: {exc}"]) from None
        return cls.from_args(words)

    @classmethod
    def from_args(cls, words: Sequence[str]) -> QuerySpec:
        """Options as words (``--opt value`` or ``--opt=value``); raises QueryError."""
        by_option = {option: (name, many) for option, name, many in OPTIONS}
        single: dict[str, str] = {}
        lists: dict[str, list[str]] = {}
        problems: list[str] = []
        i = 0
        while i < len(words):
            word = words[i]
            option, eq, inline = word.partition("=")
            if option not in by_option:
                close = difflib.get_close_matches(option, list(by_option), n=1)
                hint = f"; did you mean {close[0]}?" if close else ""
                problems.append(f"'{word}' is not a query option{hint}")
                i += 1
                continue
            if eq:
                value, i = inline, i + 1
            elif i + 1 < len(words):
                value, i = words[i + 1], i + 2
            else:
                problems.append(f"{option} needs a value")
                break
            name, many = by_option[option]
            if many:
                lists.setdefault(name, []).append(value)
            elif name in single:
                problems.append(f"{option} is given twice")
            else:
                single[name] = value
        if problems:
            raise QueryError(problems)
        values: dict[str, Any] = dict(single)
        values.update({name: tuple(items) for name, items in lists.items()})
        return cls(**values)

    def is_empty(self) -> bool:
        return all(not getattr(self, f.name) for f in fields(self))

    def extended(self, more: QuerySpec) -> QuerySpec:
        """This spec with ``more``'s options added (a saved query run with more options):
        list options are appended, a single one given in ``more`` replaces this one's."""
        changes: dict[str, Any] = {}
        for _, name, many in OPTIONS:
            value = getattr(more, name)
            if many and value:
                changes[name] = tuple(getattr(self, name)) + tuple(value)
            elif not many and value is not None:
                changes[name] = value
        return replace(self, **changes)


@dataclass(frozen=True)
class FindQuery:
    """A checked query: Dixa's filters, resolved moments and attribute conditions."""

    spec: QuerySpec
    created_since: Moment | None = None
    created_until: Moment | None = None
    closed_since: Moment | None = None
    closed_until: Moment | None = None
    statuses: tuple[str, ...] = ()  # Dixa's spelling: Open, Closed, Pending, AwaitingPending
    channels: tuple[str, ...] = ()
    queues: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    text: str | None = None
    conditions: tuple[Condition, ...] = field(default=())

    # -- what Dixa is asked ---------------------------------------------------------------

    def search_body(self) -> dict[str, Any]:
        """The body of ``POST /search/conversations``: ``filters`` (strategy All) for what
        was given, ``query`` for the text; ``{}`` (every conversation) when neither."""
        conditions = [c for c in (
            _dates("CreationDate", self.created_since, self.created_until),
            _dates("ClosedDate", self.closed_since, self.closed_until),
            _values("Status", "IsOneOf", self.statuses),
            _values("Channel", "IsOneOf", self.channels),
            _values("QueueId", "IsOneOf", self.queues),
            _values("TagId", "IncludesOne", self.tags),
        ) if c is not None]
        body: dict[str, Any] = {}
        if conditions:
            body["filters"] = {"strategy": "All", "conditions": conditions}
        if self.text is not None:
            body["query"] = {"value": self.text, "exactMatch": False}
        return body

    # -- what is checked on each conversation ---------------------------------------------

    @property
    def needs_values(self) -> bool:
        """Whether a conversation must be read to know if it matches."""
        return bool(self.conditions)

    def matches(self, values: Mapping[str, AttributeValue | None]) -> bool:
        """Every attribute condition holds for ``values`` (definition id -> value)."""
        return all(c.matches(values.get(c.definition.id)) for c in self.conditions)

    def confirms(self, conversation: Conversation) -> bool:
        """The conversation's own fields agree with what Dixa was asked to filter on:
        creation time, status, channel and queue (close time and tags are not in Dixa's
        conversation shape, so they rest on the search). A field the conversation does not
        carry is not held against it."""
        created = utc(conversation.created_at) if conversation.created_at else None
        if created is not None:
            if self.created_since and created < self.created_since.at:
                return False
            if self.created_until and created > self.created_until.at:
                return False
        if self.statuses and conversation.state and conversation.state not in self.statuses:
            return False
        if self.channels and conversation.channel and conversation.channel not in self.channels:
            return False
        queue = (conversation.model_extra or {}).get("queue")
        queue_id = queue.get("id") if isinstance(queue, dict) else None
        return not (self.queues and isinstance(queue_id, str)
                    and queue_id.lower() not in {q.lower() for q in self.queues})

    # -- for people and for saving --------------------------------------------------------

    def describe(self) -> str:
        """One line: ``created since 7d (2026-10-25 08:00 UTC) · status Open or Pending ·
        Contact reason is empty``."""
        parts: list[str] = []
        for noun, since, until in (("created", self.created_since, self.created_until),
                                   ("closed", self.closed_since, self.closed_until)):
            if since:
                parts.append(f"{noun} since {since.show()}")
            if until:
                parts.append(f"{noun} until {until.show()}")
        for noun, items in (("status", self.statuses), ("channel", self.channels),
                            ("queue", self.queues), ("tag", self.tags)):
            if items:
                parts.append(f"{noun} {' or '.join(items)}")
        if self.text is not None:
            parts.append(f'text "{self.text}"')
        parts += [c.describe() for c in self.conditions]
        return " · ".join(parts) if parts else "every conversation"

    def to_text(self) -> str:
        """The stable text form (:meth:`QuerySpec.to_text`) of this query, with lists
        normalized and conditions written by identifier and option values: labels may be
        renamed, the values stored on conversations stay."""
        return self.canonical().to_text()

    def canonical(self) -> QuerySpec:
        def joined(items: tuple[str, ...], shown: Callable[[str], str] = str) -> tuple[str, ...]:
            return (",".join(shown(i) for i in items),) if items else ()

        return replace(
            self.spec,
            status=joined(self.statuses, STATUS_WORDS.__getitem__),
            channel=joined(self.channels), queue=joined(self.queues), tag=joined(self.tags),
            where=tuple(c.text() for c in self.conditions))


def _dates(field_type: str, since: Moment | None, until: Moment | None) -> dict[str, Any] | None:
    if since and until:
        operator = {"_type": "Between", "timestampFrom": wire(since.at),
                    "timestampTo": wire(until.at)}
    elif since:
        operator = {"_type": "Since", "timestamp": wire(since.at)}
    elif until:
        operator = {"_type": "Until", "timestamp": wire(until.at)}
    else:
        return None
    return {"field": {"_type": field_type, "operator": operator}}


def _values(field_type: str, operator: str, items: tuple[str, ...]) -> dict[str, Any] | None:
    if not items:
        return None
    return {"field": {"_type": field_type,
                      "operator": {"_type": operator, "values": list(items)}}}


# -- checking a spec ------------------------------------------------------------------------


def _items(given: Iterable[str]) -> list[str]:
    """Occurrences of a list option, each split at commas, blanks dropped."""
    return [part.strip() for item in given for part in item.split(",") if part.strip()]


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def _status(word: str) -> str | None:
    return STATUSES.get(word.casefold().replace("-", "").replace("_", "").replace(" ", ""))


def _channel(word: str) -> str | None:
    key = word.casefold().replace("-", "").replace("_", "").replace(" ", "")
    return next((c for c in CHANNELS if c.casefold() == key), None)


def _suggest(word: str, choices: Sequence[str]) -> str:
    folded = {c.casefold(): c for c in choices}
    close = difflib.get_close_matches(word.casefold(), list(folded), n=1)
    return f"did you mean {folded[close[0]]}? " if close else ""


def compile_query(spec: QuerySpec, definitions: Sequence[CustomAttributeDefinition], *,
                  now: datetime) -> FindQuery:
    """``spec`` checked against ``definitions``, moments read relative to ``now``; raises
    :class:`QueryError` with every problem at once (nothing is sent for a bad query)."""
    problems: list[str] = []
    moments: dict[str, Moment | None] = {}
    for option, name, _ in OPTIONS[:4]:
        text = getattr(spec, name)
        moments[name] = None
        if text is not None:
            try:
                moments[name] = parse_moment(text, now)
            except DateError as exc:
                problems.append(f"{option}: {exc}")
    for noun, since, until in (("created", "created_since", "created_until"),
                               ("closed", "closed_since", "closed_until")):
        start, end = moments[since], moments[until]
        if start and end and start.at > end.at:
            problems.append(f"--{noun}-since ({start.show()}) is after --{noun}-until "
                            f"({end.show()}): no conversation can match")
    statuses: list[str] = []
    for word in _items(spec.status):
        status = _status(word)
        if status is None:
            hint = _suggest(word, list(STATUS_WORDS.values()))
            problems.append(f"--status: '{word}' is not a status; {hint}use open, closed, "
                            "pending or awaiting-pending")
        else:
            statuses.append(status)
    channels: list[str] = []
    for word in _items(spec.channel):
        channel = _channel(word)
        if channel is None:
            problems.append(f"--channel: '{word}' is not one of Dixa's channels; "
                            f"{_suggest(word, CHANNELS)}they are {', '.join(CHANNELS)}")
        else:
            channels.append(channel)
    ids: dict[str, list[str]] = {"queue": [], "tag": []}
    for name in ids:
        for word in _items(getattr(spec, name)):
            if UUID_PATTERN.fullmatch(word):
                ids[name].append(word.lower())
            else:
                problems.append(f"--{name}: '{word}' is not a {name} id; give the {name}'s "
                                "UUID, as Dixa's settings and API show it")
    if spec.text is not None and not spec.text.strip():
        problems.append("--text is empty: give the words to search for, or leave it out")
    conditions, where_problems = parse_conditions(spec.where, definitions)
    problems += [f"--where {p}" for p in where_problems]
    if problems:
        raise QueryError(problems)
    return FindQuery(
        spec, moments["created_since"], moments["created_until"], moments["closed_since"],
        moments["closed_until"], _unique(statuses), _unique(channels), _unique(ids["queue"]),
        _unique(ids["tag"]), spec.text.strip() if spec.text is not None else None,
        tuple(conditions))


def parse_query(text: str, definitions: Sequence[CustomAttributeDefinition], *,
                now: datetime) -> FindQuery:
    """A saved query's text form, checked: :meth:`QuerySpec.from_text` then
    :func:`compile_query`."""
    return compile_query(QuerySpec.from_text(text), definitions, now=now)
