"""From settings to a working client: the profile, the key, and ``--demo``.

The CLI and the TUI both start here, so "which Dixa, with which key" is decided in one place.
With ``demo`` the client talks to the embedded mock in-process through
``httpx.ASGITransport``: no network, no keyring, no Dixa account.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the TUI imports this module before its first frame: keep it light
    import httpx
    from pydantic import SecretStr

    from dixa_tui.api.client import DixaClient
    from dixa_tui.config import Profile
    from dixa_tui.secrets import KeyResolution

DEMO_BASE_URL = "http://demo.dixa.invalid"


class MissingKeyError(Exception):
    """No key for the profile; the message says how to provide one (never contains a key)."""


@dataclass(frozen=True)
class Settings:
    """What the global options of the CLI (and the TUI's start) ask for."""

    profile_name: str | None = None
    base_url: str | None = None
    api_version: str | None = None
    demo: bool = False

    def profile(self) -> Profile:
        from dixa_tui.config import ConfigError, Profile, load_config

        if self.demo and (self.base_url or self.profile_name):
            raise ConfigError("--demo uses the embedded demo organization: leave out "
                              "--base-url and --profile, or leave out --demo.")
        if self.demo:
            base = Profile(name="demo", base_url=DEMO_BASE_URL, rate_limit=0)
            return base.with_overrides(api_version=self.api_version)
        config = load_config()
        return config.profile(self.profile_name).with_overrides(self.base_url, self.api_version)

    def key(self, profile: Profile) -> KeyResolution:
        from pydantic import SecretStr

        from dixa_tui.secrets import KeyResolution, resolve_key

        if self.demo:
            from dixa_tui.mock import DEMO_API_KEY

            return KeyResolution(SecretStr(DEMO_API_KEY), "env", "embedded demo", None)
        return resolve_key(profile.name)


def missing_key_message(profile: Profile, resolution: KeyResolution) -> str:
    from dixa_tui.secrets import ENV_VAR

    lines = [f"No Dixa API key for profile {profile.name!r}."]
    if resolution.problem:
        lines.append(resolution.problem)
    lines.append(f"Store one with `dixa-tui --profile {profile.name} auth set`, or set "
                 f"{ENV_VAR}. To try the tool without an account, add --demo.")
    return "\n".join(lines)


def open_client(settings: Settings, key: SecretStr | None = None,
                transport: httpx.AsyncBaseTransport | None = None) -> DixaClient:
    """A client for ``settings``; raises MissingKeyError or config.ConfigError.

    ``key`` overrides the resolution (the TUI's session-only key); ``transport`` overrides
    the demo's in-process mock (tests inject their own mock state).
    """
    import httpx

    from dixa_tui.api.client import DixaClient

    profile = settings.profile()
    if key is None:
        resolution = settings.key(profile)
        if resolution.key is None:
            raise MissingKeyError(missing_key_message(profile, resolution))
        key = resolution.key
    if transport is None and settings.demo:
        from dixa_tui.mock import MockState, create_app

        transport = httpx.ASGITransport(app=create_app(MockState.demo()))
    return DixaClient(
        key,
        base_url=profile.base_url,
        api_version=profile.api_version,
        rate=profile.rate_limit,
        burst=profile.burst,
        transport=transport,
    )
