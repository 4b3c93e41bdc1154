"""Saved snapshots: private files whatever the umask, the newest at or before a moment,
unchanged lists not saved twice, profile names that cannot escape their folder."""

from __future__ import annotations

import os
import stat
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from dixa_tui.session.snapshots import (
    as_utc,
    folder_name,
    list_snapshots,
    profile_name,
    profiles_with_snapshots,
    save_snapshot,
    snapshot_at,
)

DAY1 = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
DAY2 = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


@pytest.mark.parametrize("umask", [0, 0o022, 0o277])
def test_files_are_0600_and_folders_0700_whatever_the_umask(tmp_path: Path, umask: int):
    root = tmp_path / "state" / "snapshots"
    old = os.umask(umask)
    try:
        saved = save_snapshot("prod", b'{"data":[]}', now=DAY1, root=root)
    finally:
        os.umask(old)
    assert saved.new
    assert stat.S_IMODE(saved.snapshot.path.stat().st_mode) == 0o600
    for folder in (root.parent, root, saved.snapshot.path.parent):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    assert saved.snapshot.path.read_bytes() == b'{"data":[]}'
    assert [p.name for p in saved.snapshot.path.parent.iterdir()] == [
        "20261101T080000.000000Z.json"]  # no temporary file left behind


def test_the_newest_at_or_before_a_moment_is_picked(tmp_path: Path):
    save_snapshot("prod", b"1", now=DAY1, root=tmp_path)
    save_snapshot("prod", b"2", now=DAY2, root=tmp_path)

    def picked(at: date | datetime) -> bytes | None:
        found = snapshot_at("prod", at, tmp_path)
        return found.path.read_bytes() if found else None

    assert picked(date(2026, 10, 31)) is None
    assert picked(DAY1 - timedelta(microseconds=1)) is None
    assert picked(DAY1) == b"1"  # at the moment itself
    assert picked(date(2026, 11, 1)) == b"1"  # a day: up to its end (UTC)
    assert picked(datetime(2026, 11, 2, 9, 29)) == b"1"  # a naive time is UTC
    assert picked(datetime(2026, 11, 2, 11, 29, tzinfo=timezone(timedelta(hours=2)))) == b"1"
    assert picked(datetime(2026, 11, 2, 11, 30, tzinfo=timezone(timedelta(hours=2)))) == b"2"
    assert picked(date(2030, 1, 1)) == b"2"
    assert snapshot_at("sandbox", date(2030, 1, 1), tmp_path) is None


def test_a_day_ends_at_its_last_microsecond_in_utc():
    assert as_utc(date(2026, 11, 1)) == datetime(2026, 11, 1, 23, 59, 59, 999999, tzinfo=UTC)


def test_an_unchanged_list_is_not_saved_again(tmp_path: Path):
    first = save_snapshot("prod", b"same", now=DAY1, root=tmp_path)
    again = save_snapshot("prod", b"same", now=DAY2, root=tmp_path)
    assert not again.new and again.snapshot == first.snapshot
    assert "unchanged since 2026-11-01 08:00:00 UTC" in again.sentence()
    changed = save_snapshot("prod", b"other", now=DAY2, root=tmp_path)
    assert changed.new and len(list_snapshots("prod", tmp_path)) == 2


def test_a_clock_that_went_back_still_saves_after_the_newest(tmp_path: Path):
    save_snapshot("prod", b"1", now=DAY2, root=tmp_path)
    late = save_snapshot("prod", b"2", now=DAY1, root=tmp_path)
    assert late.snapshot.taken > DAY2
    assert [s.path.read_bytes() for s in list_snapshots("prod", tmp_path)] == [b"1", b"2"]
    twice = save_snapshot("prod", b"3", now=late.snapshot.taken, root=tmp_path)
    assert twice.snapshot.taken > late.snapshot.taken  # the same moment: the next one


def test_other_files_in_the_folder_are_ignored(tmp_path: Path):
    save_snapshot("prod", b"1", now=DAY1, root=tmp_path)
    folder = tmp_path / "prod"
    (folder / "notes.txt").write_text("x")
    (folder / ".20261102T000000.000000Z.json.1.tmp").write_text("partial")
    (folder / "20261399T000000.000000Z.json").write_text("not a date")
    assert [s.taken for s in list_snapshots("prod", tmp_path)] == [DAY1]


@pytest.mark.parametrize("name", ["prod", "../etc", "a/b", "a%2Fb", ".", "..", "",
                                  "sandbox ü", "emoji 🙂", "C:\\x", "%"])
def test_profile_names_make_safe_distinct_folders_and_come_back(name: str, tmp_path: Path):
    folder = folder_name(name)
    assert "/" not in folder and "\\" not in folder and folder not in (".", "..")
    assert profile_name(folder) == name
    save_snapshot(name, b"x", now=DAY1, root=tmp_path)
    assert [p.parent for p in tmp_path.rglob("*.json")] == [tmp_path / folder]
    assert profiles_with_snapshots(tmp_path) == [name]


def test_saved_snapshots_name_themselves_as_sources(tmp_path: Path):
    from dixa_tui.domain.schema_snapshot import ProfileSource, parse_source

    saved = save_snapshot("prod", b"1", now=DAY1.replace(microsecond=5), root=tmp_path)
    source = parse_source(saved.snapshot.source_text())
    assert isinstance(source, ProfileSource) and source.name == "prod"
    assert source.at is not None
    assert snapshot_at("prod", source.at, tmp_path) == saved.snapshot
