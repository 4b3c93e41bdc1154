"""What the early read's child process hands back to the app (``session.early``), as bytes.

The settings it resolved (the profile, the keymap, the key and where it came from), each
retry notice and the error the read ended with (already redacted of the key), as JSON frames
on a pipe between the two processes, which are one program: the key crosses from one's
memory to the other's and is never written anywhere. The key is registered with the debug
log on arrival, as wherever else a key enters dixa-tui.

The list's rows (what the list paints: ``session.startcache.CachedRow``) cross as msgpack
arrays, 5 MB for 50,000 definitions where their pages take 58 MB.
"""

from __future__ import annotations

import json
from dataclasses import asdict, fields
from typing import TYPE_CHECKING, Any

from dixa_tui.api.errors import (
    DixaApiError,
    DixaError,
    DixaNetworkError,
    DixaResponseError,
)
from dixa_tui.api.notices import RetryNotice
from dixa_tui.session.settings import Resolved

if TYPE_CHECKING:
    from dixa_tui.api.rows import DefinitionRow
    from dixa_tui.session.startcache import CachedRow


def resolved_bytes(resolved: Resolved) -> bytes:
    key = resolved.key.get_secret_value() if resolved.key is not None else None
    return json.dumps({
        "profile": asdict(resolved.profile), "keymap": dict(resolved.keymap), "key": key,
        "key_source": resolved.key_source, "backend": resolved.backend,
        "problem": resolved.problem, "keyring_failure": resolved.keyring_failure,
    }).encode()


def resolved_of(data: bytes) -> Resolved:
    from dixa_tui.api.secret import Secret
    from dixa_tui.config import Profile
    from dixa_tui.debuglog import register_secret

    found: dict[str, Any] = json.loads(data)
    known = {f.name for f in fields(Profile)}
    profile = Profile(**{k: v for k, v in found["profile"].items() if k in known})
    key = Secret(found["key"]) if isinstance(found["key"], str) else None
    if key is not None:
        register_secret(key)
    return Resolved(profile, dict(found["keymap"]), key, found["key_source"],
                    found["backend"], found["problem"], found["keyring_failure"])


def notice_bytes(notice: RetryNotice) -> bytes:
    return json.dumps(asdict(notice)).encode()


def notice_of(data: bytes) -> RetryNotice:
    return RetryNotice(**json.loads(data))


_ERRORS: dict[str, type[DixaError]] = {
    kind.__name__: kind for kind in (DixaError, DixaApiError, DixaNetworkError, DixaResponseError)}


def error_bytes(error: DixaError) -> bytes:
    """The error as the client raised it: its kind (the nearest the app knows) and its plain
    fields (operation, message, status, ...): what the app says of it."""
    kind = next(k.__name__ for k in type(error).__mro__ if k.__name__ in _ERRORS)
    plain = {name: value for name, value in vars(error).items()
             if isinstance(value, str | int | bool | None)}
    return json.dumps({"kind": kind, "fields": plain}).encode()


def error_of(data: bytes) -> DixaError:
    found: dict[str, Any] = json.loads(data)
    kind = _ERRORS[found["kind"]]
    fields_ = found["fields"]
    if not isinstance(fields_.get("operation"), str) or not isinstance(fields_.get("message"),
                                                                       str):
        raise ValueError("not an error of the early read")
    error = kind.__new__(kind)
    error.__dict__.update(fields_)
    error.args = (error.operation, error.message)
    return error


def decoded_rows_bytes(rows: list[DefinitionRow]) -> bytes:
    """The rows a list paints (rows just decoded, ``api.rows``: in its order, each id once),
    as compact arrays: the start-up cache's rows (``CachedRow``), read by :func:`rows_of`."""
    import msgspec

    from dixa_tui.api.rows import row_fields

    return msgspec.msgpack.encode(row_fields(rows))


def rows_of(data: bytes) -> list[CachedRow]:
    """The rows :func:`decoded_rows_bytes` encoded. Raises ``ValueError`` for anything
    else."""
    import msgspec

    from dixa_tui.session.startcache import CachedRow

    try:
        return msgspec.msgpack.decode(data, type=list[CachedRow])
    except msgspec.DecodeError as exc:
        raise ValueError(f"not the rows of the early read: {exc}") from None
