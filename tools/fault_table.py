"""The README's "When Dixa fails" table, measured: every fault run through the real client.

``python -m tools.readme README.md`` rewrites the block between ``<!-- faults:start -->`` and
``<!-- faults:end -->`` (``make readme``); a test keeps it in sync. Each
row comes from what the client does against the embedded mock behind a ``FaultTransport``:
the message and hint of the error, and how many attempts reached the wire with the default
``RetryPolicy``, run on a virtual time line (its waits and a read timeout's 20 s pass on the
policy's clock, not the wall's; its jitter drawn from a fixed seed), so the time budget shows
as it would with a real Dixa: a 429 is retried until the budget is spent. Nothing in the table
is typed by hand.
"""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass, replace

import httpx

from dixa_tui.api.client import DEFAULT_TIMEOUT, DixaClient
from dixa_tui.api.constants import DEFAULT_BASE_URL
from dixa_tui.api.errors import DixaError
from dixa_tui.api.ratelimit import RetryPolicy
from dixa_tui.mock.app import DEMO_API_KEY, create_app
from dixa_tui.mock.faults import Fault, FaultTransport
from dixa_tui.mock.state import MockState

DIXAS_MESSAGE = "Dixa's message"
LOAD_PATH = "/custom-attributes"
PATCH_PATH = "/conversations/*/custom-attributes"
CONVERSATION = 10001
SEED = 16  # the jitter's: the table must come out the same every time
STATUSES = (400, 401, 403, 404, 409, 422, 429, 500, 502, 503, 504)
FAULTS: list[tuple[str, Fault]] = [
    *((f"HTTP {s}" + (" (sustained)" if s == 429 else ""), Fault.http(s, DIXAS_MESSAGE))
      for s in STATUSES),
    ("Read timeout", Fault.read_timeout()),
    ("Connection refused", Fault.refused()),
    ("Connection reset mid-body", Fault.reset()),
    ("200 with a non-JSON body", Fault.not_json()),
    ("200 with JSON of the wrong shape", Fault.wrong_shape()),
    ("200 with an empty body", Fault.empty()),
]


@dataclass(frozen=True)
class Row:
    fault: str
    shown: str  # the error line after the operation's name
    advice: str  # what to do
    tries_get: int
    tries_patch: int
    patch_outcome: str  # what a failed PATCH says about the change


class _Clocked(httpx.AsyncBaseTransport):
    """Each request moves ``clock`` on by ``cost`` seconds: what a try took."""

    def __init__(self, inner: httpx.AsyncBaseTransport, clock: list[float], cost: float) -> None:
        self.inner, self.clock, self.cost = inner, clock, cost

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            return await self.inner.handle_async_request(request)
        finally:
            self.clock[0] += self.cost


async def _fail(fault: Fault, method: str) -> tuple[DixaError, int]:
    """The error the client raises when every ``method`` request meets ``fault``."""
    transport = FaultTransport(httpx.ASGITransport(app=create_app(MockState.demo())))
    path = LOAD_PATH if method == "GET" else PATCH_PATH
    transport.add(method, path, fault)
    now = [0.0]
    cost = (DEFAULT_TIMEOUT.read or 0.0) if fault.kind == "read-timeout" else 0.0

    async def wait(seconds: float) -> None:
        now[0] += seconds

    virtual = replace(RetryPolicy(), rng=random.Random(SEED), clock=lambda: now[0],
                      sleep=wait)
    async with DixaClient(DEMO_API_KEY, base_url=DEFAULT_BASE_URL, rate=0, retry=virtual,
                          transport=_Clocked(transport, now, cost)) as client:
        try:
            if method == "GET":
                await client.list_definitions()
            else:
                await client.patch_conversation_attributes(CONVERSATION, {})
        except DixaError as exc:
            return exc, transport.attempts_at(method, path)
    raise RuntimeError(f"{fault} did not fail the {method}")


async def measure() -> list[Row]:
    rows = []
    for name, fault in FAULTS:
        load, tries_get = await _fail(fault, "GET")
        patch, tries_patch = await _fail(fault, "PATCH")
        shown = load.summary().removeprefix(f"{load.operation}: ")
        advice = load.advice if patch.advice == load.advice else \
            f"{load.advice} For a PATCH: {patch.advice}"
        rows.append(Row(name, shown, advice, tries_get, tries_patch, patch.outcome))
    return rows


def markdown(rows: list[Row] | None = None) -> str:
    rows = rows if rows is not None else asyncio.run(measure())
    lines = ["| Fault | Shown after the operation | What to do | Tries: GET / PATCH "
             "| A failed PATCH adds |", "|---|---|---|---|---|"]
    lines += [f"| {r.fault} | `{r.shown}` | {r.advice} | {r.tries_get} / {r.tries_patch} "
              f"| {r.patch_outcome} |" for r in rows]
    return "\n".join(lines) + "\n"
