"""One word means one thing everywhere: a moment for ``history --since`` is read as ``find``
reads it, and a target reference as ``patch``, ``get``, bulk files and the history read it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from dixa_tui.domain.bulk_rows import read_target
from dixa_tui.domain.dates import parse_moment
from dixa_tui.domain.history_filters import parse_since, parse_target
from dixa_tui.domain.patch import check_target
from dixa_tui.domain.targets import conversation_number, reference

NOW = datetime(2026, 3, 1, 12, 30, 45, tzinfo=UTC)
USER = "93b885ad-fe0d-3089-8df6-34904fd59f71"


@pytest.mark.parametrize("word", ["30s", "90 S", "12h", "7d", "2w", "now", "today",
                                  "yesterday", "2026-01-31", "2026-01-31T09:15",
                                  "2026-01-31 09:15", "2026-01-31 09:15:30",
                                  "2026-01-31T09:15+01:00"])
def test_history_since_reads_every_moment_find_reads(word: str) -> None:
    assert parse_since(word, NOW) == parse_moment(word, NOW).at


def test_seconds_and_a_space_before_the_time() -> None:
    assert parse_moment("30s", NOW).at == datetime(2026, 3, 1, 12, 30, 15, tzinfo=UTC)
    assert parse_moment("2026-01-31 09:15", NOW).at == datetime(2026, 1, 31, 9, 15,
                                                                tzinfo=UTC)
    assert parse_since("today", NOW) == datetime(2026, 3, 1, tzinfo=UTC)


@pytest.mark.parametrize("word", ["", "soon", "7x", "1234567d", "31/01/2026"])
def test_a_moment_neither_reads_is_refused_by_both(word: str) -> None:
    with pytest.raises(ValueError, match="--since"):
        parse_since(word, NOW)
    with pytest.raises(ValueError):
        parse_moment(word, NOW)


@pytest.mark.parametrize("text", ["10001", "#10001", "0010001", " # 10001 ", "#0010001"])
def test_a_conversation_number_reads_alike_everywhere(text: str) -> None:
    assert conversation_number(text) == "10001"
    named = reference("conversation", text).target
    assert named is not None and named.id == "10001" and not check_target(named)
    assert parse_target(text) == ("conversation", "10001")
    assert parse_target("conversation:" + text.strip()) == ("conversation", "10001")
    assert read_target("conversation", text).target_id == "10001"


@pytest.mark.parametrize("text", ["0", "-1", "1" * 5000, "99999999999999999999", "12a",
                                  "\uff11\uff12", "#"])
def test_what_is_not_a_conversation_number_is_refused_alike(text: str) -> None:
    assert conversation_number(text) is None
    named = reference("conversation", text).target
    assert named is not None and check_target(named)
    with pytest.raises(ValueError):
        parse_target("conversation:" + text)
    assert read_target("conversation", text).problem is not None


def test_an_end_user_by_uuid_reads_alike_and_lookups_stay_out_of_the_history() -> None:
    for text in (USER, USER.upper(), f"id:{USER}"):
        assert reference("enduser", text).target is not None
        assert parse_target(text) == ("enduser", USER)
        assert parse_target(f"enduser:{text}") == ("enduser", USER)
        assert read_target("enduser", text).target_id == USER
    with pytest.raises(ValueError, match="without asking Dixa"):
        parse_target("enduser:email:a@b.c")
