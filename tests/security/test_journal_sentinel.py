"""The journal, ``history`` and ``undo`` with a sentinel key: a session of writes (one
answered by a server that echoes the key in its error), reads of the history and undos, then
a sweep of every output and every file under the test's HOME and XDG dirs (the journal and
its WAL included) finds no form of the key. The journal file is 0600.

The sweep can fail: the same session with the sentinel typed in as an attribute value (the
journal keeps values as they were sent) finds it in the journal and in the history's output.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from starlette.types import Receive, Scope, Send
from test_sentinel_sweep import SENTINEL, sweep

from dixa_tui.cli import main
from dixa_tui.journal import default_path
from dixa_tui.mock import create_app
from dixa_tui.mock.demo import DEMO_CONVERSATION_ID

pytestmark = [pytest.mark.loopback, pytest.mark.timeout(180)]

CONV = str(DEMO_CONVERSATION_ID)


class EchoingWrites:
    """The mock, except that while ``echo`` is on a PATCH gets a 500 whose message quotes
    the Authorization header (a server gone wrong): the journal records that error."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.echo = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "PATCH" and self.echo:
            auth = dict(scope["headers"]).get(b"authorization", b"").decode()
            body = json.dumps({"message": f"internal error for key {auth}"}).encode()
            await send({"type": "http.response.start", "status": 500,
                        "headers": [(b"content-type", b"application/json")]})
            await send({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, send)


@pytest.mark.parametrize("value", ["plain", "sentinel-as-value"])
def test_no_key_in_the_journal_history_or_undo_output(value: str, serve_asgi, home: Path,
                                                      state) -> None:
    server = EchoingWrites(create_app(state, api_key=SENTINEL))
    url = serve_asgi(server)
    outputs: list[str] = []
    runner = CliRunner()

    def cli(*args: str) -> int:
        result = runner.invoke(main, ["--base-url", url, *args],
                               env={"DIXA_API_KEY": SENTINEL})
        outputs.extend([result.stdout, result.stderr, repr(result.exception)])
        return result.exit_code

    typed = SENTINEL if value == "sentinel-as-value" else "100-9000"
    codes = [cli("patch", "conversation", CONV, "--set", f"order_number={typed}",
                 "--set", "contact_reason=payment/card")]
    server.echo = True
    codes.append(cli("patch", "conversation", CONV, "--set", "order_number=100-ECHO"))
    # the same as a real process: its own registration of the key, its own redaction
    done = subprocess.run([sys.executable, "-m", "dixa_tui", "--base-url", url, "patch",
                           "conversation", CONV, "--set", "sku=ECHO-2"],
                          capture_output=True, text=True, stdin=subprocess.DEVNULL,
                          env={**os.environ, "DIXA_API_KEY": SENTINEL}, timeout=60)
    outputs.extend([done.stdout, done.stderr])
    codes.append(done.returncode)
    server.echo = False
    codes += [cli("history"), cli("history", "--json"),
              cli("undo", "last", "--yes"),  # the echoed write: settled by reading
              cli("undo", "1", "--yes"), cli("history", "--json", "--limit", "0"),
              cli("get", "conversation", CONV, "--json")]
    assert codes == [0, 1, 1, 0, 0, 0, 0, 0, 0]

    # The sweep is not empty-handed: the errors are journaled, the undo happened.
    entries = json.loads(outputs[-6])
    # newest first: the undo of 1, the process's echoed write (settled by the undo of it:
    # it did not land), the in-process echoed write (a 500: unknown), the first write
    assert [e["outcome"] for e in entries] == ["applied", "failed", "unknown", "applied"]
    assert entries[1]["settled"] is not None
    assert all("internal error for key" in (e["error"] or "") for e in entries[1:3])
    assert entries[0]["origin"] == "undo"
    journal = default_path()
    assert journal.stat().st_mode & 0o777 == 0o600
    assert journal.parent.stat().st_mode & 0o777 == 0o700
    for companion in journal.parent.glob("journal.sqlite3-*"):
        assert companion.stat().st_mode & 0o777 == 0o600, companion

    roots = [home, *(Path(os.environ[v]) for v in (
        "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"))]
    hits = sweep(outputs, roots)
    if value == "plain":
        assert hits == [], hits
        assert any("[redacted]" in (e["error"] or "") for e in entries)
    else:  # the key typed in as a value is journaled as sent, and history shows it
        assert any("journal.sqlite3" in hit for hit in hits), hits
        assert any(hit.startswith("output #") for hit in hits), hits
