"""Reading schemas to export, lint and compare: a profile's organization live, a profile's
saved snapshot of a day, or a snapshot file.

:func:`list_definitions` is the whole list of the session's organization, saved as a
snapshot when the profile has ``snapshots = true`` (see ``session.snapshots``). A
:class:`SchemaReader` reads any :data:`~dixa_tui.domain.schema_snapshot.SchemaSource`:
``profile:NAME`` is read live, through the current session when it is the current profile
(global ``--base-url``/``--api-version`` apply to it alone) or through a session of its own
otherwise (that profile's settings and key, resolved as for ``--profile NAME``);
``profile:NAME@WHEN`` is the newest saved snapshot at or before ``WHEN`` (which one is said);
a path is a snapshot file, read with the client's salvage rules.

Everything that makes a source unusable (no such profile, no key for it, no snapshot that
early, a file that cannot be read or is not a snapshot) is a :class:`SchemaSourceError`:
nothing about Dixa failed, and the message says what to write instead.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from dixa_tui.api.errors import DixaError
from dixa_tui.domain.schema_snapshot import FileSource, ProfileSource, SchemaSource
from dixa_tui.session.settings import Settings

if TYPE_CHECKING:
    from dixa_tui.api.models import CustomAttributeDefinition
    from dixa_tui.api.salvage import DefinitionsRead, SkippedDefinition
    from dixa_tui.domain.schema_change import SchemaChange
    from dixa_tui.session.core import Session, TransportFactory
    from dixa_tui.session.snapshots import SavedSnapshot, SnapshotSaved

DEMO_PROFILE = "demo"
T = TypeVar("T")


class SchemaSourceError(DixaError):
    """A schema source cannot be read, for a reason that is not Dixa's (a usage error: the
    CLI exits 2). ``advice`` says what to do."""

    def __init__(self, source: str, message: str, advice: str) -> None:
        super().__init__(f"read {source}", message)
        self._advice = advice

    @property
    def advice(self) -> str:
        return self._advice


@dataclass(frozen=True)
class Listed:
    """The organization's whole list of definitions, and what saving its snapshot did:
    ``saved`` (None when the profile keeps no snapshots) or ``problem`` (why it could not be
    saved; the list itself was read)."""

    read: DefinitionsRead
    saved: SnapshotSaved | None = None
    problem: str | None = None

    def note(self) -> str | None:
        """A sentence about the snapshot, for stderr or a notification (None: nothing to say)."""
        if self.problem is not None:
            return f"Snapshot not saved: {self.problem}"
        return self.saved.sentence() if self.saved is not None else None


async def list_definitions(session: Session, *, keep_as_sent: bool = False) -> Listed:
    """Every definition, archived ones included, as :meth:`Session.load_definitions` reads
    them; with the profile's ``snapshots`` on, saved as a snapshot too. ``keep_as_sent``
    keeps Dixa's own items in the result (an export needs them; otherwise they are dropped
    once saved: they cost memory)."""
    from dixa_tui.api.salvage import DefinitionsRead

    save = session.profile.snapshots and not session.demo
    read = await session.load_definitions(keep_as_sent=keep_as_sent or save)
    if not save:
        return Listed(read)
    from dixa_tui.domain.schema_export import export_json
    from dixa_tui.session.snapshots import save_snapshot

    data = export_json(read.definitions, read.as_sent, include_archived=True)
    if not keep_as_sent:
        read = DefinitionsRead(read.definitions, read.skipped)
        session.definitions = read
    try:
        saved = await asyncio.to_thread(save_snapshot, session.profile.name, data)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        where = f" ({exc.filename})" if exc.filename else ""
        return Listed(read, problem=f"{reason}{where}")
    return Listed(read, saved)


def snapshot_of_pages(session: Session, pages: list[bytes], read: DefinitionsRead) -> Listed:
    """:func:`list_definitions` for a list read from its ``pages`` elsewhere (the terminal
    UI reads its models in steps): with the profile's ``snapshots`` on, the snapshot is
    saved from the pages' own items. Blocking (the file, the decoding): off the event loop."""
    if not session.profile.snapshots or session.demo:
        return Listed(read)
    from dixa_tui.api.salvage import items_of
    from dixa_tui.domain.schema_export import export_json
    from dixa_tui.session.snapshots import save_snapshot

    skipped = {s.index for s in read.skipped}
    as_sent = [item for i, item in enumerate(items_of(pages, "list definitions"))
               if i not in skipped]
    data = export_json(read.definitions, tuple(as_sent), include_archived=True)
    try:
        saved = save_snapshot(session.profile.name, data)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        where = f" ({exc.filename})" if exc.filename else ""
        return Listed(read, problem=f"{reason}{where}")
    return Listed(read, saved)


@dataclass(frozen=True)
class SchemaRead:
    """A schema as read: its ``source``, a ``name`` for people (which snapshot a dated
    source used), the readable ``definitions`` and the ``skipped`` items."""

    source: SchemaSource
    name: str
    definitions: list[CustomAttributeDefinition]
    skipped: tuple[SkippedDefinition, ...] = ()
    snapshot: SavedSnapshot | None = None  # the saved snapshot a profile:NAME@WHEN used
    listed: Listed | None = None  # a live read: what saving its snapshot did


@dataclass(frozen=True)
class SchemaComparison:
    """Schema A (before) against B (after): every change, each once, and the caveats of
    the matching (duplicate or empty identifiers)."""

    a: SchemaRead
    b: SchemaRead
    changes: list[SchemaChange] = field(default_factory=list)
    caveats: list[str] = field(default_factory=list)

    @property
    def equal(self) -> bool:
        return not self.changes


class SchemaReader:
    """Reads schema sources for one run; the sessions it opens for other profiles are
    closed by :meth:`aclose` (``async with``). ``current`` is the run's own session, when
    it has one (the TUI's); ``root`` is where saved snapshots are (the state dir's)."""

    def __init__(self, settings: Settings, current: Session | None = None, *,
                 transport: TransportFactory | None = None, root: Path | None = None) -> None:
        self.settings = settings
        self.current = current
        self.transport = transport if transport is not None else (
            current.transport if current is not None else None)
        self.root = root
        self._opened: dict[str, Session] = {}
        self._current_name: str | None = current.profile.name if current else None

    async def __aenter__(self) -> SchemaReader:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        opened, self._opened = list(self._opened.values()), {}
        for session in opened:
            if session is not self.current:
                await session.aclose()

    async def read(self, source: SchemaSource) -> SchemaRead:
        """``source``'s definitions. Raises :class:`SchemaSourceError`, or the client's
        ``DixaError`` for a live read that failed."""
        if isinstance(source, FileSource):
            return await asyncio.to_thread(self._read_file, source)
        if source.at is not None:
            return await asyncio.to_thread(self._read_saved, source)
        session = await self.session_for(source.name)
        listed = await list_definitions(session)
        return SchemaRead(source, f"{source.describe()} (live)", listed.read.definitions,
                          listed.read.skipped, listed=listed)

    async def compare(self, a: SchemaSource, b: SchemaSource) -> SchemaComparison:
        """A against B. Saved snapshots and files are read before live profiles (a live read
        may save a snapshot, which an ``@`` source of today must not pick up); two live
        profiles are read at the same time."""
        from dixa_tui.domain.schema_diff import diff_caveats, diff_schemas

        def stored(source: SchemaSource) -> bool:
            return isinstance(source, FileSource) or source.at is not None

        reads: dict[int, SchemaRead] = {}
        for i, source in enumerate((a, b)):
            if stored(source):
                reads[i] = await self.read(source)
        live = [(i, s) for i, s in enumerate((a, b)) if not stored(s)]
        if len(live) == 2 and a == b:  # one organization read once, not twice at once
            read = await self.read(a)
            reads.update({0: read, 1: read})
            live = []
        if live:
            done = await asyncio.gather(*(self.read(s) for _, s in live))
            reads.update({i: r for (i, _), r in zip(live, done, strict=True)})
        first, second = reads[0], reads[1]
        changes = await asyncio.to_thread(diff_schemas, first.definitions, second.definitions)
        caveats = diff_caveats(first.definitions, second.definitions)
        return SchemaComparison(first, second, changes, caveats)

    # -- sources --------------------------------------------------------------------------

    def _read_file(self, source: FileSource) -> SchemaRead:
        from dixa_tui.session.snapshots import load_snapshot

        name = source.describe()
        try:
            definitions, meta = load_snapshot(source.path)
        except OSError as exc:
            raise SchemaSourceError(name, f"cannot read the file: "
                                          f"{exc.strerror or type(exc).__name__}",
                                    "Check the path; a snapshot is what `dixa-tui definitions "
                                    "export` writes.") from None
        except ValueError as exc:
            raise SchemaSourceError(name, str(exc),
                                    "A snapshot is what `dixa-tui definitions export` writes: "
                                    'JSON {"data": [definitions]}, or a list of them.') from None
        return SchemaRead(source, name, definitions, meta.skipped)

    def _read_saved(self, source: ProfileSource) -> SchemaRead:
        from dixa_tui.session.snapshots import list_snapshots, load_snapshot, snapshot_at

        assert source.at is not None
        name = source.describe()
        chosen = snapshot_at(source.name, source.at, self.root)
        if chosen is None:
            saved = list_snapshots(source.name, self.root)
            if saved:
                why = (f"the first snapshot of profile {source.name!r} was taken "
                       f"{saved[0].when()}, after {source.at.isoformat()}")
                advice = f"Pick a later date (snapshots: {len(saved)}, the newest " \
                         f"{saved[-1].when()})."
            else:
                why = f"no snapshot of profile {source.name!r} has been saved"
                advice = (f"Add `snapshots = true` to [profiles.{source.name}] in the "
                          "config file: each `definitions list` then saves one.")
            raise SchemaSourceError(name, why, advice)
        try:
            definitions, meta = load_snapshot(chosen.path)
        except (OSError, ValueError) as exc:
            raise SchemaSourceError(name, f"the snapshot {chosen.path} cannot be read: {exc}",
                                    "Remove the damaged file or pick another date.") from None
        return SchemaRead(source, f"{name} (the snapshot of {chosen.when()})", definitions,
                          meta.skipped, snapshot=chosen)

    async def session_for(self, name: str) -> Session:
        """A connected session for profile ``name``: the current one for its own profile."""
        if name in self._opened:
            return self._opened[name]
        settings = self._settings_for(name)
        if self.current is not None and name == self._current:
            session = self.current
        else:
            session = await asyncio.to_thread(self._open, name, settings)
        if not session.connected:
            from dixa_tui.session.settings import missing_key_message

            raise SchemaSourceError(f"profile:{name}", "no usable API key",
                                    missing_key_message(session.profile, session.key_problem))
        self._opened[name] = session
        return session

    @property
    def _current(self) -> str:
        """The current profile's name (the default one's when none was asked for)."""
        if self._current_name is None:
            from dixa_tui.session.settings import load_profile

            self._current_name = self._config(lambda: load_profile(self.settings)[0].name,
                                              "profile")
        return self._current_name

    def _settings_for(self, name: str) -> Settings:
        if self.settings.demo:
            if name != DEMO_PROFILE:
                raise SchemaSourceError(f"profile:{name}", "with --demo the only profile is "
                                        "the demo organization",
                                        "Write profile:demo, or leave out --demo to read "
                                        "your profiles (snapshot files work either way).")
            return self.settings
        if name == self._current:
            return self.settings
        return Settings(profile_name=name, no_journal=self.settings.no_journal, env_key=False)

    def _open(self, name: str, settings: Settings) -> Session:
        from dixa_tui.session.core import Session

        return self._config(lambda: Session.open(settings, transport=self.transport),
                            f"profile:{name}")

    def _config(self, call: Callable[[], T], what: str) -> T:
        from dixa_tui.config import ConfigError

        try:
            return call()
        except (ConfigError, ValueError) as exc:
            raise SchemaSourceError(what, str(exc), "Fix the config file, or name another "
                                    "profile (profile:NAME).") from None



@dataclass(frozen=True)
class SourceChoice:
    """A source a person can pick: ``text`` in the CLI's syntax, ``title`` and ``note`` in
    words."""

    text: str
    title: str
    note: str = ""


def source_choices(session: Session, root: Path | None = None,
                   per_profile: int = 20) -> list[SourceChoice]:
    """What can be compared from here: the session's profile live, every other profile of
    the config file live, and the saved snapshots (newest first, ``per_profile`` each).
    Reads the config file and the state dir (run it off the event loop)."""
    from dixa_tui.session.snapshots import list_snapshots, profiles_with_snapshots

    current = session.profile.name
    choices = [SourceChoice(f"profile:{current}", f"This profile, live: {current}",
                            "what Dixa holds now")]
    if not session.demo:
        from dixa_tui.config import ConfigError, load_config

        try:
            names = sorted(load_config().profiles)
        except ConfigError:
            names = []
        choices += [SourceChoice(f"profile:{name}", f"Profile {name}, live",
                                 "read with that profile's own key")
                    for name in names if name != current]
    names = profiles_with_snapshots(root)
    for name in sorted(names, key=lambda n: (n != current, n)):
        saved = list_snapshots(name, root)
        for snapshot in reversed(saved[-per_profile:]):
            choices.append(SourceChoice(snapshot.source_text(), f"Snapshot of {name}",
                                        f"saved {snapshot.when()}"))
    return choices


async def choices(session: Session, root: Path | None = None) -> list[SourceChoice]:
    """:func:`source_choices`, read off the event loop (the config file, the state dir)."""
    return await asyncio.to_thread(source_choices, session, root)


async def compare_sources(session: Session, a: SchemaSource, b: SchemaSource, *,
                          root: Path | None = None) -> SchemaComparison:
    """A against B from a front end that holds ``session`` (its profile is read through it;
    sessions opened for other profiles are closed before this returns)."""
    async with SchemaReader(session.settings, session, root=root) as reader:
        return await reader.compare(a, b)
