"""A tiny HTTP/1.1 server on loopback for answers no framework sends: dripping bodies, gzip
bombs, exact bytes. ``serve(answer)`` runs in the test's own event loop."""

from __future__ import annotations

import asyncio
import struct
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

MB = 1024 * 1024
Answer = Callable[[asyncio.StreamWriter], Awaitable[None]]


@asynccontextmanager
async def serve(answer: Answer) -> AsyncIterator[tuple[str, list[str]]]:
    """``(base_url, request_lines)``: every request's first line is recorded, then ``answer``
    writes the response."""
    seen: list[str] = []
    tasks: set[asyncio.Task[None]] = set()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            tasks.add(task)
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            seen.append(head.split(b"\r\n", 1)[0].decode())
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            if length:
                await reader.readexactly(length)
            await answer(writer)
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass  # the client hung up, or the test is over
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}", seen
    finally:
        server.close()
        for task in list(tasks):
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def head(status: int = 200, length: int | None = None, **headers: str) -> bytes:
    lines = [f"HTTP/1.1 {status} X"]
    if length is not None:
        lines.append(f"Content-Length: {length}")
    lines += [f"{k.replace('_', '-')}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def gzip_bomb(inflated_mb: int) -> bytes:
    """A valid gzip body of about ``inflated_mb / 1000`` MB that inflates to ``inflated_mb``
    MB of zeros: one compressed megabyte, repeated (each copy ends with a full flush, so it
    stands alone), built in well under a second."""
    piece = zlib.compressobj(9, zlib.DEFLATED, -15)
    segment = piece.compress(b"\0" * MB) + piece.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    zeros = b"\0" * MB
    for _ in range(inflated_mb):
        crc = zlib.crc32(zeros, crc)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    trailer = struct.pack("<II", crc, (inflated_mb * MB) & 0xFFFFFFFF)
    return header + segment * inflated_mb + b"\x03\x00" + trailer
