"""``serve``: the mock over real HTTP, for demos and for clients in another process.

The socket is bound here, before uvicorn starts, so a port in use or a bad host is an
``OSError`` the CLI can explain (uvicorn would print its own error and ``sys.exit``), and
``--port 0`` can report the port it really got. uvicorn runs with ``log_level="warning"``
and no access log: an access log line is one formatting change away from printing request
headers, and the key is in one of them.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from dixa_tui.mock.app import create_app
from dixa_tui.mock.knobs import Knobs
from dixa_tui.mock.state import MockState


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port`` (IPv4 or IPv6); raises OSError."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    family, _, _, _, address = infos[0]
    # IPPROTO_TCP said explicitly: asyncio only sets TCP_NODELAY on sockets it knows are TCP,
    # and without it every kept-alive request waits ~40 ms for Nagle (headers, then body).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    return sock


def serve(
    host: str,
    port: int,
    api_key: str,
    org: str | Path | MockState | None = None,
    knobs: Knobs | None = None,
    on_ready: Callable[[str], None] | None = None,
) -> None:
    """Serve until interrupted (blocking). ``org`` is a state, a built-in organization's
    name or an org file (``mock.orgs.load_org``); None serves the demo organization.

    Raises ``OSError`` / ``ValueError`` for an unreadable or malformed org file or an
    address that cannot be bound, before anything is served. ``on_ready`` gets the URL.
    """
    import uvicorn  # here, not at the top: `import dixa_tui.mock` stays light for --demo

    from dixa_tui.mock.orgs import load_org

    state = org if isinstance(org, MockState) else load_org(org)
    app = create_app(state, api_key=api_key, knobs=knobs)
    sock = bind(host, port)
    bound_host, bound_port = sock.getsockname()[:2]
    shown = f"[{bound_host}]" if ":" in bound_host else bound_host
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False,
                                           lifespan="off"))
    if on_ready is not None:
        on_ready(f"http://{shown}:{bound_port}")
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()


@contextmanager
def serving(app: Any, host: str = "127.0.0.1") -> Iterator[str]:
    """Any ASGI ``app`` over real HTTP on a free port of ``host``, in a daemon thread, for
    as long as the block runs; yields the base URL. For tests and benchmarks."""
    import uvicorn

    sock = bind(host, 0)
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False,
                                           lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True,
                              name="dixa-mock")
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            sock.close()
            raise RuntimeError("the loopback server did not start")
        time.sleep(0.01)
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
