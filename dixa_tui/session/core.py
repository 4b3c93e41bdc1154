"""The session: one profile, one key, one client, and every operation both front ends use.

A :class:`Session` is made once per run from :class:`~dixa_tui.session.settings.Settings`
(:meth:`Session.open`; the TUI does it off the event loop). Its coroutines are the only way
the CLI and the TUI reach Dixa: load definitions, resolve a target from what a person typed,
read its values, plan an edit with the domain's rules, send it. A session without a usable
key has no client; its operations then fail with ``DixaNotConnected`` (nothing is sent).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dixa_tui.session.settings import KeySource, Resolved, Settings, resolve

if TYPE_CHECKING:
    import httpx

    from dixa_tui.api.client import DixaClient
    from dixa_tui.api.models import Conversation, CustomAttributeDefinition, EndUser
    from dixa_tui.api.rows import CheckedRow
    from dixa_tui.api.salvage import DefinitionsRead, SkippedDefinition
    from dixa_tui.api.secret import SecretLike
    from dixa_tui.config import Profile
    from dixa_tui.domain.patch import DefinitionIndex, PatchPlan, StagedEdit, Target
    from dixa_tui.domain.targets import Lookup
    from dixa_tui.journal import Journal, Origin
    from dixa_tui.session.history import History, HistoryQuery
    from dixa_tui.session.targets import TargetState
    from dixa_tui.session.writes import Sent

TransportFactory = Callable[[], "httpx.AsyncBaseTransport"]
LOOKUP_LIMIT = 50


@dataclass(frozen=True, repr=False)
class RowsRead:
    """The rows of the definitions list, and the items skipped because an earlier one had
    their id (as :class:`~dixa_tui.api.salvage.DefinitionsRead` has)."""

    rows: list[CheckedRow]
    skipped: tuple[SkippedDefinition, ...] = ()


class TargetNotFound(Exception):
    """What a person typed names no target, or several: the message says which and what to
    do. Nothing was sent (a usage error, not Dixa's)."""


def open_client(profile: Profile, key: SecretLike,
                transport: httpx.AsyncBaseTransport | None = None) -> DixaClient:
    """The one place a client is built (tests put their own transport behind it here)."""
    from dixa_tui.api.client import DixaClient

    return DixaClient(key, base_url=profile.base_url, api_version=profile.api_version,
                      rate=profile.rate_limit, burst=profile.burst, transport=transport)


class Session:
    """Settings resolved once, and the client built from them (None without a usable key)."""

    def __init__(self, settings: Settings, resolved: Resolved, *,
                 transport: TransportFactory | None = None) -> None:
        self.settings = settings
        self.profile = resolved.profile
        self.keymap: Mapping[str, str] = dict(resolved.keymap)
        self.key_source: KeySource | None = None
        self.key_fingerprint: str | None = None  # of the key in use (api.secret.fingerprint)
        self.backend = resolved.backend
        self.key_problem = resolved.problem
        self.keyring_failure = resolved.keyring_failure
        self.client: DixaClient | None = None
        self.definitions: DefinitionsRead | None = None
        self._transport = transport
        self._journal: Journal | None = None
        if resolved.key is not None and resolved.key_source is not None:
            self.use_key(resolved.key, resolved.key_source)

    @classmethod
    def open(cls, settings: Settings, *, transport: TransportFactory | None = None) -> Session:
        """Resolve ``settings`` (config file, keyring) and connect when there is a key.

        Raises ``config.ConfigError``; a missing or unusable key is not an error here (the
        TUI asks for one): see :attr:`connected` and :attr:`key_problem`."""
        return cls(settings, resolve(settings), transport=transport)

    @property
    def demo(self) -> bool:
        return self.settings.demo

    @property
    def connected(self) -> bool:
        return self.client is not None

    @property
    def transport(self) -> TransportFactory | None:
        """What this session's clients are built on (tests' mocks): a session for another
        profile (a schema diff's) is built on the same."""
        return self._transport

    def use_key(self, key: SecretLike, source: KeySource) -> DixaClient | None:
        """Connect with ``key``; returns the previous client, which the caller closes.

        Raises ``ValueError`` (the key rule's sentence, never the key) for an unusable key."""
        from dixa_tui.secrets import check_key

        problem = check_key(key)
        if problem is not None:
            raise ValueError(problem)
        transport = self._transport() if self._transport is not None else None
        if transport is None and self.settings.demo:
            transport = demo_transport()
        from dixa_tui.api.secret import fingerprint

        old, self.client = self.client, open_client(self.profile, key, transport)
        self.key_source, self.key_problem = source, None
        self.key_fingerprint = fingerprint(key)
        return old

    def require_client(self, operation: str) -> DixaClient:
        if self.client is None:
            from dixa_tui.api.errors import DixaNotConnected

            raise DixaNotConnected(operation)
        return self.client

    def journal(self) -> Journal | None:
        """The journal every write is recorded in (opened on first use; None with
        ``--no-journal``). Raises ``JournalError``: then nothing may be sent."""
        if self.settings.no_journal:
            return None
        if self._journal is None:
            from dixa_tui.journal import Journal

            self._journal = Journal.open()
        return self._journal

    async def aclose(self) -> None:
        if self.client is not None:
            await self.client.aclose()
        if self._journal is not None:
            self._journal.close()
            self._journal = None

    async def __aenter__(self) -> Session:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # -- definitions ----------------------------------------------------------------------

    async def load_definitions(self, *, keep_as_sent: bool = False) -> DefinitionsRead:
        """Every definition of the organization (archived ones included); kept as
        :attr:`definitions` for the operations that check edits against them.
        ``keep_as_sent`` keeps each item as Dixa sent it too (for exports and snapshots)."""
        read = await self.require_client("list definitions").list_definitions(
            keep_as_sent=keep_as_sent)
        self.definitions = read
        return read

    async def fetch_definition_pages(self) -> list[bytes]:
        """The definitions list as Dixa sent it, undecoded (``api.rows`` paints it, and
        ``api.salvage.DefinitionsBuilder`` reads the models from it in steps: then
        :meth:`adopt_definitions`)."""
        return await self.require_client("list definitions").fetch_definitions()

    def adopt_definitions(self, read: DefinitionsRead) -> None:
        """Definitions read elsewhere (from :meth:`fetch_definition_pages`) are this
        session's list: edits are checked against them, no list is read again for that."""
        self.definitions = read

    async def list_rows(self) -> RowsRead | DefinitionsRead:
        """The definitions list as rows (``api.rows``: no pydantic, all a table needs) when
        every item of it is sure to read as a definition, so rows and models list the same
        ones; otherwise as the models read it (which says what cannot be read, and why)."""
        from dixa_tui.api.rows import checked_rows
        from dixa_tui.api.salvage import first_of_each_id, read_definitions_json

        pages = await self.require_client("list definitions").fetch_definitions()
        rows = checked_rows(pages)
        if rows is None:
            read = read_definitions_json(pages)
            self.definitions = read
            return read
        kept, skipped = first_of_each_id(list(enumerate(rows)), [])
        return RowsRead(kept, skipped)

    async def index(self) -> DefinitionIndex:
        """The definitions by id and identifier (loaded once per session)."""
        from dixa_tui.domain.patch import DefinitionIndex

        read = self.definitions or await self.load_definitions()
        return DefinitionIndex(read.definitions)

    async def get_definition(self, definition_id: str) -> CustomAttributeDefinition:
        return await self.require_client(f"get definition {definition_id}").get_definition(
            definition_id)

    # -- targets --------------------------------------------------------------------------

    async def find_end_users(self, lookup: Lookup,
                             limit: int | None = LOOKUP_LIMIT) -> list[EndUser]:
        """End users by email, phone or external id (Dixa's exact-match filters); none for a
        value no end user can hold (``domain.targets.unsendable``), which is not sent."""
        from dixa_tui.domain.targets import unsendable

        client = self.require_client(f"find end users by {lookup.kind}")
        if unsendable(lookup):
            return []
        if lookup.kind == "email":
            return await client.find_end_users(email=lookup.value, limit=limit)
        if lookup.kind == "phone":
            return await client.find_end_users(phone=lookup.value, limit=limit)
        if lookup.kind == "external_id":
            return await client.find_end_users(external_id=lookup.value, limit=limit)
        raise ValueError("an id is not looked up: read the end user instead")

    async def conversations_of(self, user_id: str) -> list[Conversation]:
        client = self.require_client(f"list conversations of end user {user_id}")
        return await client.list_end_user_conversations(user_id)

    async def read_target(self, target: Target) -> TargetState:
        """``target`` and its current values."""
        from dixa_tui.session.targets import read_target

        return await read_target(self.require_client(f"read {target.describe()}"), target)

    async def resolve_target(self, kind: str, ref: str) -> Target:
        """What a person typed -> one target: a conversation number, an end user's UUID, or
        an ``email:``/``phone:``/``ext:`` lookup (or a bare email or phone) that must find
        exactly one end user. Raises :class:`TargetNotFound` (nothing sent) otherwise."""
        from dixa_tui.domain.patch import Target, check_target
        from dixa_tui.domain.targets import NOUNS, no_match, reference, unsendable

        found = reference("conversation" if kind == "conversation" else "enduser", ref)
        if found.target is None and found.lookup is None:
            raise TargetNotFound("Give the end user as a UUID, or as email:ADDRESS, "
                                 "phone:NUMBER or ext:EXTERNAL_ID.")
        if found.target is not None:
            target = found.target
        else:
            assert found.lookup is not None
            lookup = found.lookup
            problem = unsendable(lookup)
            if problem:
                raise TargetNotFound(problem)
            users = await self.find_end_users(lookup, limit=LOOKUP_LIMIT)
            noun = NOUNS[lookup.kind]
            if not users:
                raise TargetNotFound(no_match(lookup))
            if len(users) > 1:
                from dixa_tui.session.targets import end_user_name

                shown = "\n".join(f"  {u.id}  {end_user_name(u)}" for u in users[:10])
                more = f"\n  … and {len(users) - 10} more" if len(users) > 10 else ""
                raise TargetNotFound(f"{len(users)} end users have {noun} "
                                     f"{lookup.value!r}; give one by UUID:\n{shown}{more}")
            return Target("enduser", users[0].id)
        problems = check_target(target)
        if problems:
            raise TargetNotFound(problems[0].message)
        return target

    # -- edits ----------------------------------------------------------------------------

    async def plan(self, target: Target, edits: Sequence[StagedEdit]) -> PatchPlan:
        """The PATCH body for ``edits`` on ``target``, or the problems that stop it (the
        domain's rules: the same in the CLI, the TUI and bulk runs)."""
        from dixa_tui.domain.patch import build_patch

        return build_patch(await self.index(), target, edits)

    def check_writable(self) -> None:
        """Raise ``ReadOnlyProfile`` when this profile may not write (``read_only = true``):
        front ends ask before they show a send; :meth:`send` refuses regardless."""
        from dixa_tui.session.writes import check_writable

        check_writable(self.profile)

    async def send(self, target: Target, body: Mapping[str, Any], *,
                   before: Mapping[str, Any], origin: Origin = "cli", batch: str | None = None,
                   undoes: str | None = None) -> Sent:
        """Send ``body`` to ``target``, journaled (``before``: the target's values as read
        before). Dixa's answer, or ``ReadOnlyProfile`` or ``JournalError`` (nothing sent), or
        the client's ``DixaError`` (whose hint says what became of the change; its outcome
        is journaled)."""
        from dixa_tui.session.writes import WriteContext, journaled_send

        self.check_writable()
        client = self.require_client(f"patch {target.describe()}")
        journal = await asyncio.to_thread(self.journal)  # SQLite, fsync: off the event loop
        context = WriteContext(self.profile, origin, batch, undoes)
        return await journaled_send(client, journal, context, await self.index(), target,
                                    body, before)

    # -- history --------------------------------------------------------------------------

    async def history(self, query: HistoryQuery) -> History:
        """Journal entries, newest first (no key or network needed; a journal not created
        yet is an empty history)."""
        import asyncio

        from dixa_tui.session.history import read_history

        return await asyncio.to_thread(read_history, query)


def demo_transport() -> httpx.AsyncBaseTransport:
    """The embedded demo organization, fresh, behind an in-process transport."""
    import httpx

    from dixa_tui.mock import MockState, create_app

    return httpx.ASGITransport(app=create_app(MockState.demo()))


__all__ = ["LOOKUP_LIMIT", "RowsRead", "Session", "TargetNotFound", "TransportFactory",
           "open_client"]
