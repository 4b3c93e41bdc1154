"""The Find screen's query, one line per part, each as it reads or with what is wrong with it.

A part with a problem is marked and its problems are written under it, so the user sees
which condition to fix, not a list of sentences to map back. The highlighted line is the
one the screen's remove key takes away.
"""

from __future__ import annotations

from textual.widgets import OptionList
from textual.widgets.option_list import Option

from dixa_tui.domain.query_parts import PartsCheck
from dixa_tui.tui.literal import join, lit


def _unprefixed(problem: str, option: str) -> str:
    """A problem without the option it names first: its line shows the option already."""
    for prefix in (f"{option}: ", f"{option} "):
        if problem.startswith(prefix):
            return problem[len(prefix):]
    return problem


class ConditionList(OptionList):
    """The parts of a query, checked (:func:`~dixa_tui.domain.query_parts.check_parts`)."""

    def show(self, check: PartsCheck, add_key: str) -> None:
        keep = self.highlighted
        self.clear_options()
        if not check.parts:
            self.add_option(Option(lit(f"No condition: every conversation · {add_key} adds "
                                       "one", "dim"), id="none", disabled=True))
            return
        for i, checked in enumerate(check.parts):
            if checked.problems:
                prompt = join(lit("✖ ", "bold red"), lit(checked.describe, "bold"))
                for problem in checked.problems:
                    prompt.append_text(join("\n  ", lit(_unprefixed(problem, checked.part.option),
                                                         "red")))
            else:
                prompt = lit(checked.describe)
            self.add_option(Option(prompt, id=str(i)))
        self.highlighted = min(keep or 0, len(check.parts) - 1)

    @property
    def part_index(self) -> int | None:
        """The highlighted part's index, None when there is none."""
        option = self.highlighted_option
        ident = option.id if option is not None else None
        return int(ident) if ident is not None and ident.isdigit() else None
