"""A Select nested 20 levels deep in the editor's picker: every level's label can be read.

Each level indents the tree by 4 columns, so at 120 columns the picker (half the editor)
used to clip levels 12 and deeper to nothing but guide lines. The tree now scrolls sideways
to keep the option under the cursor in view, and back when the cursor goes up again.
"""

from __future__ import annotations

from typing import Any

import pytest
from tui_helpers import started, wait_for

from dixa_tui.api.models import CustomAttributeDefinition
from dixa_tui.mock import Knobs, MockState
from dixa_tui.tui.app import DixaApp
from dixa_tui.tui.screens.editor import EditorScreen
from dixa_tui.tui.widgets.definitions import DefinitionList
from dixa_tui.tui.widgets.option_tree import OptionBrowser, OptionTree

LEVELS = 20


def deep_select() -> CustomAttributeDefinition:
    option: dict[str, Any] | None = None
    for level in range(LEVELS, 0, -1):
        option = {"id": f"o-{level}", "value": f"v{level}", "label": f"Level {level} option",
                  "orderIndex": 0, "isDeactivated": False,
                  "nestedOptions": [option] if option else []}
    return CustomAttributeDefinition.model_validate({
        "id": "deadbeef-2222-4333-8444-555555555555", "entityType": "Conversation",
        "identifier": "deep_reason", "label": "Deep reason",
        "inputDefinition": {"_type": "Select", "options": [option]},
        "createdAt": "2024-01-01T00:00:00Z[GMT]", "isRequired": False, "isArchived": False,
        "isDeactivated": False})


def screen_text(app: DixaApp) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


@pytest.fixture
def state() -> MockState:
    organization = MockState.demo()
    organization.definitions.append(deep_select())
    return organization


async def open_picker(pilot: Any, app: DixaApp) -> OptionTree:
    from dixa_tui.domain.patch import Target
    from dixa_tui.session.targets import read_target

    main = await started(pilot)
    assert app.session is not None and app.session.client is not None
    main.set_target(await read_target(app.session.client, Target("conversation", "10001")))
    listing = main.query_one(DefinitionList)
    listing.cursor = next(i for i, d in enumerate(listing.rows)
                          if d.identifier == "deep_reason")
    await pilot.press("e")
    await wait_for(pilot, lambda: isinstance(app.screen, EditorScreen))
    editor = app.screen
    await wait_for(pilot, lambda: editor.editing is not None
                   and editor.editing.identifier == "deep_reason")
    tree = editor.query_one("#picker", OptionBrowser).option_tree
    tree.focus()
    await pilot.pause()
    return tree


@pytest.mark.parametrize("size", [(120, 36), (80, 24)])
async def test_every_level_of_a_20_level_tree_can_be_read_in_the_picker(
        state: MockState, knobs: Knobs, size: tuple[int, int],
        make_app: Any) -> None:
    app: DixaApp = make_app()
    async with app.run_test(size=size) as pilot:
        tree = await open_picker(pilot, app)
        for level in range(1, LEVELS + 1):
            await pilot.pause()
            shown = screen_text(app)
            assert f"Level {level} option" in shown, (level, tree.scroll_x)
            path = tree.highlighted_path
            assert path is not None and len(path) == level
            if level < LEVELS:
                await pilot.press("l")  # open it
                await pilot.press("l")  # and go to its first sub-option
        assert tree.scroll_x > 0
        for level in range(LEVELS, 0, -1):  # and back up: the ancestors come back in view
            shown = screen_text(app)
            assert f"Level {level} option" in shown, (level, tree.scroll_x)
            await pilot.press("h")  # fold it, or go to its parent
            await pilot.press("h")
            await pilot.pause()
        assert tree.scroll_x == 0
