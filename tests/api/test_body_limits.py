"""Unbounded answers are bounded: a body past its cap is refused (a success) or cut (an
error) as it streams in, a gzip bomb fails fast without inflating, and a server's message is
shown as an excerpt that says how much was left out."""

from __future__ import annotations

import asyncio
import json
import sys
import time
import zlib
from pathlib import Path
from typing import Any

import httpx
import pytest
from rawhttp import MB, gzip_bomb, head, serve

from dixa_tui.api import body as body_module
from dixa_tui.api.client import DixaClient
from dixa_tui.api.constants import MAX_BODY_BYTES, MAX_ERROR_BODY_BYTES
from dixa_tui.api.errors import (
    EXCERPT_LIMIT,
    MESSAGE_LIMIT,
    DixaApiError,
    DixaError,
    DixaResponseError,
)
from dixa_tui.api.ratelimit import RetryPolicy

ONE_TRY = RetryPolicy(max_attempts=1)
ROOT = Path(__file__).resolve().parents[2]


def client(url: str, **kw: Any) -> DixaClient:
    return DixaClient("sk-test-key", base_url=url, rate=0, retry=ONE_TRY, **kw)


def test_the_caps_have_room_for_a_real_organization() -> None:
    assert MAX_BODY_BYTES >= 64 * MB  # 10,000 definitions are about 12 MB
    assert MAX_ERROR_BODY_BYTES >= MB


async def test_a_body_past_the_cap_is_refused_while_it_streams(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(body_module, "MAX_BODY_BYTES", 2 * MB)
    sent = []

    async def answer(writer: asyncio.StreamWriter) -> None:
        writer.write(head(200, 50 * MB, content_type="application/json"))
        for _ in range(50):
            writer.write(b" " * MB)
            await writer.drain()
            sent.append(1)

    async with serve(answer) as (url, _), client(url) as c:
        with pytest.raises(DixaResponseError) as info:
            await c.list_definitions()
    assert "larger than 2 MB" in str(info.value)
    assert len(sent) < 50  # it stopped reading: the rest was never taken


async def test_a_gzip_bomb_in_a_success_fails_fast_without_inflating() -> None:
    bomb = gzip_bomb(1024)  # 1 MB on the wire, 1 GB inflated

    async def answer(writer: asyncio.StreamWriter) -> None:
        writer.write(head(200, len(bomb), content_type="application/json",
                          content_encoding="gzip"))
        writer.write(bomb)
        await writer.drain()

    code = f"""
import asyncio, json, resource, sys, time
sys.path.insert(0, {str(ROOT)!r})
from dixa_tui.api.client import DixaClient
from dixa_tui.api.errors import DixaError
from dixa_tui.api.ratelimit import RetryPolicy
async def main():
    started = time.monotonic()
    async with DixaClient("k", base_url=sys.argv[1], rate=0,
                          retry=RetryPolicy(max_attempts=1)) as c:
        try:
            await c.list_definitions()
            error = None
        except DixaError as exc:
            error = str(exc)
    print(json.dumps({{"error": error, "seconds": time.monotonic() - started,
                      "rss_mb": peak_mb()}}))
def peak_mb():
    # VmHWM is this program's own peak: ru_maxrss would also count the pytest process's
    # memory, which the child shared between fork and exec.
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
asyncio.run(main())
"""
    async with serve(answer) as (url, _):
        child = await asyncio.create_subprocess_exec(
            sys.executable, "-c", code, url, stdout=asyncio.subprocess.PIPE)
        out, _ = await asyncio.wait_for(child.communicate(), 120)
    result = json.loads(out)
    print(f"\ngzip bomb: {result}")
    assert result["error"] is not None and "larger than 64 MB" in result["error"]
    assert result["seconds"] < 30
    assert result["rss_mb"] < 400  # it stopped at the cap: decoded whole, it took 2 GB


async def test_a_gzip_bomb_in_an_error_is_cut_not_inflated() -> None:
    bomb = gzip_bomb(256)

    async def answer(writer: asyncio.StreamWriter) -> None:
        writer.write(head(502, len(bomb), content_encoding="gzip"))
        writer.write(bomb)
        await writer.drain()

    async with serve(answer) as (url, _), client(url) as c:
        started = time.monotonic()
        with pytest.raises(DixaApiError) as info:
            await c.list_definitions()
    assert time.monotonic() - started < 5
    assert info.value.status == 502 and len(str(info.value)) < 800
    assert "1 MB" in info.value.message


async def test_a_fifty_megabyte_message_becomes_a_short_excerpt() -> None:
    message = "m" * 50_000_000
    body = json.dumps({"message": message}).encode()

    async def answer(writer: asyncio.StreamWriter) -> None:
        writer.write(head(400, len(body), content_type="application/json"))
        writer.write(body)
        await writer.drain()

    async with serve(answer) as (url, _), client(url) as c:
        started = time.monotonic()
        with pytest.raises(DixaApiError) as info:
            await c.list_definitions()
    assert time.monotonic() - started < 10
    text = str(info.value)
    assert len(text) < 800 and text.count("m") >= 200
    assert "1 MB" in text  # the cut says where


@pytest.mark.parametrize("as_json", [True, False], ids=["message", "text"])
async def test_a_long_message_within_the_cap_says_how_much_more(as_json: bool) -> None:
    message = "Invalid value: " + "v" * 400_000

    def answer_with(request: httpx.Request) -> httpx.Response:
        if as_json:
            return httpx.Response(400, json={"message": message})
        return httpx.Response(400, text=message)

    async with client("http://dixa.test", transport=httpx.MockTransport(answer_with)) as c:
        with pytest.raises(DixaApiError) as info:
            await c.list_definitions()
    text = str(info.value)
    limit = MESSAGE_LIMIT if as_json else EXCERPT_LIMIT  # Dixa's message, or a body's start
    assert text.startswith("list definitions: HTTP 400: Invalid value: vvv")
    assert len(text) < limit + 100
    assert text.endswith(f"… ({len(message) - limit:,} more characters)")


async def test_every_error_message_is_cut() -> None:
    """Whatever builds it, no error carries a message longer than a screen."""
    error = DixaError("op", "x" * 1_000_000)
    assert len(str(error)) < MESSAGE_LIMIT + 100 and "more characters" in str(error)


async def test_a_body_that_is_not_gzip_is_a_typed_error() -> None:
    def answer_with(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b"not gzip at all",
                              headers={"content-encoding": "gzip"})

    async with client("http://dixa.test", transport=httpx.MockTransport(answer_with)) as c:
        with pytest.raises(DixaError, match="could not be read"):
            await c.list_definitions()


async def test_an_encoding_we_did_not_ask_for_is_named() -> None:
    def answer_with(request: httpx.Request) -> httpx.Response:
        assert request.headers["accept-encoding"] == "gzip, deflate"
        return httpx.Response(200, content=b"\x00\x01", headers={"content-encoding": "br"})

    async with client("http://dixa.test", transport=httpx.MockTransport(answer_with)) as c:
        with pytest.raises(DixaError, match="'br'"):
            await c.list_definitions()


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "identity", ""])
async def test_ordinary_encodings_still_read(encoding: str) -> None:
    payload = json.dumps({"data": []}).encode()
    if encoding == "gzip":
        compressor = zlib.compressobj(6, zlib.DEFLATED, 31)
        payload = compressor.compress(payload) + compressor.flush()
    elif encoding == "deflate":
        payload = zlib.compress(payload)

    def answer_with(request: httpx.Request) -> httpx.Response:
        headers = {"content-encoding": encoding} if encoding else {}
        return httpx.Response(200, content=payload, headers=headers)

    async with client("http://dixa.test", transport=httpx.MockTransport(answer_with)) as c:
        assert (await c.list_definitions()).definitions == []
