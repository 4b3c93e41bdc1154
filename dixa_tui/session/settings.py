"""Which Dixa, with which key: the global options, resolved once into what a session needs.

The CLI's global options and the TUI's start both make a :class:`Settings`; :func:`resolve`
reads the config file once (the profile and the keymap come from the same parse) and looks
for the key once (``DIXA_API_KEY``, then the OS keyring). With ``demo`` nothing is read: the
embedded mock and its key are used. This module is light on purpose (no httpx, no pydantic
at import): the TUI imports it before its first frame.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from dixa_tui.api.secret import SecretLike
    from dixa_tui.config import Profile

DEMO_BASE_URL = "http://demo.dixa.invalid"
KeySource = Literal["env", "keyring", "session", "demo"]
KeyringFailure = Literal["no-backend", "locked", "failed"]  # ``secrets.KeyStoreError.reason``


class MissingKeyError(Exception):
    """No usable key for the profile; the message says how to provide one (never the key)."""


@dataclass(frozen=True)
class Settings:
    """What the global options of the CLI (and the TUI's start) ask for."""

    profile_name: str | None = None
    base_url: str | None = None
    api_version: str | None = None
    demo: bool = False
    no_journal: bool = False  # send without recording (``--no-journal``)
    no_cache: bool = False  # neither show nor keep the start-up cache (``--no-cache``)
    # DIXA_API_KEY is the key of the profile this run was started for; another profile read
    # in the same run (a live schema diff) must not send it to that profile's host.
    env_key: bool = True

    def check(self) -> None:
        """Options that contradict each other are a usage error before anything is read."""
        from dixa_tui.config import ConfigError

        if self.demo and (self.base_url or self.profile_name):
            raise ConfigError("--demo uses the embedded demo organization: leave out "
                              "--base-url and --profile, or leave out --demo.")


@dataclass(frozen=True)
class Resolved:
    """Settings as resolved: the profile, the user's keymap, and the key with where it came
    from (``problem`` says why a key that may exist could not be used)."""

    profile: Profile
    keymap: Mapping[str, str] = field(default_factory=dict)
    key: SecretLike | None = None
    key_source: KeySource | None = None
    backend: str = ""
    problem: str | None = None
    keyring_failure: KeyringFailure | None = None  # why the keyring failed, with ``problem``


def load_profile(settings: Settings) -> tuple[Profile, Mapping[str, str]]:
    """The profile (after ``--base-url``/``--api-version``) and the keymap, from one read of
    the config file; the demo's own profile with ``demo``. Raises ``config.ConfigError``."""
    from dixa_tui.config import Profile, load_config

    settings.check()
    if settings.demo:
        profile = Profile(name="demo", base_url=DEMO_BASE_URL, rate_limit=0)
        return profile.with_overrides(api_version=settings.api_version), {}
    config = load_config()
    profile = config.profile(settings.profile_name).with_overrides(settings.base_url,
                                                                   settings.api_version)
    return profile, dict(config.keymap)


def resolve(settings: Settings) -> Resolved:
    """The profile, keymap and key for ``settings``: raises ``config.ConfigError``.

    Reads the config file and the keyring (which may block on D-Bus): the TUI calls this
    off its event loop. Imports no pydantic unless a config file is there to check.
    """
    from dixa_tui.api.secret import Secret

    profile, keymap = load_profile(settings)
    if settings.demo:
        from dixa_tui.mock.app import DEMO_API_KEY

        return Resolved(profile, keymap, Secret(DEMO_API_KEY), "demo", "embedded demo")
    from dixa_tui.secrets import find_key

    found = find_key(profile.name, use_env=settings.env_key)
    problem = found.problem
    if found.key is None and not settings.env_key and problem is None:
        from dixa_tui.secrets import ENV_VAR, environment_key_set

        if environment_key_set():
            problem = (f"{ENV_VAR} holds this run's own profile's key and is never sent to "
                       f"another profile's host; store a key for profile {profile.name!r} "
                       f"in the keyring (`dixa-tui --profile {profile.name} auth set`).")
    return Resolved(profile, keymap, found.key, found.source, found.backend, problem,
                    found.reason)


def missing_key_message(profile: Profile, problem: str | None,
                        keyring_failure: KeyringFailure | None = None) -> str:
    """Why there is no key, and the ways to give one that work here: with no keyring on the
    machine, ``auth set`` cannot store one, so only ``DIXA_API_KEY`` (which ``problem``
    names) and the demo are offered."""
    from dixa_tui.secrets import ENV_VAR

    lines = [f"No Dixa API key for profile {profile.name!r}."]
    if problem:
        lines.append(problem)
    if keyring_failure == "no-backend":
        lines.append("To try the tool without an account, add --demo.")
    else:
        lines.append(f"Store one with `dixa-tui --profile {profile.name} auth set`, or set "
                     f"{ENV_VAR}. To try the tool without an account, add --demo.")
    return "\n".join(lines)


def describe_source(source: KeySource | None, backend: str = "") -> str:
    """Where the key in use comes from, in words (never the key)."""
    from dixa_tui.secrets import ENV_VAR

    if source == "env":
        return f"the {ENV_VAR} environment variable"
    if source == "keyring":
        return f"the OS keyring ({backend})" if backend else "the OS keyring"
    if source == "session":
        return "entered for this session only (not saved)"
    if source == "demo":
        return "the embedded demo's own key"
    return "no key"
