"""Every CLI command with a sentinel key, failures included: the sentinel appears in no
output and in no file under the test's HOME, XDG dirs or working directory."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from dixa_tui.cli import main
from dixa_tui.mock.demo import DEMO_CONVERSATION_ID, DEMO_END_USER_ID

SENTINEL = "sk-LEAK-SENTINEL-7f3a9c01d2"


def _echo_app() -> Starlette:
    """A hostile server that echoes the received Authorization header back: in a JSON
    message, in a header of a non-JSON success, and deep inside a long non-JSON error."""

    async def echo(request: Request) -> Response:
        auth = request.headers.get("authorization", "")
        mode = request.url.path.split("/")[1]  # the base URL's first segment picks the trick
        if mode == "json":
            return JSONResponse({"message": f"denied for {auth}"}, status_code=403)
        if mode == "header":
            return Response("<html>", media_type=f"text/html; echo={auth}")
        return Response("x" * 190 + auth + "y" * 40, status_code=400)

    return Starlette(routes=[Route("/{path:path}", echo, methods=["GET", "PATCH"])])


def _files_containing(root: Path, needle: bytes) -> list[Path]:
    hits = []
    for path in root.rglob("*"):
        if path.is_file() and not path.is_symlink():
            try:
                if needle in path.read_bytes():
                    hits.append(path)
            except OSError:
                pass
    return hits


def test_sentinel_never_leaks(serve_mock, serve_asgi, home, tmp_path, monkeypatch,
                              memory_keyring):
    monkeypatch.chdir(tmp_path)
    good_url, _, _ = serve_mock(api_key=SENTINEL)
    other_url, _, _ = serve_mock(api_key="another-key")
    outputs: list[str] = []
    runner = CliRunner()

    def cli(*args: str, url: str = good_url, stdin: str | None = None,
            env_key: bool = True) -> int:
        env = {"DIXA_API_KEY": SENTINEL} if env_key else {"DIXA_API_KEY": ""}
        result = runner.invoke(main, ["--base-url", url, *args], input=stdin, env=env)
        outputs.extend([result.stdout, result.stderr, repr(result.exception)])
        return result.exit_code

    user, conv = DEMO_END_USER_ID, str(DEMO_CONVERSATION_ID)
    codes = [
        cli("definitions", "list"),
        cli("definitions", "list", "--json", "--include-archived"),
        cli("definitions", "show", "contact_reason"),
        cli("definitions", "show", "contact_reason", "--json"),
        cli("definitions", "show", "nothing_like_this"),
        cli("patch", "enduser", user, "--set", "customer_tier=silver", "--dry-run"),
        cli("patch", "enduser", user, "--set", "customer_tier=silver", "--json"),
        cli("patch", "enduser", user, "--clear", "loyalty_id"),
        cli("patch", "enduser", user, "--set", "order_number=x"),
        cli("patch", "conversation", conv, "--set", "contact_reason=delivery/late"),
        cli("patch", "conversation", conv, "--set", "contact_reason=payment/invoice",
            "--force"),
        cli("patch", "conversation", conv, "--set", "contact_reason=delivery"),
        cli("patch", "conversation", "999999", "--set", "order_number=1"),
        cli("definitions", "list", url=other_url),
        cli("definitions", "list", url="http://127.0.0.1:9"),
        cli("auth", "set", stdin=SENTINEL + "\n", env_key=False),
        cli("auth", "status", env_key=False),
        cli("auth", "status"),
        cli("definitions", "list", env_key=False),
        cli("auth", "clear", env_key=False),
    ]
    echo_url = serve_asgi(_echo_app())
    for trick in ("json", "header", "long"):
        codes.append(cli("definitions", "list", url=f"{echo_url}/{trick}"))
        codes.append(cli("patch", "conversation", conv, "--set", "order_number=1",
                         url=f"{echo_url}/{trick}"))
    bad_env = runner.invoke(main, ["--base-url", good_url, "definitions", "list"],
                            env={"DIXA_API_KEY": SENTINEL + "\x1b"})
    outputs.extend([bad_env.stdout, bad_env.stderr])
    assert bad_env.exit_code == 2 and "DIXA_API_KEY" in bad_env.stderr
    assert codes == [0, 0, 0, 0, 2, 0, 0, 0, 2, 0, 1, 2, 1, 1, 1, 0, 0, 0, 0, 0] + [1] * 6
    assert memory_keyring.store == {}  # auth clear removed it
    assert any("HTTP 403" in o and "[redacted]" in o for o in outputs)

    port_proc = _serve_process(SENTINEL)
    outputs.extend(port_proc)
    leaks = [o for o in outputs if SENTINEL in o]
    assert leaks == []
    roots = {home, tmp_path, Path(os.environ["XDG_CONFIG_HOME"]),
             Path(os.environ["XDG_STATE_HOME"]), Path(os.environ["XDG_CACHE_HOME"])}
    for root in roots:
        assert _files_containing(root, SENTINEL.encode()) == []


def _serve_process(key: str) -> list[str]:
    """`mock serve --key SENTINEL` as a process, hit with a right and a wrong key."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "dixa_tui", "mock", "serve", "--port",
                             str(port), "--key", key], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{port}/beta/custom-attributes",
                          headers={"Authorization": "wrong"})
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    pytest.fail("mock serve did not start")
                time.sleep(0.1)
        ok = httpx.get(f"http://127.0.0.1:{port}/v1/custom-attributes",
                       headers={"Authorization": key})
        assert ok.status_code == 200
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=10)
    return [out, err]
