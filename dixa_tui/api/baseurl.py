"""What makes a base URL usable: ``http(s)://host[:port][/path]``, nothing more.

One rule for the config file, ``--base-url`` and the client, in the standard library only
(the config must not load httpx). A problem is a sentence that never repeats a password the
URL carried.
"""

from __future__ import annotations

from urllib.parse import SplitResult, urlsplit

from dixa_tui.api.constants import API_VERSIONS


def _split(text: str) -> SplitResult | None:
    try:
        return urlsplit(text)
    except ValueError:  # an unbalanced IPv6 bracket
        return None


def base_url_problem(text: str) -> str | None:
    """Why ``text`` cannot be the API's base URL (the API version is added by the client),
    or None. The sentence shows the URL only when it holds no credentials."""
    url = _split(text)
    if url is not None and ("@" in url.netloc):
        return ("must not hold a user name or password (Dixa takes the API key, from "
                "DIXA_API_KEY or the keyring, never from the URL): remove the part before '@'")
    if url is None or url.scheme not in ("http", "https") or not url.hostname:
        return f"{text!r} is not an http(s) URL; use the API host, e.g. https://dev.dixa.io"
    try:
        port = url.port
    except ValueError:
        port = -1
    if port is not None and not 1 <= port <= 65535:
        return f"{text!r} has no valid port: a port is a number from 1 to 65535"
    if any(ch.isspace() for ch in text) or any(ord(ch) < 0x20 or ord(ch) == 0x7F
                                               for ch in text):
        return f"{text!r} holds spaces or control characters"
    last = url.path.rstrip("/").rsplit("/", 1)[-1]
    if last in API_VERSIONS:
        return (f"leave /{last} out of the URL ({text!r}); choose the version with "
                "--api-version or api_version instead")
    if url.query or url.fragment or text.endswith(("?", "#")):
        return f"{text!r} must not have a query or fragment"
    return None


def normal_base_url(text: str) -> str:
    """``text`` as the client joins paths to it: no surrounding space, no trailing slash."""
    return text.strip().rstrip("/")


def host_and_port(text: str) -> str:
    """``host:port`` of a base URL (the scheme's port when none is written), for messages."""
    url = _split(text)
    if url is None or not url.hostname:
        return text
    try:
        port = url.port
    except ValueError:
        port = None
    port = port or (443 if url.scheme == "https" else 80)
    host = f"[{url.hostname}]" if ":" in url.hostname else url.hostname
    return f"{host}:{port}"
