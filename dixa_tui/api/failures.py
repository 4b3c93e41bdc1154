"""What a failed connection means: a sentence naming the cause, and whether waiting can help.

httpx reports a refused port, an unknown host name and an untrusted certificate alike as
``ConnectError``; the cause is further down the exception chain (``ConnectionRefusedError``,
``socket.gaierror``, ``ssl.SSLCertVerificationError``). The sentence names what was tried (the
API's URL: the base URL and version, as configured; the operation names the rest) and why it
failed. A certificate that is not trusted and a name that
does not exist cannot be mended by trying again, so they are not retried; a refused port (a
restarting server) and a resolver's temporary failure can be.
"""

from __future__ import annotations

import socket
import ssl
from dataclasses import dataclass
from typing import Literal

import httpx

from dixa_tui.api.baseurl import host_and_port

# The kinds of network failure, for advice: how to fix it differs.
Kind = Literal["tls", "dns", "refused", "connect", "timeout", "slow", "reset", "closed",
               "other"]


@dataclass(frozen=True)
class Failure:
    message: str
    kind: Kind
    reached: bool  # the request may have reached the server (it was sent)
    retryable: bool  # trying again can succeed


def _chain(exc: BaseException) -> list[BaseException]:
    links: list[BaseException] = []
    link: BaseException | None = exc
    while link is not None and link not in links and len(links) < 12:
        links.append(link)
        link = link.__cause__ or link.__context__
    return links


def _first(exc: BaseException, kind: type[BaseException]) -> BaseException | None:
    return next((link for link in _chain(exc) if isinstance(link, kind)), None)


def describe(exc: httpx.TransportError, api: httpx.URL) -> Failure:
    """What ``exc``, raised sending a request to the API at ``api``, means for a person."""
    host = api.host or "?"
    root = str(api.copy_with(query=None, fragment=None, username=None,
                             password=None)).rstrip("/")
    where = host_and_port(root)
    if isinstance(exc, httpx.ConnectTimeout):
        return Failure(f"timed out connecting to {where} ({root})", "timeout",
                       reached=False, retryable=True)
    if isinstance(exc, httpx.ConnectError):
        return _connect_failure(exc, root, host, where)
    if isinstance(exc, httpx.ReadTimeout):
        return Failure("Dixa did not answer in time (read timeout)", "timeout", True, True)
    if isinstance(exc, httpx.TimeoutException):
        return Failure("the request timed out", "timeout", True, True)
    if isinstance(exc, httpx.RemoteProtocolError):
        return Failure("the connection was closed mid-response", "closed", True, True)
    if isinstance(exc, httpx.ReadError | httpx.WriteError):
        return Failure("the connection was reset", "reset", True, True)
    return Failure(f"network error ({type(exc).__name__})", "other", True, True)


def _connect_failure(exc: httpx.ConnectError, root: str, host: str, where: str) -> Failure:
    prefix = f"could not connect to {root}"
    cert = _first(exc, ssl.SSLCertVerificationError)
    if isinstance(cert, ssl.SSLCertVerificationError):
        reason = cert.verify_message or cert.reason or "not trusted"
        return Failure(f"{prefix}: certificate verification failed for {host} ({reason})",
                       "tls", reached=False, retryable=False)
    tls = _first(exc, ssl.SSLError)
    if isinstance(tls, ssl.SSLError):
        reason = tls.reason or type(tls).__name__
        return Failure(f"{prefix}: the TLS handshake with {host} failed ({reason})", "tls",
                       reached=False, retryable=False)
    name = _first(exc, socket.gaierror)
    if isinstance(name, socket.gaierror):
        # EAI_AGAIN is the resolver's "try again later"; every other answer is final.
        temporary = name.errno == getattr(socket, "EAI_AGAIN", None)
        return Failure(f"{prefix}: name {host} could not be resolved"
                       + (" (the resolver failed for now)" if temporary else ""), "dns",
                       reached=False, retryable=temporary)
    if _first(exc, ConnectionRefusedError) is not None:
        return Failure(f"{prefix}: connection refused by {where}", "refused", reached=False,
                       retryable=True)
    os_error = next((link for link in _chain(exc)
                     if isinstance(link, OSError) and link.strerror), None)
    detail = os_error.strerror.lower() if os_error is not None and os_error.strerror else (
        "connection refused or host unreachable")
    return Failure(f"{prefix} ({detail})", "connect", reached=False, retryable=True)
