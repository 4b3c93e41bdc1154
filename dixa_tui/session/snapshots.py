"""Saved snapshots of a profile's definitions: what makes "the schema as it was on a day"
answerable (``profile:prod@2026-11-01``).

A profile with ``snapshots = true`` keeps a copy of every definitions list dixa-tui reads of
it (``definitions list``, ``export``, ``lint``, ``diff`` and the terminal UI's load) in the
state directory: ``snapshots/<profile>/<UTC time>.json``, each an export in Dixa's own shape
(``{"data": [...]}``, archived definitions included), readable by ``load_snapshot`` and
servable by ``mock serve --org``. A list identical to the newest snapshot is not saved again:
the newest one at or before a moment is then still the schema of that moment.

The files hold organization data: the directories are created 0700 and the files 0600
whatever the umask, written whole or not at all (a temporary file, then a rename). The
profile's name becomes a directory name with every character outside ``[A-Za-z0-9_-]``
%-escaped, so no name can climb out of the folder or collide with another.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING

from dixa_tui.files import PRIVATE, write_atomically
from dixa_tui.paths import ensure_private_dir, folder_name, profile_name, state_dir

if TYPE_CHECKING:
    from dixa_tui.api.models import CustomAttributeDefinition
    from dixa_tui.domain.schema_snapshot import SnapshotMeta

FOLDER = "snapshots"
_STAMP = "%Y%m%dT%H%M%S.%fZ"
_FILE = re.compile(r"^(\d{8}T\d{6}\.\d{6}Z)\.json$")


@dataclass(frozen=True)
class SavedSnapshot:
    """One snapshot file of ``profile``, taken at ``taken`` (UTC)."""

    profile: str
    path: Path
    taken: datetime

    def when(self) -> str:
        """``2026-11-01 08:30:12 UTC``: for people."""
        return self.taken.strftime("%Y-%m-%d %H:%M:%S UTC")

    def source_text(self) -> str:
        """The source that names exactly this snapshot: ``profile:NAME@<its moment>``."""
        moment = self.taken.isoformat(timespec="microseconds").replace("+00:00", "Z")
        return f"profile:{self.profile}@{moment}"


@dataclass(frozen=True)
class SnapshotSaved:
    """What saving did: ``snapshot`` is the new file, or (``new`` False) the newest one
    already holding exactly this list."""

    snapshot: SavedSnapshot
    new: bool

    def sentence(self) -> str:
        if self.new:
            return f"Snapshot saved: {self.snapshot.path}"
        return (f"Snapshot unchanged since {self.snapshot.when()} "
                f"({self.snapshot.path.name}): not saved again.")


def snapshots_root(environ: Mapping[str, str] | None = None) -> Path:
    """``<state dir>/snapshots`` (``DIXA_TUI_STATE`` moves the state dir). Not created."""
    return state_dir(environ) / FOLDER


def list_snapshots(profile: str, root: Path | None = None) -> list[SavedSnapshot]:
    """The snapshots of ``profile``, oldest first (none: ``[]``)."""
    folder = (root or snapshots_root()) / folder_name(profile)
    try:
        names = os.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return []
    found = []
    for name in names:
        match = _FILE.match(name)
        if match is None:
            continue
        try:
            taken = datetime.strptime(match.group(1), _STAMP).replace(tzinfo=UTC)
        except ValueError:
            continue
        found.append(SavedSnapshot(profile, folder / name, taken))
    return sorted(found, key=lambda s: s.taken)


def profiles_with_snapshots(root: Path | None = None) -> list[str]:
    """Every profile that has a snapshot folder, by name."""
    root = root or snapshots_root()
    try:
        folders = [entry for entry in os.scandir(root) if entry.is_dir()]
    except (FileNotFoundError, NotADirectoryError):
        return []
    return sorted(profile_name(entry.name) for entry in folders)


def as_utc(at: date | datetime) -> datetime:
    """A moment in UTC: a date is the end of that day (UTC), a naive time is UTC."""
    if isinstance(at, datetime):
        return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    return datetime.combine(at, time.max, tzinfo=UTC)


def snapshot_at(profile: str, at: date | datetime,
                root: Path | None = None) -> SavedSnapshot | None:
    """The newest snapshot of ``profile`` taken at or before ``at``; None if there is none."""
    moment = as_utc(at)
    chosen = None
    for snapshot in list_snapshots(profile, root):
        if snapshot.taken <= moment:
            chosen = snapshot
    return chosen


def save_snapshot(profile: str, data: bytes, *, now: datetime | None = None,
                  root: Path | None = None) -> SnapshotSaved:
    """Save ``data`` (an export's bytes) as the snapshot of ``profile`` taken ``now`` (UTC),
    unless the newest snapshot holds exactly these bytes. Raises ``OSError``."""
    existing = list_snapshots(profile, root)
    if existing:
        newest = existing[-1]
        try:
            if newest.path.read_bytes() == data:
                return SnapshotSaved(newest, new=False)
        except OSError:
            pass  # unreadable: save a new one beside it
    root = root or snapshots_root()
    ensure_private_dir(root.parent)
    ensure_private_dir(root)
    folder = ensure_private_dir(root / folder_name(profile))
    taken = (now or datetime.now(UTC)).astimezone(UTC)
    if existing and taken <= existing[-1].taken:  # a clock that went back: keep the order
        taken = existing[-1].taken  # (the next free microsecond after it)
    path = _free_path(folder, taken)
    write_atomically(path, data, mode=PRIVATE)
    return SnapshotSaved(SavedSnapshot(profile, path, _taken_of(path)), new=True)


def _free_path(folder: Path, taken: datetime) -> Path:
    """A file name for ``taken`` no snapshot has yet (a microsecond later if needed)."""
    from datetime import timedelta

    while True:
        path = folder / f"{taken.strftime(_STAMP)}.json"
        if not path.exists():
            return path
        taken += timedelta(microseconds=1)


def _taken_of(path: Path) -> datetime:
    match = _FILE.match(path.name)
    assert match is not None
    return datetime.strptime(match.group(1), _STAMP).replace(tzinfo=UTC)


def load_snapshot(path: str | Path) -> tuple[list[CustomAttributeDefinition], SnapshotMeta]:
    """The definitions of a snapshot file (``domain.schema_snapshot.parse_snapshot`` of its
    bytes). Raises ``OSError`` when it cannot be read (a folder, a device, more than a
    definitions list may be: ``inputfile``) and ``ValueError`` when it is not a snapshot."""
    from dixa_tui.api.constants import MAX_BODY_BYTES
    from dixa_tui.domain.schema_snapshot import parse_snapshot
    from dixa_tui.inputfile import read_input

    return parse_snapshot(read_input(path, MAX_BODY_BYTES), str(path))
