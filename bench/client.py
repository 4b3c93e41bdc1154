"""Our Dixa client against raw httpx, and against Dixa's rate limit, over real loopback HTTP.

    python bench/client.py [--quick]

The embedded mock (demo organization) runs once, in a background thread, with uvicorn on a
free port of 127.0.0.1; every measurement reuses it and turns its knobs.

1. Throughput: N PATCHes (1,000; ``--quick``: 200) of ``order_number`` on conversations
   10001-10240 in turn, with the mock's rate limit off and 10 worker tasks pulling from one
   queue. Once through ``DixaClient`` (pacing off: ``rate=0``) and once through a minimal
   ``httpx.AsyncClient`` loop that sends the same bodies with the same headers (the raw key in
   ``Authorization``, the same User-Agent and Accept) and only checks the status. Both clients
   have httpx's default pool and 10 workers, so each opens at most 10 connections. Runs
   alternate (ours, raw, ours, raw, ...; 5 each, ``--quick``: 1) after one untimed warm-up of
   each, and the medians are compared: budget raw_time / ours_time >= 0.8. The mock shares
   the process (and the GIL) and dominates the wall time, which is noisy on a busy machine,
   so the CPU time of the client's own thread is reported too: that is what the client
   itself costs, and it varies far less.
2. Under Dixa's limit: the mock limits to 10/s in bursts of 4 (Dixa's), and M PATCHes (200;
   ``--quick``: 40) go through ``DixaClient`` with its default pacing (10/s, burst 3) and 10
   workers. The ideal is the fastest schedule Dixa admits without a 429: its 4-token burst at
   once, then one request every 100 ms, so the last one leaves at (M - 4) / 10 s (19.6 s; the
   plain M / 10 = 20 s would credit us with time Dixa does not make us wait). Budgets: elapsed
   within 10% of that ideal, and no 429 from the mock.

Every run checks that all its PATCHes landed: the mock counted N writes, every answer was a
2xx, and each conversation holds the value of the last PATCH sent to it.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from dixa_tui.api.client import USER_AGENT, DixaClient
from dixa_tui.api.ratelimit import CLIENT_BURST, DIXA_BURST, DIXA_RATE
from dixa_tui.mock import DEMO_API_KEY, Knobs, MockState, create_app

CONCURRENCY = 10
THROUGHPUT_PATCHES, QUICK_THROUGHPUT_PATCHES = 1000, 200
THROUGHPUT_REPEATS, QUICK_THROUGHPUT_REPEATS = 5, 1
PACED_PATCHES, QUICK_PACED_PATCHES = 200, 40
MIN_RATIO = 0.8
PACING_TOLERANCE = 0.10
API_VERSION = "beta"

Body = dict[str, str]
Job = tuple[int, Body]


@dataclass
class Mock:
    url: str
    state: MockState
    knobs: Knobs
    order_number: str  # the definition id of ``order_number``


@contextmanager
def served_mock() -> Iterator[Mock]:
    """The demo mock over loopback HTTP on a free port, in a daemon thread, until exit.

    ``serving`` binds a TCP socket (``IPPROTO_TCP``), so asyncio sets TCP_NODELAY and
    kept-alive requests do not wait ~40 ms for Nagle: the bench measures the client, not
    the kernel."""
    from dixa_tui.mock.server import serving

    state, knobs = MockState.demo(), Knobs()
    app = create_app(state, api_key=DEMO_API_KEY, knobs=knobs)
    order_number = next(d.id for d in state.definitions if d.identifier == "order_number")
    with serving(app) as url:
        yield Mock(url, state, knobs, order_number)


def jobs(mock: Mock, count: int, tag: str) -> list[Job]:
    """``count`` PATCHes over the demo's conversations in turn; ``tag`` marks the run."""
    ids = sorted(mock.state.conversations)
    return [(ids[i % len(ids)], {mock.order_number: f"100-{tag}-{i:04d}"})
            for i in range(count)]


@dataclass
class Timing:
    wall: float  # seconds
    cpu: float  # CPU seconds of the client's thread (the mock runs in another one)


async def drive(work: Sequence[Job], send: Callable[[int, Body], Awaitable[None]]) -> Timing:
    """How long ``CONCURRENCY`` workers take to ``send`` every job, pulled from one queue."""
    queue: asyncio.Queue[Job] = asyncio.Queue()
    for job in work:
        queue.put_nowait(job)

    async def worker() -> None:
        while not queue.empty():
            conversation_id, body = queue.get_nowait()
            await send(conversation_id, body)

    start, cpu = time.perf_counter(), time.thread_time()
    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    return Timing(time.perf_counter() - start, time.thread_time() - cpu)


async def run_ours(mock: Mock, work: Sequence[Job], **client_options: Any) -> Timing:
    async with DixaClient(DEMO_API_KEY, base_url=mock.url, api_version=API_VERSION,
                          **client_options) as client:
        async def send(conversation_id: int, body: Body) -> None:
            await client.patch_conversation_attributes(conversation_id, body)

        return await drive(work, send)


async def run_raw(mock: Mock, work: Sequence[Job]) -> Timing:
    headers = {"Authorization": DEMO_API_KEY, "User-Agent": USER_AGENT,
               "Accept": "application/json"}
    async with httpx.AsyncClient(base_url=f"{mock.url}/{API_VERSION}", headers=headers) as raw:
        async def send(conversation_id: int, body: Body) -> None:
            response = await raw.patch(f"/conversations/{conversation_id}/custom-attributes",
                                       json=body)
            response.raise_for_status()

        return await drive(work, send)


def check_landed(mock: Mock, work: Sequence[Job], writes_before: int, what: str) -> None:
    """Every PATCH reached the mock, and each conversation holds one of the values sent to
    it (PATCHes to the same conversation may be in flight together, so "the last one sent"
    is not defined; the one that arrived last wins, as in Dixa)."""
    writes = mock.knobs.writes - writes_before
    if writes != len(work):
        raise AssertionError(f"{what}: the mock saw {writes} PATCHes, expected {len(work)}")
    sent: dict[int, set[str]] = {}
    for conversation_id, body in work:
        sent.setdefault(conversation_id, set()).add(body[mock.order_number])
    wrong = [cid for cid, values in sent.items()
             if mock.state.conversation_values(cid).get(mock.order_number) not in values]
    if wrong:
        raise AssertionError(f"{what}: {len(wrong)} conversations hold a value that was never "
                             f"sent to them (first: {wrong[0]})")


async def timed(mock: Mock, kind: str, work: Sequence[Job]) -> Timing:
    before = mock.knobs.writes
    timing = await (run_ours(mock, work, rate=0) if kind == "ours" else run_raw(mock, work))
    check_landed(mock, work, before, kind)
    return timing


async def throughput(mock: Mock, count: int, repeats: int) -> dict[str, list[Timing]]:
    mock.knobs.rate_limit = 0
    for kind in ("ours", "raw"):  # warm-up: imports, first connections, caches
        await timed(mock, kind, jobs(mock, min(count, 100), f"w{kind[0]}"))
    times: dict[str, list[Timing]] = {"ours": [], "raw": []}
    for r in range(repeats):
        for kind in ("ours", "raw"):
            times[kind].append(await timed(mock, kind, jobs(mock, count, f"{kind[0]}{r}")))
    return times


async def paced(mock: Mock, count: int) -> tuple[float, int, int]:
    """(seconds, 429s answered by the mock, 429s seen by the client) for ``count`` PATCHes
    through the default pacing against Dixa's limit."""
    mock.knobs.rate_limit, mock.knobs.burst = DIXA_RATE, DIXA_BURST
    await asyncio.sleep(1.0)  # the mock's bucket (recreated on the new settings) is full
    mock.knobs.reset_counters()
    work = jobs(mock, count, "p0")
    async with DixaClient(DEMO_API_KEY, base_url=mock.url, api_version=API_VERSION) as client:
        async def send(conversation_id: int, body: Body) -> None:
            await client.patch_conversation_attributes(conversation_id, body)

        seconds = (await drive(work, send)).wall
        seen_429 = client.stats.statuses.get(429, 0)
    limited = mock.knobs.rate_limited
    # Retried 429s are writes too: the mock counts every PATCH it saw.
    check_landed(mock, work, limited, "paced")
    mock.knobs.rate_limit = 0
    return seconds, limited, seen_429


def budget(name: str, value: float, limit: float, unit: str, ok: bool) -> dict[str, Any]:
    return {"name": name, "value": round(value, 3), "limit": round(limit, 3), "unit": unit,
            "ok": ok}


def run(quick: bool = False) -> dict[str, Any]:
    n = QUICK_THROUGHPUT_PATCHES if quick else THROUGHPUT_PATCHES
    repeats = QUICK_THROUGHPUT_REPEATS if quick else THROUGHPUT_REPEATS
    m = QUICK_PACED_PATCHES if quick else PACED_PATCHES
    with served_mock() as mock:
        times = asyncio.run(throughput(mock, n, repeats))
        paced_s, limited, seen_429 = asyncio.run(paced(mock, m))
    ours, raw = (statistics.median(t.wall for t in times[k]) for k in ("ours", "raw"))
    ours_cpu, raw_cpu = (statistics.median(t.cpu for t in times[k]) for k in ("ours", "raw"))
    ratio = raw / ours
    ideal = (m - DIXA_BURST) / DIXA_RATE
    ceiling = ideal * (1 + PACING_TOLERANCE)
    figures: dict[str, Any] = {
        f"ours_{n}_patches_s": round(ours, 3),
        f"raw_httpx_{n}_patches_s": round(raw, 3),
        f"ours_{n}_patches_runs_s": [round(t.wall, 3) for t in times["ours"]],
        f"raw_httpx_{n}_patches_runs_s": [round(t.wall, 3) for t in times["raw"]],
        "ours_patches_per_s": round(n / ours, 1),
        "raw_httpx_patches_per_s": round(n / raw, 1),
        "throughput_ratio_raw_over_ours": round(ratio, 3),
        f"ours_{n}_patches_client_cpu_s": round(ours_cpu, 3),
        f"raw_httpx_{n}_patches_client_cpu_s": round(raw_cpu, 3),
        "client_cpu_ratio_raw_over_ours": round(raw_cpu / ours_cpu, 3),
        f"paced_{m}_patches_s": round(paced_s, 3),
        f"paced_{m}_ideal_s": round(ideal, 3),
        f"paced_{m}_naive_ideal_s": round(m / DIXA_RATE, 3),
        "paced_over_ideal_pct": round((paced_s / ideal - 1) * 100, 2),
        "paced_client_burst": CLIENT_BURST,
        "paced_mock_429s": limited,
        "paced_client_429s_seen": seen_429,
    }
    budgets = [
        budget("client throughput at least 0.8x raw httpx (raw_s / ours_s)", ratio, MIN_RATIO,
               "x", ratio >= MIN_RATIO),
        budget(f"{m} PATCHes at Dixa's 10/s within 10% of ideal {ideal:g} s", paced_s, ceiling,
               "s", abs(paced_s - ideal) <= ideal * PACING_TOLERANCE),
        budget(f"429s answered by the mock over {m} paced PATCHes", limited, 0, "count",
               limited == 0),
    ]
    return {"quick": quick, "concurrency": CONCURRENCY, "figures": figures,
            "budgets": budgets}


def table(result: dict[str, Any]) -> str:
    lines = [f"{name:<38} {value}" for name, value in result["figures"].items()]
    lines.append("")
    for b in result["budgets"]:
        mark = "ok  " if b["ok"] else "MISS"
        lines.append(f"{mark} {b['name']}: {b['value']} {b['unit']} (limit {b['limit']})")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help=f"{QUICK_THROUGHPUT_PATCHES} PATCHes, 1 repeat, "
                             f"{QUICK_PACED_PATCHES} paced PATCHes")
    args = parser.parse_args(argv)
    result = run(quick=args.quick)
    print(table(result))
    return 0 if all(b["ok"] for b in result["budgets"]) else 1


if __name__ == "__main__":
    sys.exit(main())
