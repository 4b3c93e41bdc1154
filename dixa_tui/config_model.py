"""The config file's shape as pydantic models, and their errors as sentences.

Strict on purpose: ``rate_limit = true`` is not 1, ``burst = 2.5`` is not 2, ``inf`` and
``nan`` are refused (``nan`` compared false to every bound and turned pacing off), and
every number has an upper bound so nothing overflows later. An unknown key is named with the
keys that are known, as a typo usually is one of them.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from dixa_tui.api.baseurl import base_url_problem, normal_base_url
from dixa_tui.api.constants import CLIENT_BURST, DEFAULT_BASE_URL, DIXA_RATE

MAX_RATE = 1000.0  # requests per second: far above any Dixa limit, far below overflow
MAX_BURST = 1000


class ConfigFileError(ValueError):
    """What is wrong with the file, as one sentence per problem (the file is named by the
    caller)."""


class ProfileModel(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False, frozen=True)

    base_url: str = DEFAULT_BASE_URL
    api_version: Literal["beta", "v1"] = "beta"
    rate_limit: float = Field(DIXA_RATE, ge=0, le=MAX_RATE)
    burst: int = Field(CLIENT_BURST, ge=1, le=MAX_BURST)
    snapshots: bool = False  # keep a snapshot of each definitions list read (session.snapshots)
    startup_cache: bool = True  # keep the last list to show at start (session.startcache)
    read_only: bool = False  # the profile never writes (session.writes.check_writable)
    confirm: Literal["always", "never"] | None = None  # None: by host (Profile.confirms_sends)
    badge: str | None = None  # the TUI's badge (None: by what the base URL is)

    @field_validator("badge")
    @classmethod
    def _short_word(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not value.strip() or len(value) > 16 or not value.isprintable():
            raise ValueError(f"must be a short word (at most 16 characters), e.g. "
                             f"\"STAGING\", not {value!r}")
        return value.strip()

    @field_validator("base_url")
    @classmethod
    def _usable_url(cls, value: str) -> str:
        text = normal_base_url(value)
        problem = base_url_problem(text)
        if problem is not None:
            raise ValueError(problem)
        return text


class ConfigFileModel(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    default_profile: str = Field("default", min_length=1)
    profiles: dict[str, ProfileModel] = Field(default_factory=dict)
    keymap: dict[str, str] = Field(default_factory=dict)
    queries: dict[str, str] = Field(default_factory=dict)  # saved queries: name -> options


def parse_config_file(raw: dict[str, Any]) -> ConfigFileModel:
    """The checked file; raises ``ConfigFileError`` listing every problem found."""
    try:
        return ConfigFileModel.model_validate(raw)
    except ValidationError as exc:
        problems = [_sentence(error) for error in exc.errors(include_url=False)]
        raise ConfigFileError("; ".join(dict.fromkeys(problems))) from None


def _known(loc: tuple[int | str, ...]) -> list[str]:
    model: type[BaseModel] = ProfileModel if loc[:1] == ("profiles",) else ConfigFileModel
    return list(model.model_fields)


def _sentence(error: Any) -> str:
    loc: tuple[int | str, ...] = tuple(error.get("loc", ()))
    where = ".".join(str(part) for part in loc) or "the file"
    kind = error.get("type", "")
    if kind == "extra_forbidden":
        parent = ".".join(str(part) for part in loc[:-1])
        known = ", ".join(_known(loc[:-1]))
        place = f"{parent}: unknown setting" if parent else "unknown top-level setting"
        return f"{place} {str(loc[-1])!r} (known: {known})"
    if loc[:1] == ("keymap",):
        return '[keymap] maps binding ids to keys, e.g. "main.filter" = "slash"'
    if loc[:1] == ("queries",):
        return ('[queries] maps names to find options, e.g. "empty-reason" = '
                '"--created-since 7d --where \'contact_reason is empty\'"')
    if loc[:1] == ("profiles",) and len(loc) == 2:
        return f"{where} must be a table, e.g. [{where}]"
    if loc == ("profiles",):
        return "[profiles] must be a table of tables, e.g. [profiles.prod]"
    if kind == "value_error":  # our own validators: the sentence is theirs
        message = str(error.get("ctx", {}).get("error", error.get("msg", "")))
        return f"{where}: {message}"
    shown = _shown(error.get("input"))
    return f"{where}: {error.get('msg', 'invalid')}{shown}"


def _shown(value: object) -> str:
    if isinstance(value, dict | list):
        return ""
    text = repr(value)
    return f" (not {text})" if len(text) <= 40 else f" (not {text[:39]}…)"
