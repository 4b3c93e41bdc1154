"""The CLI through every fault: one clear message (what failed, Dixa's own words, what to do),
exit code 1, no traceback, nothing of the key, retries proven by the attempts counted.

Most cases run the real commands in-process with the fault transport behind the client; the
ones where the real network stack behaves differently (a refused port, a connection that
drops mid-body, the mock's own 429 and 503 knobs, a process's real stderr) also run over
loopback HTTP.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest
from click.testing import CliRunner, Result
from fault_matrix import (
    ATTEMPTS,
    CASE_IDS,
    CASES,
    LOAD_OP,
    LOAD_PATH,
    NOT_SENT,
    PATCH_OP,
    PATCH_PATH,
    UNKNOWN,
    Case,
    advice,
)

from dixa_tui.cli import main
from dixa_tui.mock import DEMO_API_KEY, Knobs, MockState, create_app
from dixa_tui.mock.faults import Fault, FaultTransport
from dixa_tui.session import core

SET = ("--set", "order_number=100-7777")


def invoke(*args: str, key: str | None = None) -> Result:
    # color=True: click would strip CSI sequences from a non-terminal itself; the product
    # must not rely on that, a terminal gets what is echoed.
    result = CliRunner().invoke(main, list(args), color=True,
                                env={"DIXA_API_KEY": key} if key else {})
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        repr(result.exception)
    return result


@pytest.fixture
def cli(faults: FaultTransport, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Result]:
    """``cli(*args)`` runs ``dixa-tui --demo *args`` with the fault transport behind it."""
    real = core.open_client

    def with_faults(profile: Any, key: Any, transport: Any = None) -> Any:
        return real(profile, key, faults)

    monkeypatch.setattr(core, "open_client", with_faults)
    return lambda *args: invoke("--demo", *args)


def order_number(state: MockState) -> str:
    return next(d.id for d in state.definitions if d.identifier == "order_number")


def check_failure(result: Result, case: Case, operation: str, step: str) -> list[str]:
    """Exit 1; stderr is the error line (operation, status or kind, Dixa's message shown
    literally) and the hint; returns stderr's lines."""
    assert result.exit_code == 1, result.output
    lines = result.stderr.splitlines()
    error = next(line for line in lines if line.startswith("Error: "))
    assert error.startswith(f"Error: {operation}: ") and case.says in error
    if case.shown is not None:
        assert case.shown in error
    hint = lines[lines.index(error) + 1]
    assert advice(case, step) in hint
    text = result.output + result.stderr
    assert "Traceback" not in text and "\x1b" not in text and "\x07" not in text
    assert DEMO_API_KEY not in text
    return lines


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_load(case: Case, cli, faults: FaultTransport) -> None:
    faults.add("GET", LOAD_PATH, case.fault)
    result = cli("definitions", "list")
    check_failure(result, case, LOAD_OP, "load")
    assert result.stdout == ""
    assert faults.attempts_at("GET", LOAD_PATH) == case.attempts()
    faults.clear()
    assert cli("definitions", "list").exit_code == 0


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_send(case: Case, cli, faults: FaultTransport, state: MockState, knobs: Knobs) -> None:
    number = order_number(state)
    before = state.conversation_values(10001)[number]
    faults.add("PATCH", PATCH_PATH, case.fault)
    result = cli("patch", "conversation", "10001", *SET)
    lines = check_failure(result, case, PATCH_OP, "send")
    hint = lines[-1]
    assert case.write_note in hint, hint
    assert "Updated" not in result.stderr and result.stdout == ""
    assert '"100-7777"' in result.stderr  # the body that was to be sent stays on screen
    assert faults.attempts_at("PATCH", PATCH_PATH) == case.attempts()
    assert knobs.writes == (case.attempts() if case.applied else 0)
    now = state.conversation_values(10001)[number]
    assert now == ("100-7777" if case.applied else before)
    faults.clear()  # the same command, run again, goes through
    again = cli("patch", "conversation", "10001", *SET)
    assert again.exit_code == 0 and "Updated 1 attribute" in again.stderr
    assert state.conversation_values(10001)[number] == "100-7777"


@pytest.mark.parametrize("case", [c for c in CASES if c.id in ("401", "503", "reset-mid-body")],
                         ids=lambda c: c.id)
def test_patch_stops_when_the_definitions_do_not_load(case: Case, cli,
                                                      faults: FaultTransport) -> None:
    faults.add("GET", LOAD_PATH, case.fault)
    check_failure(cli("patch", "conversation", "10001", *SET), case, LOAD_OP, "load")
    assert faults.attempts_at("PATCH", PATCH_PATH) == 0


def test_usage_and_validation_errors_stay_exit_2(cli, faults: FaultTransport) -> None:
    faults.add("PATCH", PATCH_PATH, Fault.http(503, "down"))
    nothing = cli("patch", "conversation", "10001")
    unknown = cli("patch", "conversation", "10001", "--set", "no_such_attribute=1")
    click_usage = cli("definitions", "list", "--entity", "robots")
    assert (nothing.exit_code, unknown.exit_code, click_usage.exit_code) == (2, 2, 2)
    assert faults.attempts_at("PATCH", PATCH_PATH) == 0
    assert faults.attempts_at("GET", LOAD_PATH) == 1  # only the check of the edit needed it


# -- over loopback HTTP: the real network stack ------------------------------------------


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.loopback
def test_a_refused_port_over_the_network() -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    for args in (("definitions", "list"), ("patch", "conversation", "10001", *SET)):
        result = invoke("--base-url", url, *args, key="k")
        assert result.exit_code == 1 and "\x1b" not in result.stderr
        assert "Error: list definitions: could not connect" in result.stderr
        assert "Check your network and the base URL" in result.stderr
        assert "Traceback" not in result.output


def truncating(app: Any, method: str, path: str) -> Any:
    """``app`` whose answers to ``method path`` stop halfway through the declared body: the
    server then closes the connection, as a crashed or restarted Dixa node would."""

    async def wrapper(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] != method or \
                not re.fullmatch(path, scope["path"]):
            await app(scope, receive, send)
            return

        async def cut(message: Any) -> None:
            if message["type"] == "http.response.body":
                body = message.get("body", b"")
                await send({"type": "http.response.body", "body": body[:len(body) // 2],
                            "more_body": True})
                raise ConnectionResetError("the node went away")  # uvicorn drops the socket
            await send(message)

        await app(scope, receive, cut)

    return wrapper


@pytest.mark.loopback
def test_a_reset_mid_body_over_the_network(serve_asgi, state: MockState, knobs: Knobs) -> None:
    app = create_app(state, knobs=knobs)
    url = serve_asgi(truncating(app, "PATCH", r"/beta/conversations/\d+/custom-attributes"))
    number = order_number(state)
    result = invoke("--base-url", url, "patch", "conversation", "10001", *SET, key=DEMO_API_KEY)
    assert result.exit_code == 1, result.output
    assert f"Error: {PATCH_OP}: the connection was closed mid-response" in result.stderr
    assert UNKNOWN in result.stderr and "Traceback" not in result.output
    # Every attempt reached the server and was applied: the same absolute value each time.
    assert knobs.writes == ATTEMPTS
    assert state.conversation_values(10001)[number] == "100-7777"


@pytest.mark.loopback
def test_the_mocks_503_and_429_knobs_over_the_network(serve_mock) -> None:
    import httpx

    url, _, knobs = serve_mock(knobs=Knobs(failure_rate=1.0, failure_status=503))
    failed = invoke("--base-url", url, "definitions", "list", key=DEMO_API_KEY)
    assert failed.exit_code == 1 and "HTTP 503: Injected failure" in failed.stderr
    assert knobs.failures == ATTEMPTS
    knobs.failure_rate, knobs.rate_limit, knobs.burst = 0.0, 0.001, 1
    httpx.get(f"{url}/beta/custom-attributes", headers={"Authorization": DEMO_API_KEY})
    limited = invoke("--base-url", url, "definitions", "list", key=DEMO_API_KEY)
    assert limited.exit_code == 1 and "HTTP 429: Too many requests" in limited.stderr
    assert "rate limit" in limited.stderr and knobs.rate_limited == ATTEMPTS


@pytest.mark.loopback
def test_a_real_process_prints_hostile_messages_literally(serve_asgi) -> None:
    from starlette.responses import JSONResponse

    case = next(c for c in CASES if c.id == "409")
    hostile = JSONResponse({"message": case.dixa}, status_code=409)
    url = serve_asgi(hostile)
    env = {**os.environ, "DIXA_API_KEY": "sk-process-9f3a"}
    done = subprocess.run([sys.executable, "-m", "dixa_tui", "--base-url", url,
                           "definitions", "list"], capture_output=True, text=True, timeout=60,
                          stdin=subprocess.DEVNULL, env=env)
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.splitlines() == [
        f"Error: {LOAD_OP}: HTTP 409: {case.shown}",
        "Dixa reports a conflict with what it holds now: reload, check the values and try "
        "again."]


def test_refused_patch_says_nothing_was_sent(cli, faults: FaultTransport) -> None:
    faults.add("PATCH", PATCH_PATH, Fault.refused())
    result = cli("patch", "conversation", "10001", *SET)
    assert result.exit_code == 1 and NOT_SENT in result.stderr


def test_each_retry_is_said_on_stderr(cli, faults: FaultTransport) -> None:
    """A script's log shows why a command was slow: one warning per retry, Dixa's message
    cleaned of escape sequences, the key blanked; stdout is the data alone."""
    faults.add("GET", LOAD_PATH, Fault.http(503, f"Busy \x1b[31m{DEMO_API_KEY}\x1b[0m [b]"),
               times=2)
    result = cli("definitions", "list", "--json")
    assert result.exit_code == 0 and json.loads(result.stdout)
    said = [line for line in result.stderr.splitlines() if line.startswith("Warning: ")]
    assert len(said) == 2
    for n, line in enumerate(said, start=2):
        assert line.startswith(f"Warning: {LOAD_OP}: HTTP 503: Busy [redacted] [b]; "
                               "trying again in ")
        assert line.endswith(f" s (try {n} of {ATTEMPTS}).")
    assert "\x1b" not in result.stderr and DEMO_API_KEY not in result.stderr
