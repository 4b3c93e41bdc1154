"""What the early read's child process hands back to the app (``session.early``), as bytes.

The settings it resolved (the profile, the keymap, the key and where it came from) and each
retry notice, as JSON frames on a pipe between the two processes, which are one program: the
key crosses from one's memory to the other's and is never written anywhere. The key is
registered with the debug log on arrival, as wherever else a key enters dixa-tui.
"""

from __future__ import annotations

import json
from dataclasses import asdict, fields
from typing import Any

from dixa_tui.api.notices import RetryNotice
from dixa_tui.session.settings import Resolved


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
