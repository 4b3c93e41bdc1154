"""Where dixa-tui keeps what it writes about an organization: the state directory.

The journal (and later, definition snapshots) hold organization data, so the directory is the
user's alone. ``state_dir`` only names it and ``ensure_private_dir`` creates it: naming a path
creates nothing, so a caller can look for an existing file before deciding to make one.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path

STATE_ENV = "DIXA_TUI_STATE"
STARTUP_CACHE_FOLDER = "start-up"  # session.startcache's files
_PLAIN = re.compile(r"[A-Za-z0-9_-]")
PRIVATE_DIR_MODE = 0o700


def state_dir(environ: Mapping[str, str] | None = None) -> Path:
    """``$DIXA_TUI_STATE`` if set (and not empty), else the platform's user state directory
    (``~/.local/state/dixa-tui`` on Linux). Not created here: see ``ensure_private_dir``."""
    env = os.environ if environ is None else environ
    if env.get(STATE_ENV):
        return Path(env[STATE_ENV]).expanduser()
    from platformdirs import user_state_path

    return user_state_path("dixa-tui", appauthor=False)


def ensure_private_dir(path: Path) -> Path:
    """Create ``path`` (and missing parents) if needed; returns it.

    A directory created here gets mode 0700 whatever the umask (``mkdir``'s mode is masked by
    it, so it is set again). An existing directory keeps its mode: ``DIXA_TUI_STATE`` may
    point at a folder the user shares on purpose, and changing its permissions would be a
    surprise. Raises ``OSError`` (permission denied, read-only file system, a file in the
    way): the caller turns it into its own message.
    """
    if path.is_dir():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        path.mkdir(mode=PRIVATE_DIR_MODE)
    except FileExistsError:
        if not path.is_dir():
            raise
        return path  # another process made it first
    os.chmod(path, PRIVATE_DIR_MODE)
    return path


def folder_name(profile: str) -> str:
    """``profile`` as one safe directory name (reversible: :func:`profile_name`)."""
    return "".join(ch if _PLAIN.fullmatch(ch) else
                   "".join(f"%{b:02X}" for b in ch.encode("utf-8", "surrogatepass"))
                   for ch in profile) or "%"


def profile_name(folder: str) -> str:
    from urllib.parse import unquote

    return "" if folder == "%" else unquote(folder, errors="surrogateescape")


def startup_cache_path(profile: str, root: Path | None = None) -> Path:
    """Where the start-up cache of ``profile`` is (``session.startcache``), in ``root``
    (default: ``<state dir>/start-up``). Named here, light, so a start can look for it
    before anything that reads it is imported."""
    return (root or state_dir() / STARTUP_CACHE_FOLDER) / f"{folder_name(profile)}.cache"
