"""The top bar: which organization this is, badged by what its URL is. A PRODUCTION badge
is never mistaken for DEMO, and a mock on this machine is never called PRODUCTION."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from dixa_tui.tui.literal import join, lit

DIXA_HOSTS = ("dixa.io", "dixa.com")  # Dixa's own API hosts and their subdomains


@dataclass(frozen=True)
class Badge:
    text: str
    style: str


def badge(url: str | None, *, demo: bool | None, name: str | None = None) -> Badge:
    """What the organization at ``url`` is: the profile's own ``name`` when it has one, DEMO,
    LOCAL for this machine (loopback), PRODUCTION for Dixa's host, REMOTE for any other."""
    if demo is None:
        return Badge("…", "reverse")
    if demo:
        return Badge("DEMO", "bold black on yellow")
    if name:
        return Badge(name.upper(), "bold white on magenta")
    host = (urlsplit(url or "").hostname or "").lower()
    if not host:  # not known yet (the session is starting)
        return Badge("…", "reverse")
    if host == "localhost" or host.endswith(".localhost") or _loopback(host):
        return Badge("LOCAL", "bold black on green")
    if any(host == h or host.endswith("." + h) for h in DIXA_HOSTS):
        return Badge("PRODUCTION", "bold white on red")
    return Badge("REMOTE", "bold white on magenta")


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class StatusHeader(Static):
    """``dixa-tui · profile · base URL/version`` and the badge, and a READ-ONLY one for a
    profile that never writes."""

    DEFAULT_CSS = """
    StatusHeader {
        height: 1; background: $panel; color: $text; padding: 0 1;
        text-wrap: nowrap; text-overflow: ellipsis;
    }
    """

    profile: reactive[str] = reactive("…")
    url: reactive[str] = reactive("connecting…")
    demo: reactive[bool | None] = reactive(None)
    read_only: reactive[bool] = reactive(False)
    badge_name: reactive[str | None] = reactive(None)

    def render(self) -> Text:
        mark = badge(self.url, demo=self.demo, name=self.badge_name)
        shown = lit(f" {mark.text} ", mark.style)
        if self.read_only:
            shown = join(shown, " ", lit(" READ-ONLY ", "bold black on cyan"))
        return join(shown, " ", lit("dixa-tui", "bold"), " · profile ", lit(self.profile, "bold"),
                    " · ", lit(self.url))
