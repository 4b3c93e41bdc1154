"""Profiles (and, for the TUI, a keymap) from a TOML file the user edits.

The file lives in platformdirs' user config dir (``dixa-tui/config.toml``); the
``DIXA_TUI_CONFIG`` environment variable points elsewhere. It never holds the API key: keys
live in the OS keyring (see ``dixa_tui.secrets``). Example::

    default_profile = "prod"

    [profiles.prod]
    base_url = "https://dev.dixa.io"
    api_version = "beta"      # or "v1"
    rate_limit = 10           # requests per second; 0 turns client-side pacing off
    burst = 3                 # Dixa allows 4; one is kept in reserve for network jitter

    [keymap]                  # binding id -> keys, for the TUI
    "main.filter" = "slash,ctrl+f"
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, cast

import httpx

from dixa_tui.api.client import API_VERSIONS, DEFAULT_BASE_URL, ApiVersion
from dixa_tui.api.ratelimit import CLIENT_BURST, DIXA_RATE

CONFIG_ENV = "DIXA_TUI_CONFIG"
DEFAULT_PROFILE = "default"


class ConfigError(Exception):
    """The config file is unreadable or wrong; the message names the file and the fix."""


@dataclass(frozen=True)
class Profile:
    name: str = DEFAULT_PROFILE
    base_url: str = DEFAULT_BASE_URL
    api_version: ApiVersion = "beta"
    rate_limit: float = DIXA_RATE
    burst: int = CLIENT_BURST

    def with_overrides(
        self, base_url: str | None = None, api_version: str | None = None
    ) -> Profile:
        profile = self
        if base_url:
            profile = replace(profile, base_url=check_base_url(base_url, "--base-url"))
        if api_version:
            profile = replace(profile, api_version=_api_version(api_version, "--api-version"))
        return profile


@dataclass(frozen=True)
class Config:
    path: Path
    default_profile: str = DEFAULT_PROFILE
    profiles: Mapping[str, Profile] = field(default_factory=dict)
    keymap: Mapping[str, str] = field(default_factory=dict)

    def profile(self, name: str | None = None) -> Profile:
        """The named profile; the default one may be absent from the file (built-in values)."""
        name = name or self.default_profile
        if name in self.profiles:
            return self.profiles[name]
        if name == self.default_profile:
            return Profile(name=name)
        known = ", ".join(sorted(self.profiles)) or "none"
        raise ConfigError(f"No profile named {name!r} in {self.path} (profiles: {known}). "
                          f"Add a [profiles.{name}] table there, or pick another --profile.")


def config_path(environ: Mapping[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    if env.get(CONFIG_ENV):
        return Path(env[CONFIG_ENV]).expanduser()
    from platformdirs import user_config_path

    return user_config_path("dixa-tui", appauthor=False) / "config.toml"


def load_config(path: Path | None = None) -> Config:
    """The config at ``path`` (default: ``config_path()``); a missing file is an empty one."""
    path = path or config_path()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Config(path=path)
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"Cannot read {path}: {exc.__class__.__name__}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML ({exc}); fix or remove it.") from None
    return _parse(path, raw)


def _parse(path: Path, raw: dict[str, Any]) -> Config:
    def fail(what: str) -> ConfigError:
        return ConfigError(f"{path}: {what}")

    default = raw.get("default_profile", DEFAULT_PROFILE)
    if not isinstance(default, str) or not default:
        raise fail("default_profile must be a non-empty string")
    tables = raw.get("profiles", {})
    if not isinstance(tables, dict):
        raise fail("[profiles] must be a table of tables, e.g. [profiles.prod]")
    profiles = {}
    for name, table in tables.items():
        if not isinstance(table, dict):
            raise fail(f"profiles.{name} must be a table")
        unknown = set(table) - {"base_url", "api_version", "rate_limit", "burst"}
        if unknown:
            raise fail(f"profiles.{name}: unknown setting(s) {', '.join(sorted(unknown))} "
                       "(known: base_url, api_version, rate_limit, burst)")
        base = Profile(name=name)
        try:
            profiles[name] = Profile(
                name=name,
                base_url=check_base_url(table.get("base_url", base.base_url),
                                        f"profiles.{name}.base_url"),
                api_version=_api_version(table.get("api_version", base.api_version),
                                         f"profiles.{name}.api_version"),
                rate_limit=_number(table.get("rate_limit", base.rate_limit),
                                   f"profiles.{name}.rate_limit"),
                burst=max(1, int(_number(table.get("burst", base.burst),
                                         f"profiles.{name}.burst"))),
            )
        except (TypeError, ValueError, ConfigError) as exc:
            raise fail(str(exc)) from None
    keymap = raw.get("keymap", {})
    if not isinstance(keymap, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in keymap.items()
    ):
        raise fail('[keymap] maps binding ids to keys, e.g. "main.filter" = "slash"')
    return Config(path=path, default_profile=default, profiles=profiles, keymap=keymap)


def check_base_url(value: object, where: str) -> str:
    """``https://host[:port]`` with no path: the API version is added by the client."""
    text = str(value).strip().rstrip("/")
    try:
        url = httpx.URL(text)
    except (httpx.InvalidURL, TypeError):
        url = None
    if url is None or url.scheme not in ("http", "https") or not url.host:
        raise ConfigError(f"{where}: {text!r} is not an http(s) URL; use the API host, "
                          "e.g. https://dev.dixa.io")
    last = url.path.rstrip("/").rsplit("/", 1)[-1]
    if last in API_VERSIONS:
        raise ConfigError(f"{where}: leave /{last} out of the URL ({text!r}); choose the "
                          "version with --api-version or api_version instead")
    if url.query or url.fragment:
        raise ConfigError(f"{where}: {text!r} must not have a query or fragment")
    return text


def _number(value: object, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ConfigError(f"{where} must be a number of 0 or more, not {value!r}")
    return float(value)


def _api_version(value: object, where: str) -> ApiVersion:
    if value not in API_VERSIONS:
        raise ConfigError(f"{where} must be one of {', '.join(API_VERSIONS)}, not {value!r}")
    return cast(ApiVersion, value)
