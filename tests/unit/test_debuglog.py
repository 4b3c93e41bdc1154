"""The debug log: where it goes, what it holds, and that no form of a key gets into it."""

from __future__ import annotations

import base64
import json
import logging
import os
import stat
import sys
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest

from dixa_tui import debuglog

KEY = "sk_unit/SENTINEL+key=42"


@pytest.fixture
def key() -> str:
    debuglog.register_secret(KEY)
    return KEY


def forms(secret: str) -> list[str]:
    raw = secret.encode()
    return [secret, base64.b64encode(raw).decode(), base64.urlsafe_b64encode(raw).decode(),
            quote(secret, safe=""), quote_plus(secret), json.dumps(secret)[1:-1]]


def test_every_form_of_a_registered_key_is_redacted(key: str) -> None:
    for form in forms(key):
        text = debuglog.redact(f"before {form} after")
        assert text == "before [redacted] after", form


def test_authorization_header_values_are_redacted_even_unregistered() -> None:
    for line in ("Authorization: abc123unknown", "(b'authorization', b'abc123unknown')",
                 '{"Authorization": "abc123unknown"}', "authorization=abc123unknown"):
        assert "abc123unknown" not in debuglog.redact(line), line
    assert debuglog.redact("User is unauthorized to do that") == \
        "User is unauthorized to do that"


def test_a_short_key_is_redacted_as_a_whole_token() -> None:
    debuglog.register_secret("   ")  # blank: nothing to register
    debuglog.register_secret("k3y9Z")
    assert debuglog.redact("key k3y9Z is throttled, k3y9Zed stays") == \
        "key [redacted] is throttled, k3y9Zed stays"


def test_a_bearer_token_is_redacted_with_its_scheme() -> None:
    assert debuglog.redact("Authorization: Bearer abcdef123") == "Authorization: [redacted]"


def test_secretstr_is_accepted() -> None:
    from pydantic import SecretStr

    debuglog.register_secret(SecretStr("pydantic-secret-77"))
    assert debuglog.redact("x pydantic-secret-77 y") == "x [redacted] y"


def test_enable_writes_to_the_user_log_dir_readable_by_the_user_only(home: Path) -> None:
    path = debuglog.enable()
    assert path == Path(os.environ["XDG_STATE_HOME"]) / "dixa-tui" / "log" / "debug.log"
    logging.getLogger("httpx").info("HTTP Request: GET http://x")
    logging.getLogger("httpcore.http11").debug("receive_response_headers.complete")
    logging.getLogger("dixa_tui.api.client").debug("list definitions: GET")
    logging.getLogger("unrelated.library").warning("not ours")
    debuglog.disable()
    text = path.read_text()
    assert "debug log started" in text
    for line in ("HTTP Request: GET http://x", "receive_response_headers.complete",
                 "list definitions: GET"):
        assert line in text
    assert "not ours" not in text
    if sys.platform != "win32":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    logging.getLogger("dixa_tui").debug("after disable")
    assert "after disable" not in path.read_text()
    assert logging.getLogger("httpx").level == logging.NOTSET


def test_records_are_redacted_in_message_arguments_and_tracebacks(home: Path,
                                                                  key: str) -> None:
    path = debuglog.enable()
    log = logging.getLogger("dixa_tui.test")
    log.debug("header %s and %r", key, {"x-echo": key.encode()})
    log.debug("in the message itself: " + base64.b64encode(key.encode()).decode())
    try:
        raise RuntimeError(f"the server said {quote(key, safe='')}")
    except RuntimeError:
        log.exception("failed")
    log.debug("stack", stack_info=True)
    log.debug("%d broken format", "not a number")
    debuglog.disable()
    text = path.read_text()
    assert "Traceback (most recent call last)" in text and "RuntimeError" in text
    assert "broken format" in text  # an unformattable record is kept, not lost
    assert text.count("[redacted]") >= 4
    for form in forms(key):
        assert form not in text, form


def test_redaction_is_what_keeps_the_key_out(home: Path, key: str,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """The check above can fail: with redaction off, the key is there."""
    monkeypatch.setattr(debuglog, "redact", lambda text: text)
    path = debuglog.enable()
    logging.getLogger("dixa_tui").debug("header %s", key)
    debuglog.disable()
    assert key in path.read_text()


def test_unexpected_logs_the_traceback_when_on(home: Path, key: str) -> None:
    def deep() -> None:
        raise ValueError(f"boom {key}")

    try:
        deep()
    except ValueError as exc:
        off = debuglog.unexpected("a test", exc)
        path = debuglog.enable()
        on = debuglog.unexpected("a test", exc)
    debuglog.disable()
    assert off.startswith("unexpected ValueError: boom [redacted]") and "--debug" in off
    assert key not in off and key not in on
    assert str(path) in on
    text = path.read_text()
    assert "unexpected error in a test" in text and "in deep" in text
    assert key not in text


def test_wanted_reads_the_environment() -> None:
    assert debuglog.wanted({"DIXA_TUI_DEBUG": "1"})
    assert debuglog.wanted({"DIXA_TUI_DEBUG": " Yes "})
    assert not debuglog.wanted({"DIXA_TUI_DEBUG": "0"})
    assert not debuglog.wanted({})


def test_enable_twice_keeps_one_handler(home: Path) -> None:
    first = debuglog.enable()
    second = debuglog.enable()
    assert first == second
    logging.getLogger("dixa_tui").debug("once")
    debuglog.disable()
    assert first.read_text().count("once") == 1


def test_the_unexpected_line_carries_no_control_characters() -> None:
    line = debuglog.unexpected("a test", RuntimeError("label x\x1b]52;c;ZXZpbA==\x07y\nz"))
    assert "\x1b" not in line and "\x07" not in line and "\n" not in line
    assert line.startswith("unexpected RuntimeError: label x")


def test_escape_sequences_in_a_record_do_not_reach_the_file(home: Path) -> None:
    path = debuglog.enable()
    log = logging.getLogger("dixa_tui.test")
    log.warning("Dixa said %s", "\x1b]0;pwned\x07\x1b[2Jgone")
    try:
        raise RuntimeError("label \x1b]52;c;ZXZpbA==\x07 here")
    except RuntimeError:
        log.exception("failed")
    debuglog.disable()
    text = path.read_text()
    assert "\x1b" not in text and "\x07" not in text
    assert "Dixa said gone" in text and "label  here" in text
