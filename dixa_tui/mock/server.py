"""``serve``: the mock over real HTTP, for demos and for clients in another process.

uvicorn runs with ``log_level="warning"`` and no access log: an access log line is one
formatting change away from printing request headers, and the key is in one of them.
"""

from __future__ import annotations

from pathlib import Path

from dixa_tui.mock.app import create_app
from dixa_tui.mock.knobs import Knobs
from dixa_tui.mock.state import MockState


def serve(
    host: str,
    port: int,
    api_key: str,
    org_file: str | Path | None = None,
    knobs: Knobs | None = None,
) -> None:
    """Serve until interrupted (blocking). ``org_file`` replaces the demo organization.

    Raises ``OSError`` / ``ValueError`` for an unreadable or malformed ``org_file`` before
    anything is bound.
    """
    import uvicorn  # here, not at the top: `import dixa_tui.mock` stays light for --demo

    state = MockState.from_org_file(org_file) if org_file else MockState.demo()
    app = create_app(state, api_key=api_key, knobs=knobs)
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)
