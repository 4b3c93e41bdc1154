"""``JournalError``: why the journal cannot be used, and what the user can do about it.

A write that cannot be recorded is not sent, so this message is what stands between the
user and their edit: it names what failed, the file, and the ways forward. SQLite's own text
("unable to open database file") says none of that; its error name is kept in brackets for
whoever debugs it.
"""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path
from typing import Literal

Reason = Literal["permission", "disk-full", "locked", "corrupt", "newer-version", "io"]

WAYS_OUT = ("point DIXA_TUI_STATE at another directory, or run with --no-journal to go on "
            "without a record of the change")


class JournalError(Exception):
    """The journal cannot be opened, written or read; ``str()`` is the whole message.

    ``reason`` lets a caller branch without parsing text: ``permission`` (read-only directory
    or file), ``disk-full``, ``locked`` (another process held it past the busy timeout),
    ``corrupt`` (damaged, or not a journal), ``newer-version`` (written by a newer dixa-tui),
    ``io`` (anything else the file system reported). ``path`` is the database file.
    """

    def __init__(self, message: str, *, path: Path, reason: Reason) -> None:
        super().__init__(message)
        self.path = path
        self.reason = reason


_SQLITE_REASONS: dict[int, Reason] = {
    sqlite3.SQLITE_PERM: "permission",
    sqlite3.SQLITE_READONLY: "permission",
    sqlite3.SQLITE_CANTOPEN: "permission",
    sqlite3.SQLITE_AUTH: "permission",
    sqlite3.SQLITE_FULL: "disk-full",
    sqlite3.SQLITE_BUSY: "locked",
    sqlite3.SQLITE_LOCKED: "locked",
    sqlite3.SQLITE_CORRUPT: "corrupt",
    sqlite3.SQLITE_NOTADB: "corrupt",
}
_ERRNO_REASONS: dict[int, Reason] = {
    errno.EACCES: "permission",
    errno.EPERM: "permission",
    errno.EROFS: "permission",
    errno.ENOSPC: "disk-full",
    errno.EDQUOT: "disk-full",
}


def _problem(reason: Reason, timeout: float) -> tuple[str, str]:
    """(what is wrong, what to do first) for ``reason``."""
    if reason == "permission":
        return ("the directory or the file is not writable by you",
                "Fix the permissions (the directory needs to be yours and writable), ")
    if reason == "disk-full":
        return "the disk is full", "Free some disk space, "
    if reason == "locked":
        return (f"another process has kept the journal locked for more than {timeout:g} s",
                "Wait for the other dixa-tui to finish and try again, ")
    if reason == "corrupt":
        return ("the file is damaged or is not a dixa-tui journal",
                "Move the file aside (keep it: it is the only record of past changes) so a "
                "new journal is started, ")
    return "the file system reported an error", "Check the disk, "


def journal_error(exc: BaseException, path: Path, doing: str,
                  timeout: float = 5.0) -> JournalError:
    """``exc`` (an ``sqlite3.Error`` or ``OSError``) met while ``doing`` (``"record the change
    before sending it"``) as a ``JournalError`` with a message a person can act on."""
    if isinstance(exc, JournalError):
        return exc
    reason: Reason = "io"
    detail = type(exc).__name__
    if isinstance(exc, sqlite3.Error):
        code = getattr(exc, "sqlite_errorcode", None)
        name = getattr(exc, "sqlite_errorname", None)
        if isinstance(code, int):
            reason = _SQLITE_REASONS.get(code & 0xFF, "io")
        detail = f"sqlite: {name}" if name else f"sqlite: {type(exc).__name__}"
    elif isinstance(exc, OSError) and exc.errno is not None:
        reason = _ERRNO_REASONS.get(exc.errno, "io")
        detail = errno.errorcode.get(exc.errno, str(exc.errno))
    problem, first = _problem(reason, timeout)
    return JournalError(f"Cannot {doing}: {problem} [{detail}]. Journal: {path}. "
                        f"{first}{WAYS_OUT}.", path=path, reason=reason)


def newer_version_error(path: Path, found: int, known: int) -> JournalError:
    return JournalError(
        f"Cannot open the journal: it was written by a newer dixa-tui (schema version {found}; "
        f"this one knows up to {known}). Journal: {path}. Upgrade dixa-tui, or {WAYS_OUT}.",
        path=path, reason="newer-version")
