"""The async Dixa client: one method per operation we use, typed results, typed errors.

Every request goes through ``_request``: it waits for a token from the shared bucket, sends,
retries 429/502/503/504 and connection failures with bounded backoff (``RetryPolicy.retries``
says which failures of which methods; Dixa's PATCH sets absolute values, so repeating it is
safe; no try starts past ``RetryPolicy.budget``; each retry is told to the listener set with
``retries_reported``), and turns anything else into a ``DixaError``. Errors of a PATCH are
marked ``write``, so their hint says whether the change may have been applied. The key is
added by ``DixaKeyAuth`` at send time and lives in a ``SecretStr``; no error, repr or log
line is built from the request, so none can carry it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import (
    AsyncGenerator,
    AsyncIterator,
    Callable,
    Generator,
    Iterator,
    Mapping,
)
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import parse_qs, quote, urlsplit

import httpx
from pydantic import SecretStr

from dixa_tui.api.errors import (
    DixaApiError,
    DixaError,
    DixaNetworkError,
    DixaResponseError,
    blank,
)
from dixa_tui.api.gcpause import gc_paused
from dixa_tui.api.models import (
    Conversation,
    CustomAttribute,
    CustomAttributeDefinition,
    EndUser,
    ListEnvelope,
    parse_attributes,
    parse_model,
)
from dixa_tui.api.ratelimit import CLIENT_BURST, DIXA_RATE, RetryPolicy, TokenBucket
from dixa_tui.api.salvage import DefinitionsRead, read_definitions
from dixa_tui.debuglog import register_secret

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://dev.dixa.io"
ApiVersion = Literal["beta", "v1"]
API_VERSIONS: tuple[ApiVersion, ...] = ("beta", "v1")
DEFAULT_TIMEOUT = httpx.Timeout(20.0, connect=5.0)
MAX_PAGES = 1000
SEARCH_PAGE_LIMIT = 50  # Dixa: "must be less than or equal to 50"
SEARCH_MAX_PAGES = 100_000  # 5 million ids: a guard against a server that never ends
USER_AGENT = "dixa-tui"


class DixaKeyAuth(httpx.Auth):
    """Dixa wants the raw key in ``Authorization`` (no ``Bearer``)."""

    def __init__(self, key: SecretStr) -> None:
        self._key = key

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = self._key.get_secret_value()
        yield request

    def __repr__(self) -> str:
        return "DixaKeyAuth(key=SecretStr('**********'))"


@dataclass
class ClientStats:
    """What the client saw, for the UI's status line, benches and tests."""

    requests: int = 0
    retries: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    network_errors: int = 0

    def count(self, status: int) -> None:
        self.statuses[status] = self.statuses.get(status, 0) + 1


@dataclass(frozen=True)
class RetryNotice:
    """A failed try that is about to be repeated: ``attempt`` of ``attempts`` starts after
    ``wait`` seconds; ``reason`` is the failure, with the operation (key blanked)."""

    operation: str
    attempt: int
    attempts: int
    wait: float
    reason: str

    def sentence(self, limit: int = 300) -> str:
        """One sentence for a person; a reason longer than ``limit`` characters is cut."""
        reason = self.reason if len(self.reason) <= limit else self.reason[:limit - 1] + "…"
        return (f"{reason}; trying again in {self.wait:.1f} s "
                f"(try {self.attempt} of {self.attempts}).")


_retry_listener: ContextVar[Callable[[RetryNotice], None] | None] = ContextVar(
    "dixa_retry_listener", default=None)


@contextmanager
def retries_reported(listener: Callable[[RetryNotice], None]) -> Iterator[None]:
    """Within this block (this task and the ones it starts), every retry is told to
    ``listener`` before its wait: a slow failure is never silent."""
    token = _retry_listener.set(listener)
    try:
        yield
    finally:
        _retry_listener.reset(token)


class DixaClient:
    """Async client for Dixa's custom-attribute operations.

    Use as ``async with DixaClient(key) as client: ...``. ``transport`` lets the demo and
    tests run against the embedded mock in-process (``httpx.ASGITransport``); ``page_size``
    is sent as ``pageLimit`` on list operations (Dixa's default otherwise).
    """

    def __init__(
        self,
        api_key: SecretStr | str,
        *,
        base_url: str = DEFAULT_BASE_URL,
        api_version: ApiVersion = "beta",
        rate: float = DIXA_RATE,
        burst: int = CLIENT_BURST,
        retry: RetryPolicy | None = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        transport: httpx.AsyncBaseTransport | None = None,
        page_size: int | None = None,
    ) -> None:
        if api_version not in API_VERSIONS:
            raise ValueError(f"api_version must be one of {', '.join(API_VERSIONS)}")
        key = api_key if isinstance(api_key, SecretStr) else SecretStr(api_key)
        if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in key.get_secret_value()):
            raise ValueError("the API key contains a line break or control characters: "
                             "it cannot be sent in a header")
        self._key = key
        register_secret(key)  # the debug log blanks it, whatever echoes it
        self.base_url = base_url.rstrip("/")
        self.api_version = api_version
        self.bucket = TokenBucket(rate, burst)
        self.retry = retry or RetryPolicy()
        self.stats = ClientStats()
        self.page_size = page_size
        self._http = httpx.AsyncClient(
            base_url=f"{self.base_url}/{api_version}",
            auth=DixaKeyAuth(key),
            timeout=timeout,
            transport=transport,
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
            follow_redirects=False,
        )

    def __repr__(self) -> str:
        return f"DixaClient(base_url={self.base_url!r}, api_version={self.api_version!r})"

    async def __aenter__(self) -> DixaClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    # -- the operations ------------------------------------------------------------------

    async def list_definitions(self, *, keep_as_sent: bool = False) -> DefinitionsRead:
        """Every custom attribute definition of the organization, archived ones included.

        Items that cannot be read are left out and listed in ``skipped`` (see
        ``api.salvage``); only an answer that is not a list of items raises. ``keep_as_sent``
        keeps each readable item as Dixa sent it too (``as_sent``: for exports)."""
        op = "list definitions"
        items = [item async for item in self._paged(op, "/custom-attributes", {})]
        return read_definitions(items, op, keep_as_sent=keep_as_sent)

    async def get_definition(self, definition_id: str) -> CustomAttributeDefinition:
        op = f"get definition {definition_id}"
        data = await self._data(op, "GET", f"/custom-attributes/{_seg(definition_id)}")
        return parse_model(CustomAttributeDefinition, data, op)

    async def get_end_user(self, user_id: str) -> EndUser:
        op = f"get end user {user_id}"
        data = await self._data(op, "GET", f"/endusers/{_seg(user_id)}")
        return parse_model(EndUser, data, op)

    async def find_end_users(
        self,
        *,
        email: str | None = None,
        phone: str | None = None,
        external_id: str | None = None,
        limit: int | None = None,
    ) -> list[EndUser]:
        """End users matching exactly one of email, phone or externalId (Dixa's filters)."""
        given = {k: v for k, v in
                 {"email": email, "phone": phone, "externalId": external_id}.items() if v}
        if len(given) != 1:
            raise ValueError("give exactly one of email, phone or external_id")
        op = f"find end users by {next(iter(given))}"
        users: list[EndUser] = []
        async for item in self._paged(op, "/endusers", given):
            users.append(parse_model(EndUser, item, op))
            if limit is not None and len(users) >= limit:
                break
        return users

    async def list_end_user_conversations(self, user_id: str) -> list[Conversation]:
        op = f"list conversations of end user {user_id}"
        return [parse_model(Conversation, item, op) async for item in
                self._paged(op, f"/endusers/{_seg(user_id)}/conversations", {})]

    async def get_conversation(self, conversation_id: int) -> Conversation:
        op = f"get conversation {conversation_id}"
        data = await self._data(op, "GET", f"/conversations/{int(conversation_id)}")
        return parse_model(Conversation, data, op)

    async def patch_end_user_attributes(
        self, user_id: str, body: Mapping[str, Any]
    ) -> list[CustomAttribute]:
        op = f"patch end user {user_id}"
        with _writing():
            data = await self._data(op, "PATCH",
                                    f"/endusers/{_seg(user_id)}/custom-attributes",
                                    json=dict(body))
            return parse_attributes(data, op)

    async def patch_conversation_attributes(
        self, conversation_id: int, body: Mapping[str, Any]
    ) -> list[CustomAttribute]:
        op = f"patch conversation {conversation_id}"
        with _writing():
            data = await self._data(
                op, "PATCH", f"/conversations/{int(conversation_id)}/custom-attributes",
                json=dict(body))
            return parse_attributes(data, op)

    async def search_conversation_pages(
        self, body: Mapping[str, Any], *, page_limit: int = SEARCH_PAGE_LIMIT
    ) -> AsyncGenerator[list[int], None]:
        """The conversation ids of Dixa's ``POST /search/conversations`` for ``body``, one
        list per page, each page requested only when the one before has been consumed: a
        caller that stops early sends no further request.

        ``body`` is sent as is (``filters`` and/or ``query``; see
        ``dixa_tui.domain.query.FindQuery.search_body``) with every page, ``pageLimit`` and
        ``pageKey`` as query parameters. Only the ``pageKey`` is taken from ``meta.next``.
        A search changes nothing, so it is retried like a read.
        """
        if not 1 <= page_limit <= SEARCH_PAGE_LIMIT:
            raise ValueError(f"page_limit must be 1 to {SEARCH_PAGE_LIMIT} (Dixa's maximum)")
        op = "search conversations"
        params: dict[str, Any] = {"pageLimit": page_limit}
        seen: set[str] = set()
        for _ in range(SEARCH_MAX_PAGES):
            payload = await self._request(op, "POST", "/search/conversations", params=params,
                                          json=dict(body), repeatable=True)
            envelope = parse_model(ListEnvelope, payload, op)
            yield [_hit_id(item, op) for item in envelope.data]
            page_key = _page_key(envelope.meta.next if envelope.meta else None)
            if not page_key or page_key in seen:
                return
            seen.add(page_key)
            params["pageKey"] = page_key
        raise DixaResponseError(op, f"more than {SEARCH_MAX_PAGES} pages: stopped following "
                                    "meta.next")

    async def search_conversations(
        self, body: Mapping[str, Any], *, page_limit: int = SEARCH_PAGE_LIMIT
    ) -> AsyncGenerator[int, None]:
        """The ids of :meth:`search_conversation_pages`, one by one, as lazily (a generator:
        ``aclose()`` it, or use ``contextlib.aclosing``, to stop at once)."""
        async for page in self.search_conversation_pages(body, page_limit=page_limit):
            for conversation_id in page:
                yield conversation_id

    # -- plumbing ------------------------------------------------------------------------

    async def _data(self, op: str, method: str, path: str, **kwargs: Any) -> Any:
        payload = await self._request(op, method, path, **kwargs)
        if not isinstance(payload, dict) or "data" not in payload:
            raise DixaResponseError(op, "the response has no 'data' field")
        return payload["data"]

    async def _paged(
        self, op: str, path: str, params: dict[str, Any]
    ) -> AsyncIterator[Any]:
        """Items of every page. Only ``pageKey`` is taken from ``meta.next``: the key is
        never sent to whatever host a response names."""
        params = dict(params)
        if self.page_size:
            params["pageLimit"] = self.page_size
        seen: set[str] = set()
        for _ in range(MAX_PAGES):
            payload = await self._request(op, "GET", path, params=params)
            envelope = parse_model(ListEnvelope, payload, op)
            for item in envelope.data:
                yield item
            next_url = envelope.meta.next if envelope.meta else None
            page_key = _page_key(next_url)
            if not page_key or page_key in seen:
                return
            seen.add(page_key)
            params["pageKey"] = page_key
        raise DixaResponseError(op, f"more than {MAX_PAGES} pages: stopped following meta.next")

    async def _request(self, op: str, method: str, path: str, **kwargs: Any) -> Any:
        """The one way out of the client: every error leaves here with the key blanked,
        whatever a server echoed into a body or a header."""
        try:
            return await self._send(op, method, path, **kwargs)
        except DixaError as exc:
            raise exc.redacted(self._key.get_secret_value()) from None

    async def _send(self, op: str, method: str, path: str, *, repeatable: bool = False,
                    **kwargs: Any) -> Any:
        """``repeatable``: the request is safe to repeat whatever its method (a search sent
        as POST), so it is retried like a GET."""
        attempt = 0
        first: float | None = None
        while True:
            attempt += 1
            await self.bucket.acquire()
            if first is None:  # the budget runs from when the first try began, not queued
                first = self.retry.clock()
            self.stats.requests += 1
            started = time.perf_counter()
            try:
                response = await self._http.request(method, path, **kwargs)
            except (httpx.UnsupportedProtocol, httpx.InvalidURL):
                raise DixaNetworkError(
                    op, f"the base URL {self.base_url!r} is not an http(s) URL",
                    reached=False) from None
            except httpx.LocalProtocolError:  # our own request is malformed: retrying won't help
                raise DixaNetworkError(op, "the request could not be sent (a header value, "
                                           "such as the API key, has invalid characters)",
                                       reached=False) from None
            except httpx.TransportError as exc:
                self.stats.network_errors += 1
                # Refused or not connected in time: the request never left this machine.
                reached = not isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout)
                error: DixaError = DixaNetworkError(op, _describe_transport_error(exc),
                                                    reached=reached)
                if not self.retry.retries(method, reached=reached, safe=repeatable):
                    raise error from None
                retry_after = None
            except httpx.HTTPError as exc:  # decoding, redirects: repeating will not help
                raise DixaNetworkError(op, f"the response could not be read "
                                           f"({type(exc).__name__})") from None
            else:
                self.stats.count(response.status_code)
                if log.isEnabledFor(logging.DEBUG):
                    log.debug("%s: %s %s -> HTTP %d in %.0f ms (attempt %d)", op, method,
                              response.request.url, response.status_code,
                              (time.perf_counter() - started) * 1000, attempt)
                if response.is_success:
                    return _json(op, response)
                error = DixaApiError(op, response.status_code,
                                     _message(response, self._key.get_secret_value()),
                                     names_id=_names_id(path))
                if not self.retry.retries(method, status=response.status_code,
                                         safe=repeatable):
                    raise error
                if response.status_code == 429:
                    self.bucket.penalize()
                retry_after = response.headers.get("Retry-After")
            if attempt >= self.retry.max_attempts:
                raise error
            wait = self.retry.delay(attempt, retry_after)
            if wait > self.retry.max_delay:
                error.message += f" (asked to wait {wait:.0f} s before trying again)"
                raise error
            elapsed = self.retry.clock() - first
            if not self.retry.within_budget(elapsed, wait):
                error.message += f" (gave up after {attempt} tries in {elapsed:.0f} s)"
                raise error
            self.stats.retries += 1
            secret = self._key.get_secret_value()
            reason = blank(error.summary(), secret)
            log.info("retrying in %.2f s (try %d of %d) after %s", wait, attempt + 1,
                     self.retry.max_attempts, reason)
            listener = _retry_listener.get()
            if listener is not None:
                listener(RetryNotice(blank(op, secret), attempt + 1, self.retry.max_attempts,
                                     wait, reason))
            await asyncio.sleep(wait)


@contextmanager
def _writing() -> Iterator[None]:
    """Marks every error inside as a write's, whose hint then says what became of the change."""
    try:
        yield
    except DixaError as exc:
        exc.write = True
        raise


def _names_id(path: str) -> bool:
    """Dixa's collection paths have one segment (``/custom-attributes``, ``/endusers``);
    every longer path names something by id."""
    return "/" in path.strip("/")


def _seg(value: str) -> str:
    """A path segment: ids from users must not add path components or queries."""
    return quote(str(value), safe="")


def _hit_id(item: Any, op: str) -> int:
    """A search hit's conversation id: Dixa's CLI documents a number, a typed client a
    string of digits; both are read."""
    value = item.get("id") if isinstance(item, dict) else None
    if isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    raise DixaResponseError(op, "a search result has no conversation id")


def _page_key(next_url: str | None) -> str | None:
    if not next_url:
        return None
    keys = parse_qs(urlsplit(next_url).query).get("pageKey")
    return keys[0] if keys else None


LARGE_BODY = 1_000_000  # bytes from which a body is decoded with the collector paused


def _json(op: str, response: httpx.Response) -> Any:
    if not response.content:
        raise DixaResponseError(op, f"HTTP {response.status_code} with an empty body")
    try:
        if len(response.content) < LARGE_BODY:
            return response.json()
        # A large body (12 MB for 10,000 definitions) makes a million objects: decode it
        # with the collector paused, and keep them out of its way until they are freed.
        with gc_paused(keep=True):
            return response.json()
    except RecursionError:
        raise DixaResponseError(
            op, f"HTTP {response.status_code} with JSON nested too deeply to read") from None
    except ValueError:  # not JSON, not UTF-8, or an integer of more than 4,300 digits
        kind = response.headers.get("content-type", "unknown type").split(";")[0][:60]
        raise DixaResponseError(
            op, f"HTTP {response.status_code} with a body that is not JSON ({kind})"
        ) from None


def _message(response: httpx.Response, secret: str) -> str:
    """Dixa's own ``message``, else a short excerpt of the body. The key is blanked before
    the excerpt is cut, so not even a prefix of it survives."""
    try:
        payload = response.json()
    except (ValueError, RecursionError):
        payload = None
    if isinstance(payload, dict) and isinstance(payload.get("message"), str):
        return str(payload["message"])
    text = blank(response.text.strip(), secret)
    if not text:
        return response.reason_phrase or "no message"
    return (text[:200] + "…") if len(text) > 200 else text


def _describe_transport_error(exc: httpx.TransportError) -> str:
    if isinstance(exc, httpx.ConnectTimeout):
        return "timed out connecting to Dixa"
    if isinstance(exc, httpx.ReadTimeout):
        return "Dixa did not answer in time (read timeout)"
    if isinstance(exc, httpx.TimeoutException):
        return "the request timed out"
    if isinstance(exc, httpx.ConnectError):
        return "could not connect to Dixa (connection refused or host unreachable)"
    if isinstance(exc, httpx.RemoteProtocolError):
        return "the connection was closed mid-response"
    if isinstance(exc, httpx.ReadError | httpx.WriteError):
        return "the connection was reset"
    return f"network error ({type(exc).__name__})"
