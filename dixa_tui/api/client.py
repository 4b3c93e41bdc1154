"""The async Dixa client: one method per operation we use, typed results, typed errors.

Every request goes through ``_request``: it waits for a token from the bucket the key shares
with the machine's other processes (``api.sharedpace``), sends, and retries what waiting can
mend with bounded backoff: a 429 for the whole time budget, 502/503/504 and connection
failures a few times (``RetryPolicy`` says which failures of which methods; Dixa's PATCH sets
absolute values, so repeating it is safe; no try starts past ``RetryPolicy.budget``; each
retry is told to the listener set with ``retries_reported``). Each try is bounded as a whole
(``TRY_TIMEOUT``, body included: httpx's read timeout restarts with every byte) and its body
is read within a cap (``api.body``). Anything else becomes a ``DixaError`` that names the
cause. Errors of a PATCH are marked ``write``, so their hint says whether the change may have
been applied. The key is added by ``DixaKeyAuth`` at send time and lives in a ``Secret``
(``api.secret``); no error, repr or log line is built from the request's headers, so none can
carry it.

Importing this module loads httpx but not pydantic: the models are imported by the operations
that parse them, so the first request of a start (``session.early``) and the CLI's plain
reads of the definitions list (``fetch_definitions``: the pages as sent, for ``api.rows``) do
not wait for them.
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
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, quote, urlsplit

import httpx

from dixa_tui.api.answers import Answer, body_of, data_of, message_of
from dixa_tui.api.baseurl import base_url_problem, normal_base_url
from dixa_tui.api.body import ACCEPT_ENCODING, UnreadableBody, cap_for, read_body
from dixa_tui.api.constants import (
    API_VERSIONS,
    CLIENT_BURST,
    DEFAULT_BASE_URL,
    DIXA_RATE,
    TRY_TIMEOUT,
    ApiVersion,
)
from dixa_tui.api.errors import (
    DixaApiError,
    DixaError,
    DixaNetworkError,
    DixaResponseError,
    blank,
)
from dixa_tui.api.failures import describe
from dixa_tui.api.keyrule import check_key
from dixa_tui.api.notices import RetryNotice, retries_reported, retry_listener
from dixa_tui.api.outgoing import CONTENT_TYPE, json_body
from dixa_tui.api.ratelimit import RetryPolicy
from dixa_tui.api.secret import Secret, SecretLike
from dixa_tui.api.sharedpace import pacer
from dixa_tui.debuglog import register_secret

if TYPE_CHECKING:
    from dixa_tui.api.models import (
        Conversation,
        CustomAttribute,
        CustomAttributeDefinition,
        EndUser,
    )
    from dixa_tui.api.salvage import DefinitionsRead

__all__ = ["DEFAULT_TIMEOUT", "ClientStats", "DixaClient", "DixaKeyAuth", "RetryNotice",
           "retries_reported"]

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = httpx.Timeout(20.0, connect=5.0)
MAX_PAGES = 1000
SEARCH_PAGE_LIMIT = 50  # Dixa: "must be less than or equal to 50"
SEARCH_MAX_PAGES = 100_000  # 5 million ids: a guard against a server that never ends
USER_AGENT = "dixa-tui"


class DixaKeyAuth(httpx.Auth):
    """Dixa wants the raw key in ``Authorization`` (no ``Bearer``)."""

    def __init__(self, key: SecretLike) -> None:
        self._key = key

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = self._key.get_secret_value()
        yield request

    def __repr__(self) -> str:
        return "DixaKeyAuth(key=Secret('**********'))"


@dataclass
class ClientStats:
    """What the client saw, for the UI's status line, benches and tests."""

    requests: int = 0
    retries: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    network_errors: int = 0

    def count(self, status: int) -> None:
        self.statuses[status] = self.statuses.get(status, 0) + 1


class DixaClient:
    """Async client for Dixa's custom-attribute operations.

    Use as ``async with DixaClient(key) as client: ...``. ``transport`` lets the demo and
    tests run against the embedded mock in-process (``httpx.ASGITransport``); ``page_size``
    is sent as ``pageLimit`` on list operations (Dixa's default otherwise).
    """

    def __init__(
        self,
        api_key: SecretLike | str,
        *,
        base_url: str = DEFAULT_BASE_URL,
        api_version: ApiVersion = "beta",
        rate: float = DIXA_RATE,
        burst: int = CLIENT_BURST,
        retry: RetryPolicy | None = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        transport: httpx.AsyncBaseTransport | None = None,
        page_size: int | None = None,
        try_timeout: float | None = None,
    ) -> None:
        if api_version not in API_VERSIONS:
            raise ValueError(f"api_version must be one of {', '.join(API_VERSIONS)}")
        key = Secret(api_key) if isinstance(api_key, str) else api_key
        problem = check_key(key)
        if problem is not None:
            raise ValueError(problem)
        self._key = key
        register_secret(key)  # the debug log blanks it, whatever echoes it
        self.base_url = normal_base_url(base_url)
        # A password in the URL would travel in every request and every log line: refused
        # here as in the config. Any other problem fails each request, typed, sending nothing.
        self._url_problem = base_url_problem(self.base_url)
        if self._url_problem is not None and "password" in self._url_problem:
            raise ValueError(f"the base URL {self._url_problem}")
        self.api_version = api_version
        self.bucket = pacer(key.get_secret_value(), self.base_url, rate, burst)
        self.retry = retry or RetryPolicy()
        self.try_timeout = TRY_TIMEOUT if try_timeout is None else try_timeout
        self.stats = ClientStats()
        self.page_size = page_size
        self._http = httpx.AsyncClient(
            base_url=f"{self.base_url}/{api_version}" if self._url_problem is None else "",
            auth=DixaKeyAuth(key),
            timeout=timeout,
            transport=transport,
            headers={"User-Agent": USER_AGENT, "Accept": "application/json",
                     "Accept-Encoding": ACCEPT_ENCODING},
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
        from dixa_tui.api.salvage import read_definitions_json

        op = "list definitions"
        return read_definitions_json(await self.fetch_definitions(), op,
                                     keep_as_sent=keep_as_sent)

    async def fetch_definitions(self, read: PageReader | None = None) -> list[bytes]:
        """The pages of the definitions list as Dixa sent them (one: Dixa does not page this
        list, but a ``meta.next`` is followed as on every list), for ``api.rows`` and
        ``api.salvage`` to read. Each page is checked to be Dixa's list format: anything
        else raises the same ``DixaResponseError`` as :meth:`list_definitions`. ``read``:
        a page's reader (its body and ``meta.next``, or that error) in place of the check's
        own, for a caller that reads the page anyway (``session.early``'s rows)."""
        op = "list definitions"
        read = read or _list_page
        pages: list[bytes] = []
        params: dict[str, Any] = {"pageLimit": self.page_size} if self.page_size else {}
        seen: set[str] = set()
        for _ in range(MAX_PAGES):
            body, next_url = await self._request(op, "GET", "/custom-attributes",
                                                 params=params, read=read)
            pages.append(body)
            page_key = _page_key(next_url)
            if not page_key or page_key in seen:
                return pages
            seen.add(page_key)
            params["pageKey"] = page_key
        raise DixaResponseError(op, f"more than {MAX_PAGES} pages: stopped following meta.next")

    async def get_definition(self, definition_id: str) -> CustomAttributeDefinition:
        from dixa_tui.api.models import CustomAttributeDefinition, parse_model

        op = f"get definition {definition_id}"
        data = await self._data(op, "GET", f"/custom-attributes/{_seg(definition_id)}")
        return parse_model(CustomAttributeDefinition, data, op)

    async def get_end_user(self, user_id: str) -> EndUser:
        from dixa_tui.api.models import EndUser, parse_model

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
        from dixa_tui.api.models import EndUser, parse_model

        op = f"find end users by {next(iter(given))}"
        users: list[EndUser] = []
        async for item in self._paged(op, "/endusers", given):
            users.append(parse_model(EndUser, item, op))
            if limit is not None and len(users) >= limit:
                break
        return users

    async def list_end_user_conversations(self, user_id: str) -> list[Conversation]:
        from dixa_tui.api.models import Conversation, parse_model

        op = f"list conversations of end user {user_id}"
        return [parse_model(Conversation, item, op) async for item in
                self._paged(op, f"/endusers/{_seg(user_id)}/conversations", {})]

    async def get_conversation(self, conversation_id: int) -> Conversation:
        from dixa_tui.api.models import Conversation, parse_model

        op = f"get conversation {conversation_id}"
        data = await self._data(op, "GET", f"/conversations/{int(conversation_id)}")
        return parse_model(Conversation, data, op)

    async def patch_end_user_attributes(
        self, user_id: str, body: Mapping[str, Any]
    ) -> list[CustomAttribute]:
        from dixa_tui.api.models import parse_attributes

        op = f"patch end user {user_id}"
        with _writing():
            data = await self._data(op, "PATCH",
                                    f"/endusers/{_seg(user_id)}/custom-attributes",
                                    json=dict(body))
            return parse_attributes(data, op)

    async def patch_conversation_attributes(
        self, conversation_id: int, body: Mapping[str, Any]
    ) -> list[CustomAttribute]:
        from dixa_tui.api.models import parse_attributes

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
        from dixa_tui.api.models import ListEnvelope, parse_model

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
        from dixa_tui.api.models import ListEnvelope, parse_model

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
                    read: Callable[[str, Answer], Any] = data_of, **kwargs: Any) -> Any:
        """``repeatable``: the request is safe to repeat whatever its method (a search sent
        as POST), so it is retried like a GET. ``read`` turns a success into the result
        (by default its decoded JSON)."""
        if self._url_problem is not None:
            raise DixaNetworkError(op, f"the base URL {self._url_problem}", reached=False,
                                   retryable=False)
        attempt = 0
        first: float | None = None
        while True:
            attempt += 1
            await self.bucket.acquire()
            if first is None:  # the budget runs from when the first try began, not queued
                first = self.retry.clock()
            self.stats.requests += 1
            started = time.perf_counter()
            retry_after: str | None = None
            status: int | None = None
            try:
                request = self._build(method, path, **kwargs)
                answer = await self._try(request)
            except (httpx.UnsupportedProtocol, httpx.InvalidURL):
                raise DixaNetworkError(
                    op, f"the base URL {self.base_url!r} is not an http(s) URL",
                    reached=False, retryable=False) from None
            except httpx.LocalProtocolError:  # our own request is malformed: retrying won't help
                raise DixaNetworkError(op, "the request could not be sent (a header value, "
                                           "such as the API key, has invalid characters)",
                                       reached=False) from None
            except httpx.TransportError as exc:
                self.stats.network_errors += 1
                failure = describe(exc, self._http.base_url)
                error: DixaError = DixaNetworkError(op, failure.message,
                                                    reached=failure.reached, kind=failure.kind,
                                                    retryable=failure.retryable)
                if not failure.retryable or not self.retry.retries(
                        method, reached=failure.reached, safe=repeatable):
                    raise error from None
            except TimeoutError:  # the try as a whole (asyncio.timeout), not one read
                self.stats.network_errors += 1
                error = DixaNetworkError(op, f"Dixa did not finish answering within "
                                             f"{self.try_timeout:g} s", kind="slow")
                if not self.retry.retries(method, reached=True, safe=repeatable):
                    raise error from None
            except UnreadableBody as exc:
                raise DixaNetworkError(op, f"the response could not be read: {exc}") from None
            except httpx.HTTPError as exc:  # decoding, redirects: repeating will not help
                raise DixaNetworkError(op, f"the response could not be read "
                                           f"({type(exc).__name__})") from None
            else:
                status = answer.status
                self.stats.count(status)
                if log.isEnabledFor(logging.DEBUG):
                    log.debug("%s: %s %s -> HTTP %d in %.0f ms (attempt %d)", op, method,
                              answer.url, status, (time.perf_counter() - started) * 1000,
                              attempt)
                if answer.is_success:
                    return read(op, answer)
                error = DixaApiError(op, status, message_of(answer, self._key.get_secret_value()),
                                     names_id=_names_id(path))
                if not self.retry.retries(method, status=status, safe=repeatable):
                    raise error
                if status == 429:
                    self.bucket.penalize()
                retry_after = answer.headers.get("Retry-After")
            attempts = self.retry.attempts_for(status)
            if attempt >= attempts:
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
            if isinstance(error, DixaNetworkError) and error.kind == "slow":
                # Each such try takes the whole bound: no more than the budget holds start.
                attempts = min(attempts, int(self.retry.budget // self.try_timeout) + 1)
            secret = self._key.get_secret_value()
            reason = blank(error.summary(), secret)
            log.info("retrying in %.2f s (try %d of at most %d) after %s", wait, attempt + 1,
                     attempts, reason)
            listener = retry_listener.get()
            if listener is not None:
                listener(RetryNotice(blank(op, secret), attempt + 1, attempts, wait, reason,
                                     self.retry.budget if status == 429 else None))
            await (self.retry.sleep or asyncio.sleep)(wait)

    def _build(self, method: str, path: str, *, json: Any = None, **kwargs: Any
               ) -> httpx.Request:
        """The request; a JSON body is encoded here (``api.outgoing``), never by httpx."""
        if json is not None:
            kwargs["content"] = json_body(json)
            kwargs["headers"] = {"Content-Type": CONTENT_TYPE}
        return self._http.build_request(method, path, **kwargs)

    async def _try(self, request: httpx.Request) -> Answer:
        """One request and its body, within ``try_timeout`` as a whole."""
        async with asyncio.timeout(self.try_timeout):
            response = await self._http.send(request, stream=True)
            try:
                body = await read_body(response, cap_for(response.status_code))
            finally:
                await response.aclose()
        return Answer(response.status_code, response.reason_phrase, response.headers, body,
                      request.url)


@contextmanager
def _writing() -> Iterator[None]:
    """Marks every error inside as a write's, whose hint then says what became of the change."""
    try:
        yield
    except DixaError as exc:
        exc.write = True
        raise


PageReader = Callable[[str, Answer], tuple[bytes, str | None]]


def list_page(op: str, answer: Answer) -> tuple[bytes, str | None]:
    """A page of a list as sent, and its ``meta.next``; ``DixaResponseError`` for anything
    that is not Dixa's list format (see ``_list_page``)."""
    return _list_page(op, answer)


def _list_page(op: str, answer: Answer) -> tuple[bytes, str | None]:
    """A page of a list as sent, and its ``meta.next``: checked by ``api.rows`` without
    decoding its items; what that cannot read is read the models' way, which raises the
    ``DixaResponseError`` that says what is wrong with it."""
    from dixa_tui.api.rows import next_page_key

    body = body_of(op, answer)
    try:
        return body, next_page_key(body)
    except (ValueError, RecursionError):
        from dixa_tui.api.models import ListEnvelope, parse_model

        envelope = parse_model(ListEnvelope, data_of(op, answer), op)
        return body, envelope.meta.next if envelope.meta else None


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
