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
    snapshots = true          # save the definitions list of each read into the state dir
    startup_cache = false     # do not keep the last list to show at the next start
    read_only = false         # true: this profile never writes (browse, get, history)
    confirm = "always"        # ask before every send; "never" to not (default: "always"
                              # on Dixa's production host, "never" elsewhere)
    badge = "PROD"            # the TUI's badge (default: PRODUCTION, LOCAL or REMOTE by URL)

    [keymap]                  # binding id -> keys, for the TUI
    "main.filter" = "slash,ctrl+f"

    [queries]                 # saved conversation queries: name -> find options
    "empty-reason" = "--created-since 7d --where 'contact_reason is empty'"

The file is checked by pydantic models (``config_model``): every bound, no ``inf``/``nan``,
unknown keys named beside the known ones. A mistake is a ``ConfigError`` whose message names
the file, the setting and the fix; nothing is ever sent with a config that did not pass.
httpx and the client are not imported here: the TUI reads the config before they load.
A saved query's text is checked when it is used (``dixa_tui.session.queries``), not here:
one query that no longer reads must not stop every command.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal, cast
from urllib.parse import urlsplit

from dixa_tui.api.baseurl import base_url_problem, normal_base_url
from dixa_tui.api.constants import (
    API_VERSIONS,
    CLIENT_BURST,
    DEFAULT_BASE_URL,
    DIXA_RATE,
    ApiVersion,
)

CONFIG_ENV = "DIXA_TUI_CONFIG"
DEFAULT_PROFILE = "default"
# A config file is a few lines; anything this large is not one (or is /dev/zero).
MAX_CONFIG_BYTES = 1_000_000
ConfirmMode = Literal["always", "never"]


def is_production(base_url: str) -> bool:
    """Whether ``base_url`` is Dixa's production API host (``https://dev.dixa.io``, despite
    the name): writes there reach real customers' records."""
    try:
        host = urlsplit(base_url).hostname
    except ValueError:
        return False
    return host is not None and host == urlsplit(DEFAULT_BASE_URL).hostname


class ConfigError(Exception):
    """The config file is unreadable or wrong; the message names the file and the fix."""


@dataclass(frozen=True)
class Profile:
    name: str = DEFAULT_PROFILE
    base_url: str = DEFAULT_BASE_URL
    api_version: ApiVersion = "beta"
    rate_limit: float = DIXA_RATE
    burst: int = CLIENT_BURST
    snapshots: bool = False  # save each definitions list read (``session.snapshots``)
    startup_cache: bool = True  # keep the last list, shown at the next start (``startcache``)
    read_only: bool = False  # refuses every write (the session's send is the guard)
    confirm: ConfirmMode | None = None  # None: "always" on the production host, else "never"
    badge: str | None = None  # the TUI's badge for this profile (default: what the URL is)

    @property
    def confirms_sends(self) -> bool:
        """Whether every send asks first: ``confirm``, or by default on Dixa's production
        host (after ``--base-url``: the host this run talks to decides)."""
        if self.confirm is not None:
            return self.confirm == "always"
        return is_production(self.base_url)

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
    queries: Mapping[str, str] = field(default_factory=dict)

    def profile(self, name: str | None = None) -> Profile:
        """The named profile; the built-in ``default`` one may be absent from the file."""
        name = name or self.default_profile
        if name in self.profiles:
            return self.profiles[name]
        if name == DEFAULT_PROFILE:
            return Profile(name=name)
        raise ConfigError(f"No profile named {name!r} in {self.path} "
                          f"(profiles: {_names(self.profiles)}). Add a [profiles.{name}] "
                          "table there, or pick another --profile.")


def _names(profiles: Mapping[str, object]) -> str:
    return ", ".join(sorted(profiles)) or "none"


def config_path(environ: Mapping[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    if env.get(CONFIG_ENV):
        return Path(env[CONFIG_ENV]).expanduser()
    from platformdirs import user_config_path

    return user_config_path("dixa-tui", appauthor=False) / "config.toml"


def load_config(path: Path | None = None) -> Config:
    """The config at ``path`` (default: ``config_path()``); a missing file is an empty one."""
    import tomllib

    path = path or config_path()
    text = _read(path)
    if text is None:
        return Config(path=path)
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML ({exc}); fix or remove it.") from None
    from dixa_tui.config_model import ConfigFileError, parse_config_file

    try:
        parsed = parse_config_file(raw)
    except ConfigFileError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    profiles = {name: Profile(name=name, base_url=p.base_url,
                              api_version=p.api_version,
                              rate_limit=p.rate_limit, burst=p.burst,
                              snapshots=p.snapshots, startup_cache=p.startup_cache,
                              read_only=p.read_only,
                              confirm=p.confirm, badge=p.badge)
                for name, p in parsed.profiles.items()}
    default = parsed.default_profile
    if "default_profile" in raw and default not in profiles:
        raise ConfigError(f"{path}: No profile named {default!r}; profiles: "
                          f"{_names(profiles)}. default_profile must name a [profiles.NAME] "
                          "table of the file: fix the name, or add that table.")
    return Config(path=path, default_profile=default, profiles=profiles,
                  keymap=dict(parsed.keymap), queries=dict(parsed.queries))


def peek_profile(name: str | None = None, base_url: str | None = None,
                 api_version: str | None = None, path: Path | None = None) -> Profile | None:
    """The profile as the file names it, read without checking the file (no pydantic):
    enough to find the start-up cache of the organization it points at before anything
    else has loaded. None for anything :func:`load_config` would have to judge (an unreadable
    file, a value of the wrong kind). Nothing is sent with this: the checked profile from
    :func:`load_config` replaces it.
    """
    import tomllib

    path = path or config_path()
    try:
        text = _read(path)
        raw = tomllib.loads(text) if text is not None else {}
    except (ConfigError, tomllib.TOMLDecodeError):
        return None
    chosen = name or raw.get("default_profile", DEFAULT_PROFILE)
    profiles = raw.get("profiles", {})
    table = profiles.get(chosen) if isinstance(profiles, dict) else None
    if not isinstance(chosen, str) or (table is None and chosen != DEFAULT_PROFILE):
        return None
    table = table if isinstance(table, dict) else {}
    url = table.get("base_url", DEFAULT_BASE_URL)
    version = table.get("api_version", "beta")
    cache = table.get("startup_cache", True)
    if not isinstance(url, str) or version not in API_VERSIONS or not isinstance(cache, bool):
        return None
    try:
        return Profile(name=chosen, base_url=normal_base_url(url), api_version=version,
                       startup_cache=cache).with_overrides(base_url, api_version)
    except ConfigError:
        return None


def _read(path: Path) -> str | None:
    """The file's text; None when it does not exist. Only a regular file of at most
    ``MAX_CONFIG_BYTES`` is read: a device (``/dev/zero``) or a named pipe would never end."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise ConfigError(f"{path} is not a regular file: point {CONFIG_ENV} at a "
                              "config.toml, or unset it.")
        if info.st_size > MAX_CONFIG_BYTES:
            raise ConfigError(f"{path} is larger than {MAX_CONFIG_BYTES:,} bytes: that is "
                              "not a dixa-tui config file.")
        # Non-blocking, in case the file was swapped for a pipe since the stat.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as file:
            if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
                raise ConfigError(f"{path} is not a regular file.")
            data = file.read(MAX_CONFIG_BYTES + 1)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ConfigError(f"Cannot read {path}: {exc.__class__.__name__}") from None
    if len(data) > MAX_CONFIG_BYTES:
        raise ConfigError(f"{path} is larger than {MAX_CONFIG_BYTES:,} bytes: that is "
                          "not a dixa-tui config file.")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{path} is not UTF-8 text; save it as UTF-8.") from None


def check_base_url(value: object, where: str) -> str:
    """``https://host[:port]`` with no version, query or credentials: the API version is
    added by the client."""
    text = normal_base_url(str(value))
    problem = base_url_problem(text)
    if problem is not None:
        raise ConfigError(f"{where}: {problem}")
    return text


def _api_version(value: object, where: str) -> ApiVersion:
    if value not in API_VERSIONS:
        raise ConfigError(f"{where} must be one of {', '.join(API_VERSIONS)}, not {value!r}")
    return cast(ApiVersion, value)
