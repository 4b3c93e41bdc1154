"""Untrusted text never breaks printing (lone surrogates, undecodable bytes) and never floods
a screen (a 50 MB server message becomes an excerpt that says how much was left out)."""

from __future__ import annotations

import io

import pytest

from dixa_tui import text


@pytest.mark.parametrize("raw", ["\ud800", "label \udcff end", "a\udfffb\ud83d",
                                 "ok\udcff\n\x1b[31mred"])
@pytest.mark.parametrize("single_line", [True, False])
def test_lone_surrogates_become_replacement_characters(raw: str, single_line: bool) -> None:
    shown = text.clean(raw, single_line=single_line)
    assert not any(0xD800 <= ord(ch) <= 0xDFFF for ch in shown)
    assert "\ufffd" in shown
    shown.encode("utf-8")  # what a terminal or a pipe does with it: must not raise


def test_a_raw_byte_from_the_command_line_prints() -> None:
    """``\\xff`` in an argument reaches Python as the surrogate escape ``\\udcff``."""
    value = b"caf\xff".decode("utf-8", "surrogateescape")
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    print(text.clean(value), file=out)
    out.flush()
    assert text.clean(value) == "caf\ufffd"


def test_a_valid_pair_and_printable_text_are_kept() -> None:
    assert text.clean("😀 שלום e\u0301") == "😀 שלום e\u0301"


def test_excerpt_keeps_short_text_and_says_how_much_is_cut() -> None:
    assert text.excerpt("short", 10) == "short"
    assert text.excerpt("x" * 10, 10) == "x" * 10
    cut = text.excerpt("y" * 50_000_000, 300)
    assert cut.startswith("y" * 200) and cut.endswith("… (49,999,700 more characters)")
    assert len(cut) < 340


def test_printing_a_cleaned_surrogate_to_a_strict_stream_does_not_raise() -> None:
    stream = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="strict")
    print(text.clean("\ud800"), file=stream)
    stream.flush()
