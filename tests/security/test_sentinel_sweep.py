"""A whole scripted session with a sentinel key, then a sweep for it: zero hits anywhere.

The session, with the debug log on throughout (``--debug`` for the CLI, ``debuglog.enable()``
for the TUI, exactly what ``dixa-tui --debug`` does before it starts the app):

- TUI (pilot, real HTTP to a loopback mock that accepts only the sentinel): no key anywhere,
  so the key screen opens; the sentinel is typed into its password field, saved first to a
  keyring that fails quoting what it was given, then to the in-memory keyring; then browse,
  filter, target an end user, edit and send; a server that answers 500 echoing the key in its
  message and in headers (raw and base64); a bug in a worker whose exception quotes the key;
  the key screen again; finally an uncaught exception quoting the key, which ends the app.
  SVG screenshots along the way, turned into PNGs with rsvg-convert where it exists.
- CLI (in-process and as real processes): ``auth set/status/clear``, ``definitions``,
  ``patch`` (sent and dry run), the hostile server, and a bug in a command whose exception
  quotes the key.

The sweep then looks for the sentinel, raw and base64 (every alignment), URL-, JSON- and
repr-escaped, UTF-16 and hex, in every stdout/stderr and exception text, in everything
written to the terminal, in every screenshot, and in every file (contents and names) under
the test's HOME, XDG config/data/state/cache dirs, working directory and TMPDIR, the debug log
included. It must find nothing. The same session with the redaction broken on purpose
(``debuglog.redact`` made a no-op) must find it, in the debug log and on screen: the sweep
can fail.
"""

from __future__ import annotations

import asyncio
import base64
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import httpx
import keyring
import pytest
from click.testing import CliRunner
from keyring.backend import KeyringBackend
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from textual.widgets import Input, OptionList, Static
from tui_helpers import wait_for

from dixa_tui import debuglog
from dixa_tui.cli import main
from dixa_tui.mock.demo import DEMO_CONVERSATION_ID, DEMO_END_USER_EMAIL, DEMO_END_USER_ID
from dixa_tui.session.settings import Settings
from dixa_tui.tui.app import DixaApp
from dixa_tui.tui.screens.editor import EditorScreen
from dixa_tui.tui.screens.key import KeyScreen
from dixa_tui.tui.screens.target import TargetScreen
from dixa_tui.tui.widgets.definitions import DefinitionList
from dixa_tui.tui.widgets.errorbar import ErrorBar

pytestmark = [pytest.mark.loopback, pytest.mark.timeout(240)]

# Characters that base64, URL and JSON encoding all change, so each form is a distinct needle.
SENTINEL = "sk_SENTINEL/7d1e+Qa9=c4b2-Zx\\q"
SIZE = (120, 36)


# -- what to look for ----------------------------------------------------------------------


def needles(secret: str) -> dict[str, bytes]:
    """Every form the key could take in a file or an output, by name."""
    raw = secret.encode()
    found = {"raw": raw, "url": quote(secret, safe="").encode(),
             "url-plus": quote_plus(secret).encode(), "json": json.dumps(secret)[1:-1].encode(),
             "repr": repr(secret)[1:-1].encode(), "utf-16": secret.encode("utf-16-le"),
             "hex": raw.hex().encode()}
    for name, encode in (("base64", base64.b64encode), ("base64url", base64.urlsafe_b64encode)):
        for offset in range(3):  # the key may sit anywhere inside a larger base64 blob
            text = encode(b"\0" * offset + raw)
            start = 4 if offset else 0
            found[f"{name}+{offset}"] = text[start:((offset + len(raw)) // 3) * 4]
    assert all(len(n) >= 16 for n in found.values())
    return found


def flattened(text: str) -> bytes:
    """What a screen or an SVG screenshot shows, as one line of ASCII without spaces: a key
    wrapped over two rows, or split into SVG ``<text>`` runs and entities, is whole again."""
    if "<svg" in text:
        runs = re.findall(r"<text[^>]*>(.*?)</text>", text, re.S)
        text = html.unescape("".join(runs))
    return re.sub(r"[^!-~]", "", text).encode()


def sweep(outputs: list[str], roots: list[Path]) -> list[str]:
    """Every place a form of the sentinel was found: '<where>: <form>'."""
    forms = needles(SENTINEL)
    hits = [f"output #{i}: {name}" for i, text in enumerate(outputs)
            for name, needle in forms.items()
            if needle in text.encode("utf-8", "surrogateescape") or needle in flattened(text)]
    seen: set[Path] = set()
    for root in roots:
        for path in root.rglob("*"):
            if path in seen:
                continue
            seen.add(path)
            for name, needle in forms.items():
                if needle in str(path).encode():
                    hits.append(f"file name {path}: {name}")
            if path.is_file() and not path.is_symlink():
                content = path.read_bytes()
                flat = flattened(content.decode("utf-8", "replace")) \
                    if path.suffix == ".svg" else b""
                hits += [f"{path}: {name}" for name, needle in forms.items()
                         if needle in content or needle in flat]
    return hits


# -- the servers and the transport -----------------------------------------------------------


def hostile_app() -> Starlette:
    """Dixa gone wrong: a 500 echoing the Authorization header in the body and in headers."""

    async def echo(request: Request) -> Response:
        auth = request.headers.get("authorization", "")
        return JSONResponse(
            {"message": f"internal error for key {auth} ({quote(auth, safe='')})"},
            status_code=500,
            headers={"X-Echo": auth, "X-Echo-B64": base64.b64encode(auth.encode()).decode(),
                     "WWW-Authenticate": f'DixaKey realm="{auth}"'})

    return Starlette(routes=[Route("/{path:path}", echo, methods=["GET", "PATCH"])])


class Switch(httpx.AsyncBaseTransport):
    """Real HTTP to the mock; or to the hostile server; or a bug that quotes the key."""

    def __init__(self, hostile_url: str) -> None:
        self.http = httpx.AsyncHTTPTransport()
        self.hostile = httpx.URL(hostile_url)
        self.mode = "mock"

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.mode == "bug":
            raise RuntimeError(f"transport bug with {request.headers['authorization']}")
        if self.mode == "hostile":
            request.url = request.url.copy_with(host=self.hostile.host, port=self.hostile.port)
        return await self.http.handle_async_request(request)

    async def aclose(self) -> None:
        await self.http.aclose()


class ChokingKeyring(KeyringBackend):
    """A keyring whose errors quote the secret it was given (some backends' do)."""

    priority = 1  # type: ignore[assignment]

    def get_password(self, service: str, username: str) -> str | None:
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        raise RuntimeError(f"could not store {password!r} for {service}")

    def delete_password(self, service: str, username: str) -> None:
        raise RuntimeError("nothing here")


# -- the session -------------------------------------------------------------------------------


async def until(pilot: Any, predicate: Any) -> None:
    await wait_for(pilot, predicate, timeout=15.0)


async def shoot(app: DixaApp, folder: Path, name: str, shots: list[Path]) -> None:
    app.save_screenshot(filename=f"{name}.svg", path=str(folder))
    shots.append(folder / f"{name}.svg")


async def tui_session(mock_url: str, hostile_url: str, shots_dir: Path, memory: KeyringBackend,
                      outputs: list[str], shots: list[Path]) -> None:
    switch = Switch(hostile_url)
    app = DixaApp(Settings(base_url=mock_url), transport_factory=lambda: switch)
    async with app.run_test(size=SIZE) as pilot:
        # The key screen: the sentinel is typed into a password field.
        await until(pilot, lambda: isinstance(app.screen, KeyScreen)
                    and app.screen.query("#key-input"))
        await pilot.pause()
        field = app.screen.query_one("#key-input", Input)
        assert field.password is True
        field.focus()
        await pilot.press(*SENTINEL)
        assert field.value == SENTINEL
        await shoot(app, shots_dir, "key-typed", shots)
        keyring.set_keyring(ChokingKeyring())
        await pilot.press("ctrl+o")  # save: the keyring fails, quoting the key
        await until(pilot, lambda: "Could not save" in str(
            app.screen.query_one("#key-message", Static).content))
        await shoot(app, shots_dir, "key-save-failed", shots)
        keyring.set_keyring(memory)
        await pilot.press("ctrl+o")
        main = app.main_screen
        await until(pilot, lambda: main.definitions)
        await shoot(app, shots_dir, "main", shots)

        # Browse and filter.
        await pilot.press("slash", *"contact", "enter", "j", "j")
        await until(pilot, lambda: main.query_one(DefinitionList).highlighted is not None)
        await pilot.press("escape")
        await shoot(app, shots_dir, "browse", shots)

        # Target an end user by email, edit a Text value, send.
        await pilot.press("t")
        await until(pilot, lambda: isinstance(app.screen, TargetScreen))
        await pilot.pause()
        app.screen.query_one("#enduser-input", Input).value = DEMO_END_USER_EMAIL
        await pilot.press("enter")
        await until(pilot, lambda: app.screen.query_one(
            "#enduser-results", OptionList).option_count > 0)
        app.screen.query_one("#enduser-results", OptionList).focus()
        await pilot.press("enter")
        await until(pilot, lambda: main.target is not None)
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, EditorScreen))
        editor: Any = app.screen
        await pilot.pause()
        listing = editor.query_one("#attributes", DefinitionList)
        listing.focus()
        await pilot.press("g")
        for _ in range(len(listing.rows)):
            if listing.highlighted is not None and listing.highlighted.identifier == "loyalty_id":
                break
            await pilot.press("j")
        await pilot.press("enter")
        box = editor.query_one("#text-value", Input)
        box.value = ""
        await pilot.press(*"LOY-777", "enter")
        await shoot(app, shots_dir, "editor", shots)
        await pilot.press("ctrl+t")
        await until(pilot, lambda: not editor.sending and not editor.staged)
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, EditorScreen))

        # Failures: a 500 that echoes the key, then a bug in the worker that quotes it.
        bar = main.query_one(ErrorBar)
        switch.mode = "hostile"
        await pilot.press("r")
        await until(pilot, lambda: bar.shown)
        await shoot(app, shots_dir, "error-500", shots)
        switch.mode = "bug"
        await pilot.press("ctrl+r")
        await until(pilot, lambda: bar.shown and "unexpected" in str(bar.content))
        await shoot(app, shots_dir, "error-bug", shots)
        outputs.append(str(bar.content))
        switch.mode = "mock"
        await pilot.press("ctrl+r")
        await until(pilot, lambda: not bar.shown)

        # The key screen again: where the key comes from, never the key.
        await pilot.press("K")
        await until(pilot, lambda: isinstance(app.screen, KeyScreen)
                    and app.screen.query("#key-status"))
        await until(pilot, lambda: "OS keyring" in str(
            app.screen.query_one("#key-status", Static).content))
        await shoot(app, shots_dir, "key-again", shots)
        await pilot.press("escape")
        outputs.extend(str(n.message) for n in app._notifications)
        outputs.append(app.export_screenshot())


async def fatal_session(mock_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """An exception nothing catches, quoting the key: the app ends with one line. The key
    comes from DIXA_API_KEY this time."""
    app = DixaApp(Settings(base_url=mock_url))

    def broken(self: Any, definition: Any) -> None:
        raise RuntimeError(f"detail pane bug near {SENTINEL}")

    with monkeypatch.context() as patched:
        patched.setenv("DIXA_API_KEY", SENTINEL)
        patched.setattr("dixa_tui.tui.screens.main.MainScreen._show_detail", broken)
        with pytest.raises(RuntimeError, match="detail pane bug"):
            async with app.run_test(size=SIZE) as pilot:
                # The detail pane is drawn as the definitions arrive: the bug stops the app.
                await until(pilot, lambda: app.return_code is not None)
    assert app.return_code == 1


def cli_session(mock_url: str, hostile_url: str, outputs: list[str],
                monkeypatch: pytest.MonkeyPatch) -> list[int]:
    runner = CliRunner()

    def cli(*args: str, url: str = mock_url, stdin: str | None = None,
            env_key: bool = True) -> int:
        env = {"DIXA_API_KEY": SENTINEL if env_key else ""}
        result = runner.invoke(main, ["--debug", "--base-url", url, *args], input=stdin,
                               env=env)
        outputs.extend([result.stdout, result.stderr, repr(result.exception)])
        return result.exit_code

    user, conv = DEMO_END_USER_ID, str(DEMO_CONVERSATION_ID)
    codes = [
        cli("auth", "set", stdin=SENTINEL + "\n", env_key=False),
        cli("auth", "status", env_key=False),
        cli("definitions", "list", env_key=False),  # the key from the keyring
        cli("definitions", "show", "contact_reason", "--json"),
        cli("patch", "enduser", user, "--set", "loyalty_id=LOY-778", "--json"),
        cli("patch", "conversation", conv, "--set", "contact_reason=delivery/late",
            "--dry-run"),
        cli("definitions", "list", url=hostile_url),
        cli("patch", "conversation", conv, "--set", "order_number=1", url=hostile_url),
    ]
    with monkeypatch.context() as patched:
        def broken_table(definitions: object) -> str:
            raise RuntimeError(f"table bug near {SENTINEL}")

        patched.setattr("dixa_tui.cli.render.definitions_table", broken_table)
        codes.append(cli("definitions", "list"))
    codes.append(cli("auth", "clear", env_key=False))
    env = {**os.environ, "DIXA_API_KEY": SENTINEL, "NO_COLOR": "1"}
    for url in (mock_url, hostile_url):
        done = subprocess.run([sys.executable, "-m", "dixa_tui", "--debug", "--base-url", url,
                               "definitions", "list"], capture_output=True, text=True,
                              env=env, timeout=60)
        outputs.extend([done.stdout, done.stderr])
        codes.append(done.returncode)
    return codes


@pytest.mark.parametrize("redaction", ["on", "broken"])
def test_the_sentinel_key_appears_nowhere(
        redaction: str, serve_mock: Any, serve_asgi: Any, home: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, memory_keyring: KeyringBackend,
        capfd: pytest.CaptureFixture[str]) -> None:
    if redaction == "broken":
        monkeypatch.setattr(debuglog, "redact", lambda text: text)
    work, scratch, shots_dir = tmp_path / "cwd", tmp_path / "tmp", tmp_path / "shots"
    for folder in (work, scratch, shots_dir):
        folder.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setenv("TMPDIR", str(scratch))
    monkeypatch.setattr(tempfile, "tempdir", None)
    mock_url, _, knobs = serve_mock(api_key=SENTINEL)
    hostile_url = serve_asgi(hostile_app())
    outputs: list[str] = []
    shots: list[Path] = []

    log = debuglog.enable()  # what `dixa-tui --debug` does before the TUI starts
    asyncio.run(tui_session(mock_url, hostile_url, shots_dir, memory_keyring, outputs, shots))
    assert memory_keyring.get_password("dixa-tui", "default") == SENTINEL  # really saved
    memory_keyring.delete_password("dixa-tui", "default")
    asyncio.run(fatal_session(mock_url, monkeypatch))
    debuglog.disable()
    codes = cli_session(mock_url, hostile_url, outputs, monkeypatch)
    assert codes == [0, 0, 0, 0, 0, 0, 1, 1, 3, 0, 0, 1]

    converter = shutil.which("rsvg-convert")
    if converter:  # what `make screenshots` does with the SVGs
        for svg in shots:
            subprocess.run([converter, "-o", str(svg.with_suffix(".png")), str(svg)],
                           check=True, timeout=60)
    printed = capfd.readouterr()
    outputs += [printed.out, printed.err]

    # The sweep is not empty-handed: the log, the pictures and the failures are all there.
    text = log.read_text()
    for expected in ("HTTP 500", "x-echo", "receive_response_headers", "Traceback (most recent",
                     "unexpected error in the terminal UI", "table bug near",
                     "patch end user"):
        assert expected in text, expected
    assert len(shots) == 8 and all(s.stat().st_size > 10_000 for s in shots)
    assert not converter or len(list(shots_dir.glob("*.png"))) == 8
    assert "•" * 8 in shots[0].read_text()  # the typed key, as a password field shows it
    assert knobs.requests > 10
    assert any("internal error for key" in o for o in outputs)  # the 500 was shown

    roots = [home, tmp_path, *(Path(os.environ[v]) for v in (
        "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"))]
    hits = sweep(outputs, roots)
    if redaction == "on":
        assert hits == [], "\n".join(hits + [outputs[int(h.split("#")[1].split(":")[0])][:3000]
                                             for h in hits if h.startswith("output #")][:4])
        assert "[redacted]" in text and any("[redacted]" in o for o in outputs)
    else:  # the same session without the debug log's redaction: the sweep catches it
        assert any(str(log) in hit for hit in hits), hits
        assert any(".svg" in hit for hit in hits), hits
