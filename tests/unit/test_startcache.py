"""The start-up cache: one private file per profile, read back whole or not at all, only for
the organization it was read from; what changed between two reads; the demo's packaged list.
"""

from __future__ import annotations

import json
import os
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from dixa_tui.api.rows import decode_rows
from dixa_tui.api.secret import Secret, fingerprint
from dixa_tui.mock import MockState
from dixa_tui.mock.handlers import listing_body
from dixa_tui.session import startcache
from dixa_tui.session.early import DEMO_LISTING

URL, VERSION = "https://dev.dixa.io", "beta"
KEY = fingerprint(Secret("key-of-organization-a"))
FIELDS = ("id", "entity_type", "identifier", "label", "input_type", "is_required",
          "is_archived", "is_deactivated")


def page(definitions: list) -> bytes:
    return json.dumps({"data": [d.to_dixa() for d in definitions]}).encode()


def shown(row: object) -> tuple[object, ...]:
    return tuple(getattr(row, name) for name in FIELDS)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return tmp_path / "state" / "start-up"


def test_a_saved_list_reads_back_whole_and_private(root: Path) -> None:
    definitions = MockState.demo().definitions
    pages = [page(definitions[:20]), page(definitions[20:])]
    saved_at = datetime(2026, 11, 1, 8, 30, tzinfo=UTC)
    path = startcache.save("prod", URL, VERSION, KEY, pages, definitions, now=saved_at, root=root)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(root.stat().st_mode) == 0o700
    cached = startcache.load("prod", URL, VERSION, KEY, root=root)
    assert cached is not None
    assert [shown(r) for r in cached.rows] == [shown(d) for d in definitions]
    assert cached.pages() == pages
    assert cached.saved_at == saved_at
    assert cached.age(saved_at + timedelta(minutes=4, seconds=50)) == "4 min"
    assert cached.age(saved_at + timedelta(days=2)) == "2 days"
    assert cached.age(saved_at + timedelta(seconds=5)) == "just now"


def test_another_organization_or_profile_finds_no_cache(root: Path) -> None:
    definitions = MockState.demo().definitions
    startcache.save("prod", URL, VERSION, KEY, [page(definitions)], definitions, root=root)
    assert startcache.load("prod", "https://other.example", VERSION, KEY, root=root) is None
    assert startcache.load("prod", URL, "v1", KEY, root=root) is None
    assert startcache.load("sandbox", URL, VERSION, KEY, root=root) is None
    assert startcache.load("prod", URL, VERSION, KEY, root=root) is not None


def test_a_list_read_with_another_key_is_not_shown(root: Path) -> None:
    """Key A's organization's list is never shown to a start with key B (DIXA_API_KEY set to
    another organization's key, or another key stored since)."""
    definitions = MockState.demo().definitions
    startcache.save("prod", URL, VERSION, KEY, [page(definitions)], definitions, root=root)
    other = fingerprint(Secret("key-of-organization-b"))
    assert other != KEY
    assert startcache.load("prod", URL, VERSION, other, root=root) is None
    cached = startcache.load("prod", URL, VERSION, KEY, root=root)
    assert cached is not None and cached.key == KEY


def test_the_file_never_holds_the_key(root: Path) -> None:
    key = "sk-live-0123456789abcdef-organization-a"
    definitions = MockState.demo().definitions
    path = startcache.save("prod", URL, VERSION, fingerprint(Secret(key)),
                           [page(definitions)], definitions, root=root)
    data = path.read_bytes()
    assert key.encode() not in data
    assert key[:12].encode() not in data and key[-12:].encode() not in data
    import hashlib

    assert hashlib.sha256(key.encode()).hexdigest()[:16].encode() not in data  # not a hash
    assert fingerprint(Secret(key)).encode() in data
    assert len(fingerprint(Secret(key))) == 16


@pytest.mark.parametrize("damage", ["cut", "garbage", "empty", "other format"])
def test_a_damaged_file_is_no_cache(root: Path, damage: str) -> None:
    definitions = MockState.demo().definitions
    path = startcache.save("prod", URL, VERSION, KEY, [page(definitions)], definitions, root=root)
    data = path.read_bytes()
    if damage == "cut":
        path.write_bytes(data[:-10])
    elif damage == "garbage":
        path.write_bytes(b"\x00\xff" * 100)
    elif damage == "empty":
        path.write_bytes(b"")
    else:
        path.write_bytes(data.replace(startcache.FORMAT.encode(), b"something else", 1))
    assert startcache.load("prod", URL, VERSION, KEY, root=root) is None


def test_a_profile_name_cannot_climb_out_of_the_folder(root: Path) -> None:
    definitions = MockState.demo().definitions
    path = startcache.save("../../etc/x", URL, VERSION, KEY, [page(definitions)], definitions,
                           root=root)
    assert path.parent == root
    assert startcache.load("../../etc/x", URL, VERSION, KEY, root=root) is not None
    assert startcache.forget("../../etc/x", root=root) and not path.exists()
    assert not startcache.forget("../../etc/x", root=root)


def test_changes_name_what_was_added_removed_and_changed() -> None:
    definitions = MockState.demo().definitions
    before = [page(definitions)]
    assert startcache.changes(before, before) is None
    relabeled = definitions[3].model_copy(update={"label": "Renamed"})
    after = [page([*definitions[1:3], relabeled, *definitions[4:], definitions[0]
                   .model_copy(update={"id": "new-id", "label": "Brand new"})])]
    found = startcache.changes(before, after)
    assert found is not None
    assert found.added == ["Brand new"]
    assert found.removed == [definitions[0].label]
    assert found.changed == ["Renamed"]
    sentence = found.sentence("4 min")
    assert "saved 4 min ago" in sentence and "1 definition added (Brand new)" in sentence
    assert "1 definition removed" in sentence and "1 definition changed (Renamed)" in sentence
    # the same definitions in another order: nothing to say
    assert startcache.changes(before, [page(list(reversed(definitions)))]) is None


def test_the_demo_list_packaged_is_what_the_demo_mock_serves() -> None:
    """Regenerate with ``.venv/bin/python -m tools.demo_listing`` when the demo changes."""
    assert Path(DEMO_LISTING).read_bytes() == listing_body(MockState.demo())
    cached = startcache.packaged(DEMO_LISTING)
    assert cached is not None and cached.saved_at is None
    rows = decode_rows([Path(DEMO_LISTING).read_bytes()])
    assert rows is not None and [shown(r) for r in cached.rows] == [shown(r) for r in rows]


def test_the_cache_folder_is_the_state_dirs(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DIXA_TUI_STATE", str(home / "elsewhere"))
    from dixa_tui.paths import startup_cache_path

    assert startup_cache_path("prod") == home / "elsewhere" / "start-up" / "prod.cache"
    assert not os.path.exists(home / "elsewhere")  # naming it creates nothing
