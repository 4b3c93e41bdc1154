"""Writing a file whole or not at all, privately, and durably: plans and their batch ids,
failures files, snapshots of definitions, the config file.

A reader (another dixa-tui, the next ``bulk apply`` resuming a run) must never see half a
file, and a file that a run depends on (the plan holding the batch id that resume finds its
journal entries by) must still be there after a power cut. So: the data goes into a new
temporary file beside the target, created exclusively (``O_EXCL``: a name planted in the
folder, a symlink included, is never written through) with a random name, given its mode
whatever the umask, synced, renamed over the target, and the folder synced so the rename
itself is on disk.

The mode: an existing file keeps its own (someone chose it); a new one gets ``0600``, since
everything written here holds organization data or settings. A symlink at the path is
followed, so a config file or a plan kept elsewhere (a dotfiles repository) stays linked and
its target is replaced. Standard library only: the session and the config use it.
"""

from __future__ import annotations

import os
import secrets
import stat
from contextlib import suppress
from pathlib import Path

PRIVATE = 0o600
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_TRIES = 8


def write_atomically(path: str | Path, data: bytes, *, mode: int | None = None) -> Path:
    """Replace the file at ``path`` (a symlink's target) with ``data``; the path written.

    ``mode`` None keeps an existing file's mode and gives a new one ``0600``; a number sets
    it either way. Raises ``OSError`` (nothing is left behind but what was there)."""
    target = _resolved(Path(path))
    if mode is None:
        try:
            mode = stat.S_IMODE(os.stat(target).st_mode)
        except FileNotFoundError:
            mode = PRIVATE
    temporary, fd = _create_beside(target, mode)
    try:
        with os.fdopen(fd, "wb") as out:
            os.fchmod(out.fileno(), mode)  # the umask may have taken bits away
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
    except BaseException:
        with suppress(OSError):
            temporary.unlink()
        raise
    _sync_folder(target.parent)
    return target


def _resolved(path: Path) -> Path:
    """``path``, or the file a symlink there points to (through any chain of links)."""
    return Path(os.path.realpath(path)) if path.is_symlink() else path


def _create_beside(target: Path, mode: int) -> tuple[Path, int]:
    """A new, empty temporary file in ``target``'s folder, opened for writing: never an
    existing name (``O_EXCL``), never through a link."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
    tries = 0
    while True:
        temporary = target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")
        try:
            return temporary, os.open(temporary, flags, mode)
        except FileExistsError:  # 48 random bits taken: something is wrong, after a few
            tries += 1
            if tries == _TRIES:
                raise


def _sync_folder(folder: Path) -> None:
    """Make the rename durable; a system that cannot open or sync a folder (Windows, some
    network filesystems) still has the file written whole."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        with suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)
