"""The debug log: what dixa-tui and httpx did, and the tracebacks of unexpected errors.

Off unless asked for (``--debug`` or ``DIXA_TUI_DEBUG=1``); then records of the ``dixa_tui``,
``httpx``, ``httpcore``, ``keyring`` and ``asyncio`` loggers go, at DEBUG level, to
``debug.log`` in the platform's user log folder (``~/.local/state/dixa-tui/log`` on Linux),
readable by the user only. Without it nothing is written anywhere and unexpected errors are
reported in one line with a pointer to ``--debug``.

The API key must never reach the file, whatever a library logs (httpcore logs response
headers, which a hostile server may fill with the key) and whatever an exception says. So
every key dixa-tui meets is registered here (``register_secret``), and every record is
rendered, message, arguments, traceback and all, and redacted before it is written: the key
where it stands as the key, in any of its forms (``dixa_tui.redaction``), any run of 12 of
its characters anywhere, any ``Authorization`` header value and any credentials in a URL.
The formatter redacts its final text once more, in case a record reaches it some other way.

Only the standard library is imported: the TUI's first frame and the api layer use this.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from pathlib import Path
from typing import Any

from dixa_tui.redaction import REDACTED, Needles, secret_forms

__all__ = ["ENV_VAR", "REDACTED", "disable", "enable", "enabled", "log_path", "redact",
           "register_secret", "secret_forms", "unexpected"]

ENV_VAR = "DIXA_TUI_DEBUG"
LOGGERS = ("dixa_tui", "httpx", "httpcore", "keyring", "asyncio")
MAX_BYTES = 5_000_000
FORMAT = "%(asctime)s %(levelname)-7s %(name)s [%(threadName)s] %(message)s"
# An Authorization header's value, however it is quoted: `Authorization: x`,
# `(b'authorization', b'x')`, `"Authorization": "x"`.
# A scheme (`Bearer x`) is blanked with its token.
_AUTH_HEADER = re.compile(
    r"""(?i)(authorization['"]?\s*[:=,]\s*(?:b?['"])?)"""
    r"""((?:(?:bearer|basic|token)\s+)?[^'"\s,)\]}]+)""")
# The user name and password of a URL (``http://user:s3cret@host``): never logged.
_URL_CREDENTIALS = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s@'\"]+@")

_lock = threading.Lock()
_secrets: set[str] = set()
_needles: Needles | None = None
_handler: logging.Handler | None = None
_levels: dict[str, int] = {}

log = logging.getLogger("dixa_tui")
log.addHandler(logging.NullHandler())  # off: nothing, not Python's last-resort stderr line


def register_secret(secret: Any) -> None:
    """Never write ``secret`` (a str or a pydantic ``SecretStr``) to the log or show it in an
    unexpected error's message. Idempotent and cheap; every key dixa-tui meets goes here,
    whatever its length: a short key is blanked only where it stands as a word, so it does
    not garble the log."""
    value = secret.get_secret_value() if hasattr(secret, "get_secret_value") else secret
    if not isinstance(value, str) or not value.strip():
        return
    global _needles
    with _lock:
        if value in _secrets:
            return
        _secrets.add(value)
        _needles = Needles(_secrets)


def redact(text: str) -> str:
    """``text`` with every registered key (see ``dixa_tui.redaction``), any Authorization
    header value and any credentials in a URL replaced by ``[redacted]``."""
    needles = _needles
    if needles is not None:
        text = needles.blank(text)
    text = _URL_CREDENTIALS.sub(lambda m: m.group(1) + REDACTED + "@", text)
    return _AUTH_HEADER.sub(lambda m: m.group(1) + REDACTED, text)


def _safe(text: str) -> str:
    """Redacted, and without escape sequences: a hostile message quoted in the log must not
    replay on the terminal of whoever reads it with ``cat`` or ``tail``."""
    from dixa_tui.text import clean  # the standard library only

    return clean(redact(text), single_line=False)


class RedactingFilter(logging.Filter):
    """Renders a record's message and traceback, redacts and cleans them, and leaves nothing
    else."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not lose the record
            message = f"{record.msg!r} (unformattable arguments)"
        record.msg, record.args = _safe(message), None
        if record.exc_info:
            text = logging.Formatter().formatException(record.exc_info)
            record.exc_text, record.exc_info = _safe(text), None
        elif record.exc_text:
            record.exc_text = _safe(record.exc_text)
        if record.stack_info:
            record.stack_info = _safe(record.stack_info)
        return True


class RedactingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def _private_file_handler(path: Path) -> logging.Handler:
    """A rotating log whose files only the user can read (they hold organization data)."""
    import logging.handlers  # here: it pulls in socket and pickle, which the TUI needn't load

    class PrivateFileHandler(logging.handlers.RotatingFileHandler):
        def _open(self) -> Any:
            fd = os.open(self.baseFilename, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            os.chmod(self.baseFilename, 0o600)  # an older file may have had wider permissions
            return os.fdopen(fd, "a", encoding=self.encoding, errors=self.errors)

    return PrivateFileHandler(path, maxBytes=MAX_BYTES, backupCount=1, encoding="utf-8")


def log_path() -> Path:
    """Where the debug log goes: ``debug.log`` in the user log folder."""
    from platformdirs import user_log_path

    return user_log_path("dixa-tui", appauthor=False) / "debug.log"


def wanted(environ: dict[str, str] | None = None) -> bool:
    """Whether ``DIXA_TUI_DEBUG`` asks for the log (1, true, yes, on)."""
    value = (os.environ if environ is None else environ).get(ENV_VAR, "")
    return value.strip().lower() in {"1", "true", "yes", "on"}


def enable(path: Path | None = None) -> Path:
    """Start writing the debug log (again, if it was on); returns the file's path."""
    disable()
    target = path or log_path()
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    handler = _private_file_handler(target)
    handler.setLevel(logging.DEBUG)
    handler.addFilter(RedactingFilter())
    handler.setFormatter(RedactingFormatter(FORMAT))
    global _handler
    with _lock:
        _handler = handler
        for name in LOGGERS:
            logger = logging.getLogger(name)
            _levels[name] = logger.level
            logger.setLevel(logging.DEBUG)
            logger.addHandler(handler)
    from dixa_tui import __version__

    log.info("dixa-tui %s: debug log started", __version__)
    return target


def disable() -> None:
    """Stop writing the debug log and restore the loggers' levels."""
    global _handler
    with _lock:
        handler, _handler = _handler, None
        if handler is None:
            return
        for name in LOGGERS:
            logger = logging.getLogger(name)
            logger.removeHandler(handler)
            logger.setLevel(_levels.pop(name, logging.NOTSET))
    handler.close()


def enabled() -> bool:
    return _handler is not None


def current_path() -> Path | None:
    handler = _handler
    return Path(handler.baseFilename) if isinstance(handler, logging.FileHandler) else None


def unexpected(where: str, error: BaseException) -> str:
    """Log ``error`` with its traceback (when the log is on) and return the one line to show
    the user instead: what happened, redacted and cleaned of control characters (an error's
    text may quote a hostile label), and where the traceback is."""
    from dixa_tui.text import clean  # the standard library only

    summary = clean(redact(f"{type(error).__name__}: {error}"))
    summary = summary if len(summary) <= 300 else summary[:300] + "…"
    path = current_path()
    if path is not None:
        log.error("unexpected error in %s", where, exc_info=error)
        return f"unexpected {summary} (a bug in dixa-tui; the traceback is in {path})"
    return (f"unexpected {summary} (a bug in dixa-tui; run with --debug or {ENV_VAR}=1 to "
            "write the traceback to a log)")
