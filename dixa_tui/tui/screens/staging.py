"""What the single editor and the bulk editor share: staging a value per attribute.

A value chosen in the picker or typed and submitted is staged; clearing stages
``None`` (a clear) when the value rules allow it; unstaging drops it. Each editor says how an
attribute's value is shown (:meth:`_show_value`), how the live panel follows the staged set
(:meth:`_refresh`), and what else a new staging resets (:meth:`_staged_changed`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from textual import on
from textual.screen import ModalScreen

from dixa_tui.domain.patch import StagedEdit, check_value
from dixa_tui.tui.widgets.value_input import ValueInput

if TYPE_CHECKING:
    from dixa_tui.api.models import CustomAttributeDefinition

ResultT = TypeVar("ResultT")


class StagingScreen(ModalScreen[ResultT]):
    """An editor of staged values; subclasses set ``editing`` and ``staged``."""

    editing: CustomAttributeDefinition | None
    staged: dict[str, Any]  # definition id -> value (None clears), in the order staged

    def _show_value(self, definition: CustomAttributeDefinition | None) -> None:
        raise NotImplementedError

    def _refresh(self) -> None:
        raise NotImplementedError

    def _staged_changed(self) -> None:
        """A value was staged: what the editor keeps about an earlier send goes."""

    def staged_edits(self) -> list[StagedEdit]:
        return [StagedEdit(key, value) for key, value in self.staged.items()]

    @on(ValueInput.Chosen)
    def _chosen(self, event: ValueInput.Chosen) -> None:
        event.stop()
        self._stage(event.definition, event.value)

    @on(ValueInput.Submitted)
    def _typed_done(self) -> None:
        self.query_one("#attributes").focus()

    def action_clear_value(self) -> None:
        definition = self.editing
        if definition is None:
            return
        if any(p.severity == "error" for p in check_value(definition, None)):
            self.notify("This attribute cannot be edited.", severity="warning", timeout=3)
            return
        self._stage(definition, None)
        self._show_value(definition)

    def action_unstage(self) -> None:
        definition = self.editing
        if definition is None or definition.id not in self.staged:
            self.notify("Nothing is staged for this attribute.", timeout=2)
            return
        del self.staged[definition.id]
        self._refresh()
        self._show_value(definition)

    def _stage(self, definition: CustomAttributeDefinition, value: Any) -> None:
        self.staged[definition.id] = value
        self._staged_changed()
        self._refresh()
        if definition.input_type != "Text":
            self._show_value(definition)
