"""Dixa's HTTP API: models, the async client, typed errors and rate limiting. No Textual here."""

import sys
from typing import Any, cast

# httpx imports its own command-line client when click and rich are installed (they are:
# ours needs them), which loads click and half of rich: 45 ms of every process's first
# request, and the early read's child waits for them. dixa-tui never runs that client; a
# module of None makes the import fail, and httpx falls back to its stub.
if "httpx" not in sys.modules:
    cast(Any, sys.modules).setdefault("httpx._main", None)
