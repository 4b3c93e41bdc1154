"""Faults on demand: an httpx transport that breaks chosen requests the ways Dixa and networks do.

``FaultTransport`` wraps another transport (normally the embedded mock's
``httpx.ASGITransport``) and applies per-request rules: a method and a path pattern, a
``Fault``, and how many times (or always). Requests no rule claims pass through untouched.
It counts every attempt it sees per operation, so a test can prove how often the client
retried. The mock's knobs (latency, rate limit, failure rate) act inside the wrapped app;
these faults act on the wire around it, where a server alone cannot reach: a refused
connection, a read timeout, a connection that drops mid-body, a proxy's HTML page.

Whether a fault lets the request reach the server first is part of the fault
(``Fault.reaches_server``): an HTTP error status is an answer instead of processing, but a
read timeout, a reset mid-body or a garbled success body come after the server has done
the work. For a PATCH that difference is whether the change was applied.

No Textual here: the client's tests, the CLI's and the TUI's all use it.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from typing import Literal

import httpx

FaultKind = Literal["status", "read-timeout", "refused", "reset", "not-json", "wrong-shape",
                    "empty"]
API_PREFIXES = ("/v1", "/beta")
NOT_JSON = b"<html><body><h1>502 Bad Gateway</h1>nginx</body></html>"
WRONG_SHAPE = {"data": {"unexpected": "an object where Dixa sends a list"}, "meta": "?"}


@dataclass(frozen=True)
class Fault:
    """One way a request goes wrong. Build with the class methods."""

    kind: FaultKind
    reaches_server: bool
    status: int = 200
    message: str = ""
    headers: tuple[tuple[str, str], ...] = ()
    after_bytes: int | None = None

    @classmethod
    def http(cls, status: int, message: str, *, retry_after: str | None = None) -> Fault:
        """Dixa's error answer ``{"message": ...}`` with ``status``, sent instead of
        processing the request (the server's state is untouched)."""
        headers = (("Retry-After", retry_after),) if retry_after is not None else ()
        return cls("status", False, status=status, message=message, headers=headers)

    @classmethod
    def read_timeout(cls) -> Fault:
        """The server gets the request and does the work; the answer never arrives."""
        return cls("read-timeout", True)

    @classmethod
    def refused(cls) -> Fault:
        """Nothing listens: the request never leaves the machine."""
        return cls("refused", False)

    @classmethod
    def reset(cls, after_bytes: int | None = None) -> Fault:
        """The server answers, then the connection drops mid-body (after ``after_bytes``,
        default half the body)."""
        return cls("reset", True, after_bytes=after_bytes)

    @classmethod
    def not_json(cls) -> Fault:
        """A 200 whose body is an HTML page (a proxy or a captive portal answered)."""
        return cls("not-json", True)

    @classmethod
    def wrong_shape(cls) -> Fault:
        """A 200 with JSON that is not the shape Dixa sends."""
        return cls("wrong-shape", True)

    @classmethod
    def empty(cls) -> Fault:
        """A 200 with no body at all."""
        return cls("empty", True)


@dataclass
class Rule:
    """``method`` and ``path`` (``*`` is one path segment; the ``/v1`` or ``/beta`` prefix is
    not part of it) pick the requests; ``times`` is how many of them fail (None: all)."""

    method: str
    path: str
    fault: Fault
    times: int | None = None
    hits: int = 0
    _pattern: re.Pattern[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.method = self.method.upper()
        parts = (re.escape(p) for p in self.path.split("*"))
        self._pattern = re.compile("[^/]+".join(parts))

    def matches(self, method: str, route: str) -> bool:
        if self.times is not None and self.hits >= self.times:
            return False
        return method == self.method and self._pattern.fullmatch(route) is not None


def route_of(path: str) -> str:
    """The path without the API version prefix: ``/beta/endusers/x`` -> ``/endusers/x``."""
    for prefix in API_PREFIXES:
        if path == prefix or path.startswith(prefix + "/"):
            return path[len(prefix):] or "/"
    return path


class FaultTransport(httpx.AsyncBaseTransport):
    """Applies the first matching rule to each request; ``attempts`` counts every request
    seen, by ``"METHOD /route"`` (retries included, faulted or not)."""

    def __init__(self, inner: httpx.AsyncBaseTransport, rules: Iterable[Rule] = ()) -> None:
        self.inner = inner
        self.rules: list[Rule] = list(rules)
        self.attempts: Counter[str] = Counter()

    def add(self, method: str, path: str, fault: Fault, times: int | None = None) -> Rule:
        rule = Rule(method, path, fault, times)
        self.rules.append(rule)
        return rule

    def clear(self) -> None:
        """Remove every rule: from now on every request passes through."""
        self.rules.clear()

    def attempts_at(self, method: str, path: str) -> int:
        """How many requests matched ``method`` and the ``path`` pattern (rules' syntax)."""
        probe = Rule(method, path, Fault.refused())
        return sum(n for key, n in self.attempts.items()
                   if probe.matches(*key.split(" ", 1)))

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        method, route = request.method.upper(), route_of(request.url.path)
        self.attempts[f"{method} {route}"] += 1
        rule = next((r for r in self.rules if r.matches(method, route)), None)
        if rule is None:
            return await self.inner.handle_async_request(request)
        rule.hits += 1
        return await self._apply(rule.fault, request)

    async def _apply(self, fault: Fault, request: httpx.Request) -> httpx.Response:
        if fault.kind == "refused":  # chained as httpx chains the real one
            raise httpx.ConnectError("[Errno 111] Connection refused",
                                     request=request) from ConnectionRefusedError(
                                         111, "Connection refused")
        if fault.kind == "status":
            return httpx.Response(fault.status, headers=list(fault.headers),
                                  json={"message": fault.message}, request=request)
        # Every other fault comes after the server has processed the request.
        real = await self.inner.handle_async_request(request)
        body = await real.aread()
        await real.aclose()
        if fault.kind == "read-timeout":
            raise httpx.ReadTimeout("The read operation timed out", request=request)
        if fault.kind == "reset":
            cut = len(body) // 2 if fault.after_bytes is None else fault.after_bytes
            return httpx.Response(real.status_code, headers=real.headers,
                                  stream=_Truncated(body[:cut]), request=request)
        if fault.kind == "not-json":
            return httpx.Response(200, content=NOT_JSON,
                                  headers={"content-type": "text/html"}, request=request)
        if fault.kind == "wrong-shape":
            return httpx.Response(200, content=json.dumps(WRONG_SHAPE).encode(),
                                  headers={"content-type": "application/json"},
                                  request=request)
        return httpx.Response(200, content=b"", headers={"content-type": "application/json"},
                              request=request)

    async def aclose(self) -> None:
        await self.inner.aclose()


class _Truncated(httpx.AsyncByteStream):
    """A body that yields ``head`` and then finds the connection reset by the peer."""

    def __init__(self, head: bytes) -> None:
        self._head = head

    async def __aiter__(self) -> AsyncIterator[bytes]:
        if self._head:
            yield self._head
        raise httpx.ReadError("[Errno 104] Connection reset by peer")
