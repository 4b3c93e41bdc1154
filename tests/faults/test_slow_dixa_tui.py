"""The TUI when Dixa is slow or cannot be reached at all, driven by Textual's pilot.

- A send to a Dixa that drips its answer a byte at a time ends after its tries (each bounded
  as a whole), keeps the draft, says the outcome is unknown (and the journal records it so),
  and the editor is usable again: edit, send again, close.
- While the first load waits out a 429, the empty list says so in the notice's own words (a
  429 is retried for a time budget, not a count: "try 2 of 3" would be wrong).
- An untrusted certificate or an unknown host name is not offered again: waiting cannot
  mend either.
"""

from __future__ import annotations

import asyncio
import functools
import socket
import ssl
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fault_matrix import ATTEMPTS, LOAD_PATH
from test_tui_faults import SIZE, open_editor_on, rendered, screen_text
from textual.widgets import Input
from tui_helpers import wait_for

from dixa_tui.api.errors import MAYBE_APPLIED
from dixa_tui.api.ratelimit import RetryPolicy
from dixa_tui.journal import Journal
from dixa_tui.mock import Knobs, MockState, create_app
from dixa_tui.mock.faults import Fault, FaultTransport
from dixa_tui.session.settings import Settings
from dixa_tui.tui.app import DixaApp
from dixa_tui.tui.screens.editor import EditorScreen
from dixa_tui.tui.widgets.definitions import DefinitionList
from dixa_tui.tui.widgets.errorbar import ErrorBar

TRY = 0.3  # seconds a try may take here (the product's TRY_TIMEOUT is 20 s)


class _Drip(httpx.AsyncByteStream):
    """Headers came; then one byte every ``every`` seconds, for ever."""

    def __init__(self, every: float) -> None:
        self.every = every

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while True:
            yield b" "
            await asyncio.sleep(self.every)


class DrippingPatches(httpx.AsyncBaseTransport):
    """Dixa applies each PATCH, then drips its answer (``dripping`` off: answers whole)."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.dripping = True
        self.patches = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if request.method != "PATCH" or not self.dripping:
            return response
        self.patches += 1
        await response.aread()  # the write is applied: only the answer is lost
        await response.aclose()
        return httpx.Response(200, headers={"content-type": "application/json",
                                            "content-length": "100000"},
                              stream=_Drip(0.02), request=request)


@pytest.fixture
def short_tries(monkeypatch: pytest.MonkeyPatch) -> float:
    monkeypatch.setattr("dixa_tui.api.client.TRY_TIMEOUT", TRY)
    return TRY


async def test_a_send_to_a_dripping_dixa_ends_keeps_the_draft_and_says_unknown(
        state: MockState, knobs: Knobs, short_tries: float) -> None:
    drip = DrippingPatches(httpx.ASGITransport(app=create_app(state, knobs=knobs)))
    app = DixaApp(Settings(demo=True), transport_factory=lambda: drip)
    number = next(d.id for d in state.definitions if d.identifier == "order_number")
    async with app.run_test(size=SIZE) as pilot:
        editor = await open_editor_on(pilot, app, state, "order_number")
        editor.query_one("#text-value", Input).value = "100-DRIP"
        await pilot.pause()
        started = time.monotonic()
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: editor.sending)
        bar = editor.query_one(ErrorBar)
        await wait_for(pilot, lambda: bar.shown, timeout=ATTEMPTS * short_tries + 10)
        took = time.monotonic() - started
        await pilot.pause()
        print(f"\nTUI send to a dripping Dixa ended after {took:.2f} s "
              f"({drip.patches} tries of at most {short_tries} s)")
        assert drip.patches == ATTEMPTS  # each try cut at the bound, then tried again
        assert took < ATTEMPTS * short_tries + 10  # 1.3 s measured; room for a loaded machine
        text = rendered(bar)
        assert f"did not finish answering within {short_tries:g} s" in text
        assert MAYBE_APPLIED in text and "Press ctrl+r to retry" in text
        # the draft is all there, the status says the outcome is unknown
        assert not editor.sending and editor.staged == {number: "100-DRIP"}
        assert editor.query_one("#text-value", Input).value == "100-DRIP"
        assert "Outcome unknown: your staged edits are kept." in rendered(
            editor.query_one("#status"))
        assert "Outcome unknown" in screen_text(app)
        # the journal says unknown too, with what was sent
        with Journal.open() as journal:
            [entry] = journal.history(limit=1)
        assert entry.outcome == "unknown" and entry.origin == "tui"
        assert entry.body == {number: "100-DRIP"} and entry.completed_at is not None
        # the editor is usable again: edit, send (Dixa answers whole now), then close
        editor.query_one("#text-value", Input).value = "100-DRY"
        await pilot.pause()
        drip.dripping = False
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: "Sent 1 change" in rendered(editor.query_one("#status")))
        assert state.conversation_values(10001)[number] == "100-DRY"
        editor.query_one("#attributes", DefinitionList).focus()
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, EditorScreen))


@pytest.fixture
def patient_429s(monkeypatch: pytest.MonkeyPatch) -> None:
    """The product's 429 rule (retried for the budget, no count), with waits long enough
    that a test is over before the second try."""
    monkeypatch.setattr("dixa_tui.api.client.RetryPolicy",
                        functools.partial(RetryPolicy, base_delay=40.0, max_delay=40.0))


async def test_the_first_load_waiting_out_a_429_says_so_in_the_notices_words(
        faults: FaultTransport, patient_429s: None) -> None:
    faults.add("GET", LOAD_PATH, Fault.http(429, "Too many requests"))
    app = DixaApp(Settings(demo=True), transport_factory=lambda: faults)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: "try 2" in screen_text(app))
        line = next(row for row in screen_text(app).splitlines() if "try 2" in row)
        assert "Loading definitions… try 2; a rate limit is waited out for up to 45 s" \
            in line
        assert "try 2 of" not in line  # a 429 has no count of tries, only the budget
        assert faults.attempts_at("GET", LOAD_PATH) == 1


def _unmendable(cause: BaseException) -> httpx.MockTransport:
    def fail(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(str(cause), request=request) from cause

    return httpx.MockTransport(fail)


CERTIFICATE = ssl.SSLCertVerificationError(1, "[SSL: CERTIFICATE_VERIFY_FAILED] certificate "
                                              "verify failed: self-signed certificate")
CERTIFICATE.verify_message = "self-signed certificate"
UNKNOWN_NAME = socket.gaierror(socket.EAI_NONAME, "Name or service not known")


@pytest.mark.parametrize(("cause", "says"), [
    (CERTIFICATE, "certificate verification failed for demo.dixa.invalid"),
    (UNKNOWN_NAME, "name demo.dixa.invalid could not be resolved"),
], ids=["tls", "dns"])
async def test_a_certificate_or_name_failure_offers_no_retry(
        cause: BaseException, says: str) -> None:
    calls: list[Any] = []

    def transport() -> httpx.AsyncBaseTransport:
        calls.append(1)
        return _unmendable(cause)

    app = DixaApp(Settings(demo=True), transport_factory=transport)
    async with app.run_test(size=SIZE) as pilot:
        bar = app.main_screen.query_one(ErrorBar)
        await wait_for(pilot, lambda: bar.shown)
        await pilot.pause()
        text = rendered(bar)
        assert says in text
        assert "ctrl+r" not in text and text.rstrip().endswith("Press escape to dismiss.")
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert bar.shown and any("Nothing to retry" in str(n.message)
                                 for n in app._notifications)


def test_only_unmendable_network_failures_lose_the_retry() -> None:
    from dixa_tui.api.errors import DixaNetworkError

    assert not DixaNetworkError("op", "x", kind="tls").retryable
    assert not DixaNetworkError("op", "x", kind="dns").retryable
    assert DixaNetworkError("op", "x", kind="dns", retryable=True).retryable  # EAI_AGAIN
    for kind in ("refused", "connect", "timeout", "slow", "reset", "closed", "other"):
        assert DixaNetworkError("op", "x", kind=kind).retryable
    assert not DixaNetworkError("op", "x", kind="tls").redacted("x").retryable
