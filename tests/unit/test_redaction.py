"""Redaction blanks a key where it appears as the key, and any run of 12 or more of its
characters anywhere, and nothing else: a short test key must not garble every message."""

from __future__ import annotations

import base64

import httpx
import pytest

from dixa_tui import debuglog
from dixa_tui.api.errors import blank

LONG = "sk_live_4f9a1c7e2b8d0e6f3a5c9b1d7e2f4a6c"  # 40 characters, like a real token


@pytest.fixture(autouse=True)
def own_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    """The keys these tests register (one letter, some) are forgotten afterwards: the
    registry is the process's, and other tests write those letters."""
    monkeypatch.setattr(debuglog, "_secrets", set())
    monkeypatch.setattr(debuglog, "_needles", None)


@pytest.mark.parametrize("key", ["x", "a", "Di", "ea"])
@pytest.mark.parametrize("text", [
    "could not connect to Dixa (connection refused or host unreachable)",
    "Dixa did not answer in time (read timeout)",
    "list definitions: HTTP 503: Service unavailable; trying again in 0.2 s",
])
def test_a_short_key_does_not_garble_ordinary_text(key: str, text: str) -> None:
    assert blank(text, key) == text
    debuglog.register_secret(key)
    assert debuglog.redact(text) == text


@pytest.mark.parametrize(("text", "shown"), [
    ("bad key x", "bad key [redacted]"),
    ("x", "[redacted]"),
    ("key=x&y=1", "key=[redacted]&y=1"),
    ("https://h.example/p/x?q=1", "https://h.example/p/[redacted]?q=1"),
    ("X-Echo: x", "X-Echo: [redacted]"),
    ('{"apiKey": "x"}', '{"apiKey": "[redacted]"}'),
    ("xx and x1 and ax stay", "xx and x1 and ax stay"),
])
def test_a_short_key_is_blanked_where_it_stands_as_the_key(text: str, shown: str) -> None:
    assert blank(text, "x") == shown
    debuglog.register_secret("x")
    assert debuglog.redact(text) == shown


@pytest.mark.parametrize("piece", [
    LONG[:-1],  # minus its last character
    LONG[1:],
    LONG[:12],
    LONG[10:22],
    LONG[-12:],
    LONG[::-1],  # reversed
    base64.b64encode(LONG.encode()).decode()[:20],  # a prefix of its base64
])
def test_a_run_of_twelve_characters_of_the_key_is_blanked_even_inside_words(piece: str) -> None:
    text = f"echo:abc{piece}def end"
    assert piece not in blank(text, LONG)
    assert "[redacted]" in blank(text, LONG) and blank(text, LONG).endswith(" end")
    debuglog.register_secret(LONG)
    assert piece not in debuglog.redact(text)


def test_eleven_characters_inside_a_word_are_not_the_key() -> None:
    text = f"word{LONG[3:14]}word"
    assert blank(text, LONG) == text


def test_the_whole_key_is_blanked_inside_a_word_too() -> None:
    assert blank(f"abc{LONG}def", LONG) == "abc[redacted]def"


def test_a_key_holding_surrogates_can_be_registered_and_blanked() -> None:
    key = "sk-bad\udcffkey-0123456789"
    debuglog.register_secret(key)
    assert debuglog.redact(f"saw {key} here") == "saw [redacted] here"
    assert blank(f"saw {key} here", key) == "saw [redacted] here"


async def test_a_client_with_a_one_letter_key_reports_failures_readably() -> None:
    from dixa_tui.api.client import DixaClient
    from dixa_tui.api.errors import DixaNetworkError
    from dixa_tui.api.ratelimit import RetryPolicy

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno 111] Connection refused", request=request)

    async with DixaClient("a", base_url="http://dixa.example", rate=0,
                          retry=RetryPolicy(max_attempts=1),
                          transport=httpx.MockTransport(refuse)) as client:
        with pytest.raises(DixaNetworkError) as info:
            await client.list_definitions()
    assert "[redacted]" not in str(info.value) and "connect" in str(info.value)


@pytest.mark.parametrize("line", [
    "HTTP Request: GET http://user:s3cret@127.0.0.1:8765/beta/custom-attributes",
    "connecting to https://s3cret@dev.dixa.io/beta",
    "base_url='http://u:s3cret@h'",
])
def test_credentials_in_a_url_never_reach_the_log(line: str) -> None:
    shown = debuglog.redact(line)
    assert "s3cret" not in shown and "[redacted]@" in shown


@pytest.mark.parametrize("echoed", [
    "\x1b[31m{k}\x1b[0m",  # coloured: the escape's last letter must not hide a word edge
    "{a}\x1b[0m{b}",  # split by an escape sequence the terminal never shows
    "{a}\u200b{b}",  # split by a zero-width space
    "{a}\x07{b}",  # split by a control character
    "\u202e{k}",
])
@pytest.mark.parametrize("key", ["demo-key", LONG])
def test_a_key_hidden_among_invisible_characters_is_still_blanked(echoed: str,
                                                                   key: str) -> None:
    from dixa_tui.text import clean

    text = "Busy " + echoed.format(k=key, a=key[:4], b=key[4:]) + " [b]"
    shown = clean(blank(text, key))
    assert key not in shown and key not in shown.replace("\ufffd", "")
    assert shown.startswith("Busy ") and shown.endswith(" [b]") and "[redacted]" in shown
    debuglog.register_secret(key)
    assert key not in clean(debuglog.redact(text)).replace("\ufffd", "")


def test_line_breaks_still_separate_words() -> None:
    assert blank("key x\nnext", "x") == "key [redacted]\nnext"
    assert blank("a\tx\tb", "x") == "a\t[redacted]\tb"
