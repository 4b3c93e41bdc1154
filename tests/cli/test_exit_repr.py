"""A command's result is never formatted on the way out.

On Python 3.11, ``asyncio.run`` formats the main task's ``repr`` (and so its result's) while
restoring the SIGINT handler: 10,000 definitions cost a quarter of a second there, after the
work was done. ``cli.common.run`` hands results out another way, and the definitions list's
own repr is short.
"""

from __future__ import annotations

from dixa_tui.api.models import CustomAttributeDefinition
from dixa_tui.api.salvage import DefinitionsRead
from dixa_tui.cli.common import run
from dixa_tui.mock import MockState


class Loud:
    """A result that counts its reprs."""

    reprs = 0

    def __repr__(self) -> str:
        Loud.reprs += 1
        return "Loud()"


def test_run_never_formats_the_result() -> None:
    async def work() -> Loud:
        return Loud()

    Loud.reprs = 0
    result = run(work())
    assert isinstance(result, Loud)
    assert Loud.reprs == 0


def test_a_definitions_list_repr_does_not_repr_its_definitions(monkeypatch) -> None:
    calls: list[str] = []

    def counted(self: CustomAttributeDefinition) -> str:
        calls.append(self.id)
        return "definition"

    monkeypatch.setattr(CustomAttributeDefinition, "__repr__", counted)
    read = DefinitionsRead(MockState.demo().definitions)
    text = repr(read)
    assert calls == []
    assert text == f"DefinitionsRead({len(read.definitions)} definitions, 0 skipped)"
