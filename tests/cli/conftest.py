"""The CLI against a loopback mock: ``cli(*args)`` runs dixa-tui with the mock's URL and key."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from click.testing import CliRunner, Result

from dixa_tui.cli import main
from dixa_tui.mock import DEMO_API_KEY, Knobs, MockState


@dataclass
class Mocked:
    url: str
    state: MockState
    knobs: Knobs

    def run(self, *args: str, key: str = DEMO_API_KEY, stdin: str | None = None) -> Result:
        result = CliRunner().invoke(main, ["--base-url", self.url, *args], input=stdin,
                                    env={"DIXA_API_KEY": key})
        assert "Traceback" not in result.output
        assert result.exception is None or isinstance(result.exception, SystemExit), \
            repr(result.exception)
        return result


@pytest.fixture
def mocked(serve_mock: Callable[..., tuple[str, MockState, Knobs]]) -> Mocked:
    return Mocked(*serve_mock())


def _demo(*args: str) -> Result:
    result = CliRunner().invoke(main, ["--demo", *args])
    assert "Traceback" not in result.output
    return result


@pytest.fixture
def demo() -> Callable[..., Result]:
    """``demo(*args)`` runs ``dixa-tui --demo *args`` in-process."""
    return _demo
