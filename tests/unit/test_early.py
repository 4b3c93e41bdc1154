"""The early start (``session.early``): the list read before Textual loads, in a child
process or a thread, through the product's client; the cache shown instead when there is one;
whatever fails left to the app."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from early_helpers import handed_parts, handed_rows

from dixa_tui.api.notices import RetryNotice
from dixa_tui.api.secret import Secret, fingerprint
from dixa_tui.config import Profile
from dixa_tui.mock import DEMO_API_KEY
from dixa_tui.mock.handlers import listing_body
from dixa_tui.session import early, startcache
from dixa_tui.session.handover import (
    error_bytes,
    error_of,
    notice_bytes,
    notice_of,
    resolved_bytes,
    resolved_of,
    rows_of,
)
from dixa_tui.session.settings import Resolved, Settings

ROOT = Path(__file__).resolve().parents[2]


def test_with_a_cache_nothing_is_started(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dixa_tui.mock import MockState

    definitions = MockState.demo().definitions
    body = listing_body(MockState.demo())
    startcache.save("default", "http://127.0.0.1:9", "beta", fingerprint(Secret(DEMO_API_KEY)),
                    [body], definitions)
    monkeypatch.setenv("DIXA_API_KEY", DEMO_API_KEY)
    monkeypatch.setattr(early, "_fork", lambda e: pytest.fail("a read was started"))
    started = early.begin(Settings(base_url="http://127.0.0.1:9"))
    assert started.cached is not None and not started.started and started.done()
    assert len(started.cached.rows) == len(definitions)
    assert early.take(Settings(base_url="http://127.0.0.1:9")) is started
    assert early.take(Settings(base_url="http://127.0.0.1:9")) is None  # taken once
    # --no-cache: the cache is neither shown nor...
    quiet = early.begin(Settings(base_url="http://127.0.0.1:9", no_cache=True), fetch=False)
    assert quiet.cached is None


def test_a_cache_read_with_another_key_is_not_shown(home: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from dixa_tui.mock import MockState

    definitions = MockState.demo().definitions
    startcache.save("default", "http://127.0.0.1:9", "beta", fingerprint(Secret("key-a")),
                    [listing_body(MockState.demo())], definitions)
    monkeypatch.setenv("DIXA_API_KEY", "key-b")  # another organization's key
    assert early.begin(Settings(base_url="http://127.0.0.1:9"), fetch=False).cached is None
    monkeypatch.delenv("DIXA_API_KEY")  # no key known yet (none stored): no cache either
    assert early.begin(Settings(base_url="http://127.0.0.1:9"), fetch=False).cached is None
    monkeypatch.setenv("DIXA_API_KEY", "key-a")
    assert early.begin(Settings(base_url="http://127.0.0.1:9"), fetch=False).cached is not None
    monkeypatch.delenv("DIXA_API_KEY")
    from dixa_tui.secrets import store_key

    store_key("default", "key-a")  # the same key, from the keyring
    assert early.begin(Settings(base_url="http://127.0.0.1:9"), fetch=False).cached is not None
    store_key("default", "key-b")  # `auth set` with another organization's key
    assert early.begin(Settings(base_url="http://127.0.0.1:9"), fetch=False).cached is None


def test_a_start_with_another_setting_takes_nothing(home: Path) -> None:
    early.begin(Settings(demo=True), fetch=False)
    assert early.take(Settings()) is None


def test_the_demo_shows_its_packaged_list(home: Path) -> None:
    started = early.begin(Settings(demo=True), fetch=False)
    assert started.cached is not None and started.cached.saved_at is None
    assert started.profile is not None and started.profile.name == "demo"


def test_in_a_thread_the_list_is_read_with_the_resolved_settings(
        home: Path, loopback_mock: tuple[str, Any, Any],
        monkeypatch: pytest.MonkeyPatch) -> None:
    url, state, _ = loopback_mock
    monkeypatch.setenv("DIXA_API_KEY", DEMO_API_KEY)
    monkeypatch.delattr(os, "fork", raising=False)  # where there is no fork
    started = early.begin(Settings(base_url=url))
    assert started.started and started.wait(30)
    assert started.resolved is not None and started.resolved.key_source == "env"
    assert started.pages == [listing_body(state)]


def test_no_key_reads_nothing_and_the_app_asks(home: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(os, "fork", raising=False)
    started = early.begin(Settings(base_url="http://127.0.0.1:9"))
    assert started.wait(30)
    assert started.resolved is not None and started.resolved.key is None
    assert started.pages is None


def test_a_broken_config_is_left_to_the_app(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = home / "config.toml"
    config.write_text("[profiles.x]\ncolour = 1\n", encoding="utf-8")
    monkeypatch.setenv("DIXA_TUI_CONFIG", str(config))
    monkeypatch.delattr(os, "fork", raising=False)
    started = early.begin(Settings(profile_name="x"))
    assert started.wait(30) and started.wait_resolved(0)
    assert started.resolved is None and started.pages is None


def test_a_failed_read_is_handed_over_as_the_clients_error(
        home: Path, loopback_mock: tuple[str, Any, Any],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The app shows it; it does not send the request again."""
    from dixa_tui.api.errors import DixaApiError

    url, _, knobs = loopback_mock
    knobs.failure_rate, knobs.failure_status = 1.0, 400
    monkeypatch.setenv("DIXA_API_KEY", DEMO_API_KEY)
    monkeypatch.delattr(os, "fork", raising=False)
    started = early.begin(Settings(base_url=url))
    assert started.wait(30)
    assert started.resolved is not None and started.pages is None
    assert isinstance(started.error, DixaApiError) and started.error.status == 400
    assert started.error.operation == "list definitions"


def test_the_error_handed_over_is_redacted_of_the_key(home: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    import httpx

    from dixa_tui.session.settings import resolve

    key = "sk-organization-a-0123456789"
    monkeypatch.setenv("DIXA_API_KEY", key)

    def echo(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json={"message": f"bad key {key}"})

    settings = Settings(base_url="http://127.0.0.1:9")
    read = early._read(settings, resolve(settings), httpx.MockTransport(echo), lambda n: None)
    assert not isinstance(read, list) and read is not None
    assert key not in str(read) and key not in repr(read.args)
    back = error_of(error_bytes(read))
    assert key not in error_bytes(read).decode()
    assert (type(back), back.summary(), back.hint) == (type(read), read.summary(), read.hint)


@pytest.mark.parametrize("error", [
    "api", "network", "response"])
def test_an_error_crosses_the_pipe_as_it_was(error: str) -> None:
    from dixa_tui.api.errors import DixaApiError, DixaNetworkError, DixaResponseError

    made = {"api": DixaApiError("list definitions", 403, "no access", names_id=False),
            "network": DixaNetworkError("list definitions", "timed out", reached=False,
                                        kind="timeout"),
            "response": DixaResponseError("list definitions", "not JSON")}[error]
    back = error_of(error_bytes(made))
    assert type(back) is type(made) and vars(back) == vars(made)
    assert (str(back), back.hint, back.retryable, back.args) == (
        str(made), made.hint, made.retryable, made.args)


def test_in_a_child_process_the_list_and_settings_come_back(
        home: Path, loopback_mock: tuple[str, Any, Any]) -> None:
    """A fresh interpreter has one thread: the read happens in a forked child."""
    if not hasattr(os, "fork"):
        pytest.skip("no fork on this system")
    url, state, _ = loopback_mock
    code = (
        "import json, os, sys\n"
        "from dixa_tui.session import early\n"
        "from dixa_tui.session.settings import Settings\n"
        f"started = early.begin(Settings(base_url={url!r}))\n"
        "started.when_rows(started.rows_settled)\n"  # (nothing paints them here)
        "assert started.wait(60)\n"
        "import hashlib\n"
        "r = started.resolved\n"
        "print(json.dumps({'pages': [hashlib.sha256(p).hexdigest() for p in started.pages or []],"
        " 'rows': [row.id for row in started.rows or []],"
        " 'profile': r.profile.base_url if r else None,"
        " 'source': r.key_source if r else None,"
        " 'key_ok': bool(r and r.key and r.key.get_secret_value() == os.environ['DIXA_API_KEY'])"
        "}))\n")
    env = {**os.environ, "DIXA_API_KEY": DEMO_API_KEY, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=env, timeout=120, check=True).stdout
    found = json.loads(out)
    import hashlib

    assert found["pages"] == [hashlib.sha256(listing_body(state)).hexdigest()]
    assert found["rows"] == [d.id for d in state.definitions]  # before the pages
    assert found["profile"] == url and found["source"] == "env" and found["key_ok"]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this system")
def test_a_child_hands_over_the_error_its_read_ended_with(
        home: Path, loopback_mock: tuple[str, Any, Any]) -> None:
    url, _, knobs = loopback_mock
    knobs.failure_rate, knobs.failure_status = 1.0, 401
    code = (
        "import json\n"
        "from dixa_tui.session import early\n"
        "from dixa_tui.session.settings import Settings\n"
        f"started = early.begin(Settings(base_url={url!r}))\n"
        "assert started.wait(60)\n"
        "e = started.error\n"
        "print(json.dumps({'kind': type(e).__name__, 'status': getattr(e, 'status', None),"
        " 'pages': started.pages}))\n")
    env = {**os.environ, "DIXA_API_KEY": DEMO_API_KEY, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=env, timeout=120, check=True).stdout
    assert json.loads(out) == {"kind": "DixaApiError", "status": 401, "pages": None}


def test_the_child_hands_over_settings_and_retries_as_they_were() -> None:
    resolved = Resolved(Profile(name="prod", base_url="https://dev.dixa.io", rate_limit=5.0,
                                startup_cache=False, badge="PROD"),
                        {"main.filter": "f6"}, Secret("sk-123"), "keyring", "SecretService",
                        None, None)
    back = resolved_of(resolved_bytes(resolved))
    assert back.profile == resolved.profile and dict(back.keymap) == {"main.filter": "f6"}
    assert back.key is not None and back.key.get_secret_value() == "sk-123"
    assert (back.key_source, back.backend) == ("keyring", "SecretService")
    assert "sk-123" not in repr(back)
    notice = RetryNotice("list definitions", 2, 3, 0.5, "HTTP 503", None)
    assert notice_of(notice_bytes(notice)) == notice


def _gone(pid: int) -> bool:
    """The process ``pid`` has ended (a zombie nobody has reaped yet counts as ended)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except FileNotFoundError:
        return True


def _child_of_a_fresh_start(url: str, then: str) -> dict[str, Any]:
    """In a fresh interpreter (one thread: the read is forked), begin a start against
    ``url``, wait until the child is sending its GET, then run ``then``; what it printed."""
    code = (
        "import json, os, sys\n"
        "from dixa_tui.session import early\n"
        "from dixa_tui.session.settings import Settings\n"
        f"started = early.begin(Settings(base_url={url!r}))\n"
        "assert started.wait_resolved(60) and started.resolved is not None\n"
        "pid = started.child\n"
        + then)
    env = {**os.environ, "DIXA_API_KEY": DEMO_API_KEY, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=env, timeout=60, check=True).stdout
    found: dict[str, Any] = json.loads(out)
    return found


@pytest.mark.skipif(not hasattr(os, "fork") or not os.path.isdir("/proc"),
                    reason="needs fork and /proc")
def test_stopping_the_start_kills_and_reaps_the_child(
        home: Path, loopback_mock: tuple[str, Any, Any]) -> None:
    """The app quits while the child still waits for Dixa: the child ends with it."""
    url, _, knobs = loopback_mock
    knobs.latency = 60.0  # the GET would hold the child (and the key) for a minute
    found = _child_of_a_fresh_start(url, (
        "alive = os.waitpid(pid, os.WNOHANG) == (0, 0)\n"
        "started.stop()\n"
        "try:\n"
        "    os.waitpid(pid, os.WNOHANG)\n"
        "    reaped = False\n"
        "except ChildProcessError:\n"
        "    reaped = True\n"
        "print(json.dumps({'pid': pid, 'alive': alive, 'reaped': reaped,"
        " 'child': started.child}))\n"))
    assert found["alive"] and found["reaped"] and found["child"] is None
    assert _gone(found["pid"])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_the_child_ends_when_the_app_process_dies(
        home: Path, loopback_mock: tuple[str, Any, Any]) -> None:
    """Killed without quitting (no stop): the child is signalled by the kernel."""
    import time

    url, _, knobs = loopback_mock
    knobs.latency = 60.0
    found = _child_of_a_fresh_start(url, (
        "print(json.dumps({'pid': pid}), flush=True)\n"
        "os._exit(0)\n"))
    deadline = time.monotonic() + 20  # the kernel's signal, then the child's exit
    while not _gone(found["pid"]) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _gone(found["pid"])


def test_a_start_for_other_settings_is_stopped(home: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    early.abandon()  # what an earlier test left
    stopped: list[Settings] = []
    monkeypatch.setattr(early.EarlyStart, "stop", lambda self: stopped.append(self.settings))
    early.begin(Settings(demo=True), fetch=False)
    assert early.take(Settings()) is None
    assert stopped == [Settings(demo=True)]
    early.begin(Settings(profile_name="a"), fetch=False)
    early.begin(Settings(profile_name="b"), fetch=False)  # the first was never taken
    early.abandon()
    assert stopped[1:] == [Settings(profile_name="a"), Settings(profile_name="b")]


@pytest.mark.parametrize(("platform", "way"), [("darwin", "thread"), ("linux", "fork")])
def test_macos_reads_in_a_thread(home: Path, monkeypatch: pytest.MonkeyPatch,
                                 platform: str, way: str) -> None:
    """macOS's frameworks (the Keychain, proxy settings) are not fork-safe: no child there."""
    import threading

    if not hasattr(os, "fork"):
        pytest.skip("no fork on this system")
    used: list[str] = []
    ran = threading.Event()

    def record(how: str) -> None:
        used.append(how)
        ran.set()

    monkeypatch.setattr(sys, "platform", platform)
    monkeypatch.setattr(threading, "active_count", lambda: 1)  # as a fresh interpreter
    monkeypatch.setattr(early, "_fork", lambda e: record("fork"))
    monkeypatch.setattr(early, "_in_thread", lambda e: record("thread"))
    started = early.begin(Settings(base_url="http://127.0.0.1:9"))
    assert started.started and ran.wait(10) and used == [way]
    early.abandon()


@pytest.mark.parametrize("frame", [early.RESOLVED + (5).to_bytes(8, "big") + b"{oops",
                                   b"?" + (0).to_bytes(8, "big")])
def test_a_malformed_frame_ends_the_start_before_the_child_is_ended(
        monkeypatch: pytest.MonkeyPatch, frame: bytes) -> None:
    """The app's start goes on at once; the child (which may still be fetching, with its
    retries) is killed and reaped only after."""
    started = early.EarlyStart(Settings())
    started.started = True
    seen: list[bool] = []
    monkeypatch.setattr(early.EarlyStart, "stop", lambda self: seen.append(self.done()))
    reading, writing = os.pipe()
    os.write(writing, frame + early.PAGE + (3).to_bytes(8, "big") + b"abc")
    os.close(writing)
    early._from_child(started, reading)
    assert seen == [True] and started.done() and started.pages is None


def test_the_pages_are_not_the_main_tasks_result(home: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """On Python 3.11 ``asyncio.run`` formats its main task's repr (its result included)
    while restoring the SIGINT handler: 58 MB of pages took 0.3 s to format. The pages come
    out another way; the main task's result is nothing."""
    import asyncio

    import httpx

    from dixa_tui.session.settings import resolve

    monkeypatch.setenv("DIXA_API_KEY", DEMO_API_KEY)
    body = b'{"data": [], "meta": {}}'
    results: list[Any] = []
    real = asyncio.run

    def run(main: Any) -> Any:
        result = real(main)
        results.append(result)
        return result

    monkeypatch.setattr(asyncio, "run", run)
    settings = Settings(base_url="http://127.0.0.1:9")
    transport = httpx.MockTransport(lambda request: httpx.Response(200, content=body))
    assert early._read(settings, resolve(settings), transport, lambda n: None) == [body]
    assert results == [None]


ROW_FIELDS = ("id", "entity_type", "identifier", "label", "input_type", "is_required",
              "is_archived", "is_deactivated")


def _shown(rows: Any) -> list[tuple[Any, ...]]:
    return [tuple(getattr(row, name) for name in ROW_FIELDS) for row in rows]


def _org_with_repeats_and_an_unreadable_item() -> list[bytes]:
    """Two pages of the demo's definitions: an id repeated (the second one's label differs),
    a ``null`` label, and an item the models refuse (a timestamp no parser reads) that a
    row still reads."""
    from dixa_tui.mock import MockState

    items = [d.to_dixa() for d in MockState.demo().definitions]
    items[3] = {**items[3], "label": None}
    items[5] = {**items[5], "createdAt": "the day before yesterday"}
    items.append({**items[7], "label": "a second item 7"})
    items.insert(2, {**items[9], "label": "item 9, first"})
    first = json.dumps({"data": items[:20], "meta": {"next": "/beta/x?pageKey=b"}}).encode()
    return [first, json.dumps({"data": items[20:]}).encode()]


def test_the_rows_handed_over_are_the_ones_the_app_would_read() -> None:
    """The child's ROWS: decode_rows then first_of_each_id, as the app does with the pages
    (repeated ids dropped, an item only the models refuse kept), through the pipe's bytes."""
    from dixa_tui.api.rows import decode_rows
    from dixa_tui.api.salvage import first_of_each_id, read_definitions_json

    pages = _org_with_repeats_and_an_unreadable_item()
    rows = decode_rows(pages)
    assert rows is not None
    kept, skipped = first_of_each_id(list(enumerate(rows)), [])
    assert len(kept) == len(rows) - 2 and len(skipped) == 2
    assert read_definitions_json(pages).skipped  # the models skip more than the repeats
    handed = handed_rows(pages)
    assert handed is not None
    assert _shown(handed) == _shown(kept)
    assert any(row.label == "" for row in handed)


@pytest.mark.parametrize("step", [1, 3, 7, 20, 1000])
def test_rows_handed_over_in_parts_are_the_rows_in_one(monkeypatch: pytest.MonkeyPatch,
                                                      step: int) -> None:
    """The rows cross in parts (the app decodes one while the next is encoded): the same
    rows in the same order, an id repeated across parts (or within one) kept once, the
    first time it came; the last part, and only it, says so."""
    pages = _org_with_repeats_and_an_unreadable_item()
    whole = handed_rows(pages)
    assert whole is not None
    monkeypatch.setattr(early, "ROWS_STEP", step)
    parts = handed_parts(pages)
    assert len(parts) == -(-sum(len(json.loads(p)["data"]) for p in pages) // step)
    assert _shown(r for part in parts for r in rows_of(part)) == _shown(whole)


def test_an_empty_list_is_one_part_of_no_rows() -> None:
    assert [rows_of(part) for part in handed_parts([b'{"data": []}'])] == [[]]


def test_rows_that_stop_part_way_are_not_the_lists(monkeypatch: pytest.MonkeyPatch) -> None:
    """A part, then the pages (the child could not encode the rest): the app is handed no
    rows, only the pages."""
    pages = _org_with_repeats_and_an_unreadable_item()
    monkeypatch.setattr(early, "ROWS_STEP", 5)
    first = handed_parts(pages)[0]
    started = early.EarlyStart(Settings(), started=True)
    monkeypatch.setattr(early.EarlyStart, "stop", lambda self: None)
    _hand_over(started, _frames((early.ROWS_PART, first), (early.PAGE, pages[0]),
                                (early.PAGE, pages[1]), (early.END, b"")))
    assert started.rows is None and started.pages == pages


def test_the_rows_read_as_the_pages_are_checked_are_the_same_rows() -> None:
    """The child reads each page's rows as the client checks the page (one reading): what
    it hands over is what reading the pages again would give, repeats dropped as ever."""
    from dixa_tui.api.rows import decode_rows, next_page_key, rows_and_next_key

    pages = _org_with_repeats_and_an_unreadable_item()
    decoded = {}
    for page in pages:
        found = rows_and_next_key(page)
        assert found is not None
        assert found[1] == next_page_key(page)
        decoded[id(page)] = found[0]
    assert [r for page in pages for r in decoded[id(page)]] == decode_rows(pages)
    assert handed_parts(pages, decoded) == handed_parts(pages)
    from dixa_tui.mock import MockState

    unique = [json.dumps({"data": [d.to_dixa() for d in MockState.demo().definitions]}
                         ).encode()]
    found = rows_and_next_key(unique[0])
    assert found is not None  # no id twice: the rows as read, not copied
    assert handed_parts(unique) == handed_parts(unique, {id(unique[0]): found[0]})


def test_a_rows_fields_are_the_rows_properties() -> None:
    """The fast encoding of fresh rows reads the fields the properties would give: a null
    label or identifier is "", the input type is the ``_type``, else what options or a
    placeholder say, else Unknown."""
    from dixa_tui.api.rows import decode_rows, row_fields

    items = [{"id": str(i), "entityType": "Contact", "label": label, "identifier": ident,
              "inputDefinition": kind}
             for i, (label, ident, kind) in enumerate([
                 ("a", "b", {"_type": "Text"}), (None, None, {"_type": "Select", "options": []}),
                 ("c", "d", {"options": [{"id": "x", "value": "x", "label": "x"}]}),
                 ("e", "f", {"placeholder": "p"}), ("g", "h", {}), ("i", "j", {"_type": ""})])]
    rows = decode_rows([json.dumps({"data": items}).encode()])
    assert rows is not None
    assert row_fields(rows) == [(r.id, r.entity_type, r.identifier, r.label, r.input_type,
                                 r.is_required, r.is_archived, r.is_deactivated)
                                for r in rows]
    assert [f[4] for f in row_fields(rows)] == ["Text", "Select", "Select", "Text", "Unknown",
                                                "Unknown"]


def test_no_rows_are_handed_over_when_an_item_is_not_even_a_row() -> None:
    """Then the app reads the pages, as before (its models say what is wrong)."""
    from dixa_tui.api.rows import decode_rows

    pages = [json.dumps({"data": [{"id": 7, "entityType": "Contact"}]}).encode()]
    assert decode_rows(pages) is None and handed_parts(pages) == []
    with pytest.raises(ValueError):
        rows_of(b"\x93not rows")


def _frames(*frames: tuple[bytes, bytes]) -> bytes:
    return b"".join(kind + len(payload).to_bytes(8, "big") + payload
                    for kind, payload in frames)


def _hand_over(started: early.EarlyStart, stream: bytes) -> None:
    reading, writing = os.pipe()
    os.write(writing, stream)
    os.close(writing)
    early._from_child(started, reading)


def test_the_rows_come_before_the_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    """The rows are there (and said) while the pages are still on their way."""
    pages = _org_with_repeats_and_an_unreadable_item()
    monkeypatch.setattr(early, "ROWS_STEP", 16)
    parts = handed_parts(pages)
    assert len(parts) == 3
    started = early.EarlyStart(Settings(), started=True)
    monkeypatch.setattr(early.EarlyStart, "stop", lambda self: None)
    seen: list[tuple[bool, bool]] = []

    def came() -> None:
        seen.append((started.done(), started.pages is None))
        started.rows_settled()  # painted (the pages wait for that)

    started.when_rows(came)
    _hand_over(started, _frames((early.ROWS_PART, parts[0]), (early.ROWS_PART, parts[1]),
                                (early.ROWS, parts[2]), (early.PAGE, pages[0]),
                                (early.PAGE, pages[1]), (early.END, b"")))
    assert seen == [(False, True)]  # before the pages, before the end
    assert started.done() and started.pages == pages
    assert started.rows is not None
    assert _shown(started.rows) == _shown(r for part in parts for r in rows_of(part))
    later: list[bool] = []
    started.when_rows(lambda: later.append(True))  # asked after they came: at once
    assert later == [True]


def test_a_child_that_dies_after_its_rows_leaves_the_list_to_the_app(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Rows, then half a page: no pages, no error (the app reads the list itself)."""
    pages = _org_with_repeats_and_an_unreadable_item()
    [payload] = handed_parts(pages)
    started = early.EarlyStart(Settings(), started=True)
    monkeypatch.setattr(early.EarlyStart, "stop", lambda self: None)
    monkeypatch.setattr(early, "ROWS_PAINT_WAIT", 0.01)  # nothing paints them here
    _hand_over(started, _frames((early.ROWS, payload))
               + early.PAGE + len(pages[0]).to_bytes(8, "big") + pages[0][:100])
    assert started.done() and started.pages is None and started.error is None
    assert started.rows is not None


def test_unreadable_rows_are_passed_over_for_the_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    pages = _org_with_repeats_and_an_unreadable_item()
    started = early.EarlyStart(Settings(), started=True)
    monkeypatch.setattr(early.EarlyStart, "stop", lambda self: None)
    _hand_over(started, _frames((early.ROWS, b"\x93?"), (early.PAGE, pages[0]),
                                (early.PAGE, pages[1]), (early.END, b"")))
    assert started.rows is None and started.pages == pages


def test_the_pages_wait_until_the_rows_are_painted(monkeypatch: pytest.MonkeyPatch) -> None:
    """58 MB crossing the pipe would take both cores from the paint of the rows: the pages
    are read once the rows are painted (or will not be), at most ``ROWS_PAINT_WAIT`` later."""
    import threading
    import time

    pages = _org_with_repeats_and_an_unreadable_item()
    [payload] = handed_parts(pages)
    real_stop = early.EarlyStart.stop
    monkeypatch.setattr(early.EarlyStart, "stop", lambda self: None)
    monkeypatch.setattr(early, "ROWS_PAINT_WAIT", 1.0)
    for settle in ("painted", "stopped", "waited"):
        started = early.EarlyStart(Settings(), started=True)
        reader = threading.Thread(target=_hand_over, args=(started, _frames(
            (early.ROWS, payload), (early.PAGE, pages[0]), (early.PAGE, pages[1]),
            (early.END, b""))))
        began = time.monotonic()
        reader.start()
        deadline = began + 5
        while started.rows is None and time.monotonic() < deadline:
            time.sleep(0.005)
        assert started.rows is not None, settle
        reader.join(0.1)
        assert reader.is_alive() and not started.done(), settle  # held back
        if settle == "painted":
            started.rows_settled()
        elif settle == "stopped":
            real_stop(started)  # the app quits: nothing waits for a paint any more
        reader.join(5)
        assert started.done() and started.pages == pages, settle
        took = time.monotonic() - began
        assert took >= 1.0 if settle == "waited" else took < 0.8, (settle, took)
