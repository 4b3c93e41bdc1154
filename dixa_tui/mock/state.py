"""The mock's organization in memory: definitions, end users, conversations and their values.

People are records (``dixa_tui.mock.records``): Dixa's own model of a person or a
conversation next to its attribute values. Values are the single source of truth; any
``customAttributes`` on the stored model are ignored when answering, so a PATCH never has
two places to update.

State is mutated only by ``apply_patch``, which checks the whole body first and then writes
every key with no ``await`` in between, so a PATCH is atomic under asyncio. ``writes`` counts
the PATCHes that changed each target, so a test can prove every value landed exactly once.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from dixa_tui.api.constants import MAX_BODY_BYTES
from dixa_tui.api.errors import DixaResponseError
from dixa_tui.api.models import (
    AttributeValue,
    Conversation,
    CustomAttribute,
    CustomAttributeDefinition,
    EndUser,
)
from dixa_tui.api.salvage import DefinitionsRead, read_definitions
from dixa_tui.domain.options import match_path
from dixa_tui.domain.patch import DefinitionIndex, Problem, validate_body
from dixa_tui.inputfile import read_input
from dixa_tui.jsontext import loads
from dixa_tui.mock.cursors import Cursors
from dixa_tui.mock.records import (
    ConversationRecord,
    EndUserRecord,
    People,
    clock,
    conversation_record,
    copy_value,
    user_record,
)

ORG_FILE_END_USERS = 20
ORG_FILE_CONVERSATIONS = 60


class PatchRejected(Exception):
    """A PATCH body Dixa would answer 400 to; ``str()`` is the message to send."""


class MockState:
    """One organization: what every route of the mock reads and PATCH writes.

    ``end_users`` maps user id (a UUID string) to ``EndUserRecord``; ``conversations`` maps
    the int64 conversation id to ``ConversationRecord``. Dict order is listing order.

    The people may come from ``people``, a function called on first use of either map:
    generating a population costs far more than the definitions, and a session that only
    lists definitions (the first frame of ``--demo``, most CLI calls) never needs it.

    ``raw`` holds definitions as an org file wrote them, by id: they are served in place of
    the model's own dump, so what the file holds (``null`` values, missing fields, unknown keys)
    reaches the client unchanged. ``unreadable`` holds an org file's items that are not
    definitions dixa-tui can read, as (position in the listing, the item as it was): the
    mock serves them there, as a Dixa with such data would. ``error_note`` is
    appended to every error message the routes send (a hostile organization's server
    messages are hostile too). ``writes`` counts the PATCHes applied per target,
    ``("enduser", user id)`` or ``("conversation", "10001")``; a refused PATCH is not counted
    (``Knobs.writes`` counts every PATCH request seen).

    ``now`` is the organization's clock (UTC, whole seconds; default: when the state is
    made): generated conversations lie in the 90 days before it. ``cursors`` holds the
    search pages the mock has issued a ``pageKey`` for.
    """

    def __init__(
        self,
        definitions: Iterable[CustomAttributeDefinition],
        end_users: dict[str, EndUserRecord] | None = None,
        conversations: dict[int, ConversationRecord] | None = None,
        *,
        people: Callable[[], People] | None = None,
        now: datetime | None = None,
    ) -> None:
        self.now = clock(now)
        self.cursors = Cursors()
        self.definitions = list(definitions)
        self._people = people
        self._end_users = end_users if end_users is not None or people else {}
        self._conversations = conversations if conversations is not None or people else {}
        self._lock = threading.Lock()
        self.raw: dict[str, Any] = {}
        self.unreadable: list[tuple[int, Any]] = []
        # The list's body encoded once (``mock serve``: an org's definitions never change
        # there); None: encoded for each request (tests change the definitions as they go).
        self.listing_body: bytes | None = None
        self.error_note = ""
        self.writes: Counter[tuple[str, str]] = Counter()

    @property
    def end_users(self) -> dict[str, EndUserRecord]:
        if self._end_users is None:
            self._populate()
        assert self._end_users is not None
        return self._end_users

    @property
    def conversations(self) -> dict[int, ConversationRecord]:
        if self._conversations is None:
            self._populate()
        assert self._conversations is not None
        return self._conversations

    @property
    def populated(self) -> bool:
        """Whether the people exist yet (``people`` has run, or was never needed)."""
        return self._end_users is not None and self._conversations is not None

    def _populate(self) -> None:
        with self._lock:  # the TUI's workers and the event loop may both get here first
            if self.populated or self._people is None:
                return
            users, conversations = self._people()
            if self._end_users is None:
                self._end_users = users
            if self._conversations is None:
                self._conversations = conversations

    # -- construction ------------------------------------------------------------------

    @classmethod
    def demo(cls, now: datetime | None = None) -> MockState:
        """The seeded demo organization (see ``dixa_tui.mock.demo``): a fresh copy each call;
        its people are generated when first asked for, its conversations in the 90 days
        before ``now`` (default: the real now)."""
        from dixa_tui.mock.demo import fresh_demo_people, organization_definitions

        moment = clock(now)
        return cls(organization_definitions(), people=lambda: fresh_demo_people(moment),
                   now=moment)

    @classmethod
    def from_definitions(
        cls,
        definitions: Iterable[CustomAttributeDefinition],
        end_users: Mapping[str, EndUserRecord] | Iterable[EndUserRecord | EndUser] | None = None,
        conversations: Mapping[int, ConversationRecord]
        | Iterable[ConversationRecord | Conversation]
        | None = None,
    ) -> MockState:
        """A state from given parts; no people unless given (see ``generated`` for some).

        People may be records or plain ``EndUser`` / ``Conversation`` models, whose
        ``customAttributes`` become the initial values.
        """
        users = end_users.values() if isinstance(end_users, Mapping) else (end_users or [])
        convs = (conversations.values() if isinstance(conversations, Mapping)
                 else (conversations or []))
        user_records = [user_record(u) for u in users]
        conv_records = [conversation_record(c) for c in convs]
        return cls(
            definitions=list(definitions),
            end_users={u.id: u for u in user_records},
            conversations={c.id: c for c in conv_records},
        )

    @classmethod
    def generated(
        cls,
        definitions: Iterable[CustomAttributeDefinition],
        *,
        seed: int = 0,
        end_users: int = ORG_FILE_END_USERS,
        conversations: int = ORG_FILE_CONVERSATIONS,
        now: datetime | None = None,
    ) -> MockState:
        """``definitions`` with a deterministic (for one ``now``) generated population holding
        valid values, generated on first use of the people; its conversations lie in the 90
        days before ``now`` (default: the real now)."""
        from dixa_tui.mock.population import generate_population

        definitions = list(definitions)
        moment = clock(now)

        def people() -> People:
            users, convs = generate_population(definitions, seed=seed, end_users=end_users,
                                               conversations=conversations, now=moment)
            return {u.id: u for u in users}, {c.id: c for c in convs}

        return cls(definitions, people=people, now=moment)

    @classmethod
    def from_org_file(cls, path: str | Path, now: datetime | None = None) -> MockState:
        """Definitions from a file in Dixa's list format (``{"data": [...]}`` or a bare list),
        plus a modest generated set of end users and conversations.

        Items that are not readable definitions are kept in ``unreadable`` and served as
        they are. Raises ``OSError`` if the file cannot be read, ``ValueError`` if it is
        not that format.
        """
        data = read_input(path, MAX_BODY_BYTES)  # a folder, a device, gigabytes: OSError
        try:
            payload: Any = loads(data)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}: not JSON ({exc.msg} at line {exc.lineno})") from None
        except UnicodeDecodeError:
            raise ValueError(f"{path}: not UTF-8 text") from None
        return cls.from_org_payload(payload, Path(path).name, now)

    @classmethod
    def from_org_payload(cls, payload: Any, name: str = "organization",
                         now: datetime | None = None) -> MockState:
        """``from_org_file`` for JSON already loaded: ``{"data": [...]}`` or a bare list."""
        if isinstance(payload, dict) and "data" in payload:
            payload = payload["data"]
        if not isinstance(payload, list):
            raise ValueError(f"{name}: expected Dixa's list format, "
                             '{"data": [definitions]} or a list of definitions')
        try:
            read = read_definitions(payload, f"read {name}")
        except DixaResponseError as exc:
            raise ValueError(str(exc)) from None
        state = cls.generated(read.definitions, now=now)
        state.keep_as_sent(payload, read)
        return state

    def keep_as_sent(self, payload: list[Any], read: DefinitionsRead) -> None:
        """Serve ``payload`` (which gave ``read``) as it is: the readable items in place of
        the definitions' own dumps, the others at their positions."""
        skipped = {s.index for s in read.skipped}
        readable = (item for i, item in enumerate(payload) if i not in skipped)
        self.raw = {d.id: item for d, item in zip(read.definitions, readable, strict=True)}
        self.unreadable = [(s.index, payload[s.index]) for s in read.skipped]

    def as_sent(self, definition: CustomAttributeDefinition) -> Any:
        """A definition in Dixa's shape: as the org file wrote it, if it came from one."""
        raw = self.raw.get(definition.id)
        return raw if raw is not None else definition.to_dixa()

    # -- reading -----------------------------------------------------------------------

    def listing(self) -> list[Any]:
        """What ``GET /custom-attributes`` answers: the definitions in Dixa's shape, with
        the unreadable items back at their places."""
        items: list[Any] = [self.as_sent(d) for d in self.definitions]
        for position, item in sorted(self.unreadable, key=lambda pair: pair[0]):
            items.insert(min(position, len(items)), item)
        return items

    def index(self) -> DefinitionIndex:
        """Built per call: tests may swap or append definitions at any time."""
        return DefinitionIndex(self.definitions)

    def end_user_values(self, user_id: str) -> dict[str, object]:
        """A copy of one end user's values (definition id -> value); KeyError if unknown."""
        return {k: copy_value(v) for k, v in self.end_users[user_id].values.items()}

    def conversation_values(self, conversation_id: int) -> dict[str, object]:
        """A copy of one conversation's values; KeyError if unknown."""
        return {k: copy_value(v)
                for k, v in self.conversations[conversation_id].values.items()}

    def conversations_of(self, user_id: str) -> list[ConversationRecord]:
        """A user's conversations, oldest (lowest id) first."""
        return sorted((c for c in self.conversations.values() if c.requester_id == user_id),
                      key=lambda c: c.id)

    def attributes(self, values: Mapping[str, AttributeValue]) -> list[CustomAttribute]:
        """Values as Dixa lists them, in definition order; values of unknown ids are left out
        (a definition deleted from the org file takes its values with it)."""
        return [CustomAttribute(id=d.id, name=d.label, identifier=d.identifier,
                                value=copy_value(values[d.id]))
                for d in self.definitions if d.id in values]

    # -- writing -----------------------------------------------------------------------

    def apply_patch(
        self, values: dict[str, AttributeValue], entity_type: str, body: Any, *,
        target: tuple[str, str] | None = None,
    ) -> list[CustomAttribute]:
        """Check ``body`` like Dixa, then set (or, for ``null``, clear) every key at once;
        an applied PATCH counts once in ``writes[target]`` when ``target`` is given.

        Raises ``PatchRejected`` on any error and on a deactivated option (Dixa refuses
        those); other warnings (deactivated attribute, a path stopping above a leaf) pass.
        """
        index = self.index()
        errors, warnings = validate_body(index, entity_type, body)
        if not isinstance(body, dict):
            raise PatchRejected(f"Decoding failure in request: {errors[0].message}")
        refused = errors + [w for w in warnings if w.code == "deactivated-option"]
        if refused:
            reasons = dict.fromkeys(_refusal(p, index, body.get(p.ref)) for p in refused)
            raise PatchRejected("Invalid input for patching: " + "; ".join(reasons))
        result = []
        for key, value in body.items():
            if value is None:
                values.pop(key, None)
            else:
                values[key] = copy_value(value)
            d = index.by_id[key]
            result.append(CustomAttribute(id=key, name=d.label, identifier=d.identifier,
                                          value=copy_value(value)))
        if target is not None:
            self.writes[target] += 1
        return result


def _refusal(problem: Problem, index: DefinitionIndex, value: Any) -> str:
    """Why Dixa refuses one key, in a server's words: short, naming the id as sent and the
    kind of fault, never the client's advice (which option to pick, how to write a path)."""
    key = problem.ref
    what = f"custom attribute {key}"
    d = index.by_id.get(key)
    code = problem.code
    if d is None or code == "unknown-attribute":
        return f"unknown {what}"
    if code == "wrong-entity":
        return f"{what} is a {d.entity_type} attribute"
    if code == "archived":
        return f"{what} is archived"
    if code == "read-only-type":
        return f"{what} has input type {d.input_type}, which cannot be patched"
    if code == "wrong-shape":
        expected = "String" if d.input_type == "Text" else "String[]"  # Dixa's AttributeValue
        return f"{what}: expected {expected} for a {d.input_type} attribute"
    if code == "empty-path":
        return f"{what} needs at least one option value"
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        match = match_path(d.options, value)
        if code == "unknown-option":
            level = len(match.matched) + 1
            return f"{what}: unknown option '{match.failed_value}' at level {level}"
        if code == "deactivated-option":
            off = ", ".join(f"'{o.value}'" for o in match.deactivated)
            return f"{what}: option {off} is deactivated"
    return f"{what}: invalid value"
