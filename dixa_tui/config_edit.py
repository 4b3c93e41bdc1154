"""Writing one saved query into the user's config file, and nothing else.

The file is the user's: their comments, order and spacing stay byte for byte. A query is
added as one line (``"name" = "text"``) after the last entry of the ``[queries]`` table (the
table is appended at the end of the file when there is none), or replaces the one line that
holds the same name there. Before anything is written, the new text is parsed and must read
back as the old file with exactly that one query changed; a layout this cannot edit that way
(``queries`` as an inline table or dotted keys, a name written over several lines) is
refused with a sentence saying how to add it by hand. The write is atomic (a temporary file
in the same folder, then a rename) and keeps the file's permissions (0600 for a new file).
"""

from __future__ import annotations

import json
import re
import stat
import tomllib
from pathlib import Path
from typing import Any

from dixa_tui.config import ConfigError, config_path
from dixa_tui.files import write_atomically

MAX_NAME = 64
_HEADER = re.compile(r"^[ \t]*\[[ \t]*queries[ \t]*\][ \t]*(#.*)?$")
_ANY_HEADER = re.compile(r"^[ \t]*\[")
_SURROGATE = re.compile("[\ud800-\udfff]")


def name_problem(name: str) -> str | None:
    """Why ``name`` cannot name a saved query, or None."""
    if not name.strip():
        return "a saved query needs a name"
    if len(name) > MAX_NAME:
        return f"a saved query's name is at most {MAX_NAME} characters"
    if name != name.strip() or not name.isprintable():
        return ("a saved query's name cannot start or end with spaces or hold control "
                "characters")
    return None


def toml_string(text: str) -> str:
    """``text`` as a TOML basic string: JSON's escapes are TOML's, and DEL, which JSON
    leaves raw and TOML does not allow, is escaped too."""
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def save_query(name: str, text: str, path: Path | None = None) -> str | None:
    """Save ``text`` under ``name`` in ``[queries]`` of the config file (default: the one
    in use); returns the text it replaced, or None when the name is new.

    Raises ``ConfigError`` (the file unreadable or not valid TOML, a layout that cannot be
    edited safely, a bad name) and writes nothing then."""
    problem = name_problem(name)
    if problem is not None:
        raise ConfigError(problem)
    if _SURROGATE.search(name + text):
        raise ConfigError("the query holds bytes that are not text (not UTF-8): it cannot "
                          "be saved")
    path = (path or config_path()).expanduser()
    before = _read(path)
    try:
        raw = tomllib.loads(before)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML ({exc}); fix it before saving a "
                          "query.") from None
    queries = raw.get("queries", {})
    if not isinstance(queries, dict):
        raise ConfigError(f"{path}: queries is not a table; make it [queries] first.")
    old = queries.get(name)
    line = f"{toml_string(name)} = {toml_string(text)}"
    after = _edited(before, name, line)
    if after is None or not _reads_as(after, raw, name, text):
        raise ConfigError(
            f"{path}: the [queries] table is written in a way this cannot change safely "
            f"(an inline table, dotted keys, or {name!r} over several lines). Add this line "
            f"under [queries] by hand:\n{line}")
    _write(path, after)
    return old if isinstance(old, str) else None


def _read(path: Path) -> str:
    try:
        info = path.stat()
    except FileNotFoundError:
        return ""
    except OSError as exc:
        raise ConfigError(f"Cannot read {path}: {exc.__class__.__name__}") from None
    if not stat.S_ISREG(info.st_mode):
        raise ConfigError(f"{path} is not a regular file: saving a query needs one.")
    try:
        return path.read_bytes().decode("utf-8")  # line endings as they are
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"Cannot read {path}: {exc.__class__.__name__}") from None


def _key_of(line: str) -> str | None:
    """The key a ``key = value`` line sets, when the line is one whole TOML entry."""
    try:
        parsed = tomllib.loads(line)
    except tomllib.TOMLDecodeError:
        return None
    if len(parsed) != 1:
        return None
    key, value = next(iter(parsed.items()))
    return key if isinstance(value, str) else None


def _edited(text: str, name: str, line: str) -> str | None:
    """``text`` with ``line`` in place of ``name``'s line under ``[queries]``, or right
    under the header, or a new table at the end; None when the table is not a header."""
    lines = text.splitlines(keepends=True)
    header = next((i for i, x in enumerate(lines) if _HEADER.match(x.rstrip("\r\n"))), None)
    if header is None:
        if re.search(r"(?m)^[ \t]*(\"?queries\"?)[ \t]*[.=]", text):
            return None  # queries = {...} or queries.x = "...": not ours to rewrite
        lead = "" if not text or text.endswith("\n") else "\n"
        gap = "\n" if text.strip() else ""
        return f"{text}{lead}{gap}[queries]\n{line}\n"
    newline = "\r\n" if lines[header].endswith("\r\n") else "\n"
    end = next((i for i in range(header + 1, len(lines)) if _ANY_HEADER.match(lines[i])),
               len(lines))
    last = header  # the table's last entry: a new one goes after it, in the user's order
    for i in range(header + 1, end):
        key = _key_of(lines[i])
        if key == name:
            lines[i] = line + newline
            return "".join(lines)
        if lines[i].strip() and not lines[i].lstrip().startswith("#"):
            last = i
    if not lines[last].endswith(("\n", "\r")):
        lines[last] += newline
    lines.insert(last + 1, line + newline)
    return "".join(lines)


def _reads_as(text: str, raw: dict[str, Any], name: str, value: str) -> bool:
    """Whether ``text`` parses to ``raw`` with only ``queries[name]`` set to ``value``."""
    try:
        parsed = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return False
    expected = dict(raw)
    expected["queries"] = {**raw.get("queries", {}), name: value}
    return parsed == expected


def _write(path: Path, text: str) -> None:
    """The config file replaced whole (``dixa_tui.files``: through a symlink, keeping its
    mode, ``0600`` when new); line endings as they are."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, text.encode("utf-8"))
    except OSError as exc:
        raise ConfigError(f"Cannot write {path}: {exc.strerror or exc}") from None
