"""One try's answer, and what it says: the JSON of a success, the message of an error.

The client reads each body within its cap (``api.body``); here a success becomes data (or a
``DixaResponseError`` naming why it cannot), and an error becomes Dixa's own ``message``, or
an excerpt of the body, with the key blanked before anything is cut, so not even a prefix of
it survives.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import httpx

from dixa_tui.api.body import Body, megabytes
from dixa_tui.api.errors import EXCERPT_LIMIT, DixaResponseError, blank
from dixa_tui.api.gcpause import gc_paused
from dixa_tui.text import excerpt

LARGE_BODY = 1_000_000  # bytes from which a body is decoded with the collector paused
# A cut error body that began as Dixa's JSON: its message is what follows this.
_MESSAGE_START = re.compile(r'\s*\{\s*"message"\s*:\s*"')


@dataclass(frozen=True)
class Answer:
    """What one try got back: the status line, the headers and the body as read."""

    status: int
    reason: str
    headers: httpx.Headers
    body: Body
    url: httpx.URL

    @property
    def is_success(self) -> bool:
        return 200 <= self.status < 300


def data_of(op: str, answer: Answer) -> Any:
    """The decoded JSON of a success; ``DixaResponseError`` when there is none to read."""
    data = body_of(op, answer)
    try:
        return decode_json(data)
    except RecursionError:
        raise DixaResponseError(
            op, f"HTTP {answer.status} with JSON nested too deeply to read") from None
    except ValueError:  # not JSON, not UTF-8, or an integer of more than 4,300 digits
        kind = answer.headers.get("content-type", "unknown type").split(";")[0][:60]
        raise DixaResponseError(
            op, f"HTTP {answer.status} with a body that is not JSON ({kind})") from None


def body_of(op: str, answer: Answer) -> bytes:
    """The body of a success, whole and not empty (else ``DixaResponseError``), undecoded."""
    body = answer.body
    if body.cut:
        raise DixaResponseError(op, f"HTTP {answer.status} with an answer larger than "
                                    f"{megabytes(body.cap)}, more than dixa-tui reads")
    if not body.data:
        raise DixaResponseError(op, f"HTTP {answer.status} with an empty body")
    return body.data


def decode_json(data: bytes) -> Any:
    """``json.loads``; a large body (12 MB for 10,000 definitions) makes a million objects:
    it is decoded with the collector paused, and they are kept out of its way until freed.
    Raises ``ValueError`` or ``RecursionError``."""
    if len(data) < LARGE_BODY:
        return json.loads(data)
    with gc_paused(keep=True):
        return json.loads(data)


def message_of(answer: Answer, secret: str) -> str:
    """Dixa's own ``message`` of an error (``DixaError`` cuts it at ``MESSAGE_LIMIT``), else
    a short excerpt of the body; the key blanked first, so not even a prefix of it survives
    a cut. A body cut at its cap says so."""
    body = answer.body
    text = body.data.decode(answer.headers.encoding or "utf-8", "replace")
    payload = None
    if not body.cut:
        try:
            payload = json.loads(body.data)
        except (ValueError, RecursionError):
            payload = None
    if isinstance(payload, dict) and isinstance(payload.get("message"), str):
        message = blank(str(payload["message"]), secret)
        return message if message.strip() else answer.reason or "no message"
    start = _MESSAGE_START.match(text) if body.cut else None
    message = blank(text[start.end():] if start else text.strip(), secret)
    if not message.strip():
        return answer.reason or "no message"
    if body.cut:
        return (f"{message[:EXCERPT_LIMIT]}… (the answer is larger than "
                f"{megabytes(body.cap)}; the rest was not read)")
    return excerpt(message, EXCERPT_LIMIT)
