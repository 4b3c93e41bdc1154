"""Dixa's fixed facts and the client's defaults, with no heavy import.

The config, the CLI's help and the TUI's first frame need these numbers and names without
loading httpx, pydantic or the client: this module imports only ``typing``.
"""

from __future__ import annotations

from typing import Literal

DEFAULT_BASE_URL = "https://dev.dixa.io"  # Dixa's production API host, despite the name
ApiVersion = Literal["beta", "v1"]
API_VERSIONS: tuple[ApiVersion, ...] = ("beta", "v1")

DIXA_RATE = 10.0  # requests per second per key
DIXA_BURST = 4
# The client's default burst keeps one of Dixa's four in reserve. Pacing at exactly Dixa's
# limit leaves Dixa's bucket empty after a burst, so a request that network jitter delivers a
# millisecond early is refused; one spare token absorbs up to 100 ms of jitter. (Measured: at
# burst 4, one 429 in every 50-request storm over loopback; at burst 3, none.)
CLIENT_BURST = DIXA_BURST - 1

# How much of an answer is read. A real organization's definitions list is a few MB (10,000
# definitions: 12 MB), so 64 MB leaves room; an error body is a sentence, so 1 MB is plenty.
# Past a cap the answer is refused (a success) or cut (an error), and the message names it.
MAX_BODY_BYTES = 64 * 1024 * 1024
MAX_ERROR_BODY_BYTES = 1024 * 1024
# One try, from sending to the last byte of the body: httpx's read timeout restarts with
# every byte, so a server dripping a byte every 10 s would otherwise hold a try forever.
TRY_TIMEOUT = 20.0
