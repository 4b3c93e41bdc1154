"""The start-up cache: the last definitions list of each profile, shown at once on the next
start while the list is read again.

One file per profile, overwritten after every fresh read of the list in the terminal UI:
``<state dir>/start-up/<profile>.cache``. Its first line is a JSON header (which organization,
when, and a compact row per definition: what the list paints); the pages of the list follow,
exactly as Dixa sent them (what the models are read from, and what the next fresh read is
compared with). A start reads only the header before painting.

Definitions are organization metadata (attribute names, option labels), not end users' data;
still the file is the user's alone: 0600 in a 0700 directory, written whole or not at all.
It is not the schema snapshots of ``session.snapshots`` (opt-in, one file per read, kept for
diffs): this is one file per profile, on by default, for speed; ``--no-cache`` or a profile's
``startup_cache = false`` turn it off, and remove the profile's file (``forget_if_off``).

The header names the key the list was read with by its fingerprint (``api.secret.fingerprint``:
an HMAC of a fixed label keyed by the key, never the key): a cache is shown only to a start
that uses the same key, so another organization's key (``DIXA_API_KEY``, a key stored since)
never shows this organization's list.

Reading never raises: a missing, foreign, truncated or corrupt file is no cache.
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import msgspec

from dixa_tui.api.rows import DefinitionFields
from dixa_tui.files import PRIVATE, write_atomically
from dixa_tui.paths import ensure_private_dir, startup_cache_path

if TYPE_CHECKING:
    from dixa_tui.api.salvage import DefinitionsRead
    from dixa_tui.session.core import Session

FORMAT = "dixa-tui start-up cache"
VERSION = 2  # 2: the key's fingerprint
HEADER_LIMIT = 64 * 1024 * 1024  # bytes of header read at most: 50,000 rows take 7 MB


class CachedRow(msgspec.Struct, array_like=True, gc=False):
    """A definition as a list row shows it, kept as a short JSON array."""

    id: str
    entity_type: str
    identifier: str
    label: str
    input_type: str
    is_required: bool
    is_archived: bool
    is_deactivated: bool


class _Header(msgspec.Struct):
    format: str
    version: int
    profile: str
    base_url: str
    api_version: str
    key: str  # the fingerprint of the key the list was read with (never the key)
    saved_at: str  # ISO 8601, UTC
    pages: list[int]  # the byte length of each page after the header line
    rows: list[CachedRow]


_decoder: msgspec.json.Decoder[_Header] = msgspec.json.Decoder(_Header)
_encoder = msgspec.json.Encoder()


@dataclass(frozen=True)
class Cached:
    """A profile's cached list: its rows now, its pages on demand. ``saved_at`` is None for
    a list packaged with dixa-tui (the demo's), which has no age."""

    path: Path
    saved_at: datetime | None
    rows: Sequence[DefinitionFields]
    offset: int  # where the pages start in the file
    page_sizes: tuple[int, ...]
    key: str | None = None  # the fingerprint of the key it was read with (None: packaged)

    def pages(self) -> list[bytes] | None:
        """The list's pages as Dixa sent them; None when the file changed or went away."""
        try:
            with self.path.open("rb") as file:
                file.seek(self.offset)
                pages = [file.read(size) for size in self.page_sizes]
        except OSError:
            return None
        if any(len(page) != size for page, size in zip(pages, self.page_sizes, strict=True)):
            return None
        return pages

    def age(self, now: datetime | None = None) -> str:
        """How old the list is, for people: ``just now``, ``4 min``, ``3 h``, ``2 days``."""
        if self.saved_at is None:
            return "just now"
        seconds = max(0.0, ((now or datetime.now(UTC)) - self.saved_at).total_seconds())
        for unit, size in (("day", 86400), ("h", 3600), ("min", 60)):
            if seconds >= size:
                count = int(seconds // size)
                return f"{count} {unit}{'s' if unit == 'day' and count != 1 else ''}"
        return "just now"  # under a minute


def load(profile: str, base_url: str, api_version: str, key: str, *,
         root: Path | None = None) -> Cached | None:
    """The cached list of ``profile`` when it was read from the same organization (base URL
    and API version) with the same key (``key``: its fingerprint); None otherwise, and for
    any file that is not a whole cache."""
    path = startup_cache_path(profile, root)
    try:
        with path.open("rb") as file:
            line = file.readline(HEADER_LIMIT)
            size = os.fstat(file.fileno()).st_size
    except OSError:
        return None
    try:
        header = _decoder.decode(line)
        saved_at = datetime.fromisoformat(header.saved_at)
    except (msgspec.DecodeError, ValueError):
        return None
    if (header.format, header.version, header.profile, header.base_url,
            header.api_version) != (FORMAT, VERSION, profile, base_url, api_version):
        return None
    if not hmac.compare_digest(header.key.encode("utf-8", "surrogatepass"), key.encode("ascii")):
        return None  # read with another key: maybe another organization's list
    if not line.endswith(b"\n") or len(line) + sum(header.pages) != size:
        return None  # cut short, or written by something else
    if saved_at.tzinfo is None:
        saved_at = saved_at.replace(tzinfo=UTC)
    return Cached(path, saved_at, header.rows, len(line), tuple(header.pages), header.key)


def packaged(path: str) -> Cached | None:
    """A list packaged with dixa-tui (one page, as Dixa's list format), as a cache."""
    from dixa_tui.api.rows import decode_rows
    from dixa_tui.api.salvage import first_of_each_id

    try:
        with open(path, "rb") as file:
            body = file.read()
    except OSError:
        return None
    rows = decode_rows([body])
    if rows is None:
        return None
    kept, _ = first_of_each_id(list(enumerate(rows)), [])
    return Cached(Path(path), None, kept, 0, (len(body),))


def save(profile: str, base_url: str, api_version: str, key: str, pages: Sequence[bytes],
         definitions: Sequence[DefinitionFields], *, now: datetime | None = None,
         root: Path | None = None) -> Path:
    """Keep ``pages`` (the list as Dixa sent it, with the key of fingerprint ``key``) and the
    rows of ``definitions`` (what was read of it) as the cache of ``profile``, replacing the
    previous one. Raises ``OSError``."""
    rows = [CachedRow(d.id, d.entity_type, d.identifier, d.label, d.input_type,
                      d.is_required, d.is_archived, d.is_deactivated) for d in definitions]
    header = _Header(FORMAT, VERSION, profile, base_url, api_version, key,
                     (now or datetime.now(UTC)).astimezone(UTC).isoformat(),
                     [len(page) for page in pages], rows)
    path = startup_cache_path(profile, root)
    ensure_private_dir(path.parent.parent)
    ensure_private_dir(path.parent)
    write_atomically(path, b"".join([_encoder.encode(header), b"\n", *pages]), mode=PRIVATE)
    return path


def keep(session: Session, pages: Sequence[bytes], read: DefinitionsRead) -> str | None:
    """After a fresh read of the list (``pages``, read into ``read``): the profile's start-up
    cache (unless turned off: ``--no-cache``, ``startup_cache = false``, the demo) and its
    snapshot (with ``snapshots = true``: ``session.schema.snapshot_of_pages``). Returns why
    the snapshot could not be saved (a cache that cannot be written is only logged: it is
    a bonus). Blocking: off the event loop."""
    from dixa_tui.session.schema import snapshot_of_pages

    profile = session.profile
    key = session.key_fingerprint
    if not turned_off(session) and key is not None:
        try:
            save(profile.name, profile.base_url, profile.api_version, key, pages,
                 read.definitions)
        except OSError as exc:
            from dixa_tui import debuglog

            debuglog.log.warning("start-up cache not saved: %s", exc)
    return snapshot_of_pages(session, list(pages), read).problem


def turned_off(session: Session) -> bool:
    """Whether the session's profile keeps no cache: ``--no-cache``, ``startup_cache =
    false``, or the demo (whose list is packaged)."""
    return session.demo or session.settings.no_cache or not session.profile.startup_cache


def forget(profile: str, *, root: Path | None = None) -> bool:
    """Remove the cache of ``profile``; True when there was one. Raises ``OSError`` for one
    that cannot be removed."""
    try:
        startup_cache_path(profile, root).unlink()
    except FileNotFoundError:
        return False
    return True


def forget_if_off(session: Session) -> None:
    """Where the cache is turned off for the session's profile (not for the demo), remove
    the one a start before kept: turned off is forgotten, not kept stale. Blocking: off the
    event loop; a file that cannot be removed is only logged."""
    if session.demo or not turned_off(session):
        return
    try:
        forget(session.profile.name)
    except OSError as exc:
        from dixa_tui import debuglog

        debuglog.log.warning("start-up cache not removed: %s", exc)


@dataclass(frozen=True)
class Changes:
    """How a list read again differs from the one shown before it, by definition id:
    labels of the ``added``, ``removed`` and ``changed`` definitions (any byte of their
    item differs: a label, a flag, an option...)."""

    added: list[str]
    removed: list[str]
    changed: list[str]

    def sentence(self, age: str | None) -> str:
        """One line for people; ``age`` is the shown list's (``4 min``; None: packaged)."""
        from dixa_tui.text import plural

        parts = []
        for names, how in ((self.added, "added"), (self.removed, "removed"),
                           (self.changed, "changed")):
            if names:
                shown = ", ".join(names[:3]) + (", …" if len(names) > 3 else "")
                parts.append(f"{plural(len(names), 'definition')} {how} ({shown})")
        when = ("" if age is None else " (saved just now)" if age == "just now"
                else f" (saved {age} ago)")
        return f"The definitions changed since the list shown{when}: {'; '.join(parts)}."


def changes(before: Sequence[bytes], after: Sequence[bytes]) -> Changes | None:
    """What differs between two reads of a list (pages as Dixa sent them): None when they
    are the same, or when either cannot be read as rows (then nothing is said)."""
    if list(before) == list(after):
        return None
    from dixa_tui.api.rows import decode_rows, raw_items

    old_rows, new_rows = decode_rows(before), decode_rows(after)
    old_items, new_items = raw_items(before), raw_items(after)
    if old_rows is None or new_rows is None or old_items is None or new_items is None:
        return None
    old = {r.id: (r.label, item) for r, item in zip(old_rows, old_items, strict=True)}
    new = {r.id: (r.label, item) for r, item in zip(new_rows, new_items, strict=True)}
    decode = msgspec.json.decode  # items written differently (spacing, key order) are equal
    found = Changes([new[i][0] for i in new if i not in old],
                    [old[i][0] for i in old if i not in new],
                    [new[i][0] for i in new if i in old and old[i][1] != new[i][1]
                     and decode(old[i][1]) != decode(new[i][1])])
    return found if found.added or found.removed or found.changed else None
