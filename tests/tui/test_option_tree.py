"""The option tree: lazy, ordered, searchable, literal, and it says which path was chosen."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest
from textual.app import App, ComposeResult
from textual.widgets import Input, Static

from dixa_tui.api.models import SelectOption
from dixa_tui.tui.widgets.option_tree import (
    MAX_SHOWN,
    OptionBrowser,
    OptionSearchInput,
    OptionTree,
    path_label,
    path_values,
)


def opt(value: str, label: str | None = None, order: int = 0, *, off: bool = False,
        kids: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"id": f"id-{value}", "label": value.title() if label is None else label,
            "value": value, "orderIndex": order, "isDeactivated": off,
            "nestedOptions": kids or []}


def models(*options: dict[str, Any]) -> list[SelectOption]:
    return [SelectOption.model_validate(o) for o in options]


def sample() -> list[SelectOption]:
    """Top level out of order; 14 options, 3 levels, 2 deactivated."""
    return models(
        opt("returns", order=2, kids=[opt("refund", order=1), opt("exchange", order=0)]),
        opt("delivery", order=0, kids=[
            opt("late", order=1),
            opt("damaged", order=0, kids=[opt("item", order=1), opt("box", order=0),
                                          opt("seal", order=2, off=True)]),
            opt("lost", order=2, off=True),
            opt("wrong", order=3)]),
        opt("billing", order=1, kids=[opt("invoice"), opt("charge", order=1)]),
    )


class Host(App[None]):
    BINDINGS = [("escape", "escaped", "Escape")]  # noqa: RUF012

    def __init__(self, options: list[SelectOption]) -> None:
        super().__init__()
        self.options = options
        self.chosen: list[tuple[Any, ...]] = []
        self.escapes = 0

    def action_escaped(self) -> None:
        self.escapes += 1

    def compose(self) -> ComposeResult:
        yield OptionBrowser()

    def on_mount(self) -> None:
        self.query_one(OptionBrowser).set_options(self.options)

    def on_option_tree_path_chosen(self, message: OptionTree.PathChosen) -> None:
        assert message.control is message.option_tree
        self.chosen.append(message.path)


def tree_of(app: App[None]) -> OptionTree:
    return app.query_one(OptionBrowser).option_tree


def lines(tree: OptionTree) -> list[str]:
    """The label text of every visible line, root first."""
    nodes = (tree.get_node_at_line(i) for i in range(tree.last_line + 1))
    return [str(n.label) for n in nodes if n is not None]


def shown_paths(tree: OptionTree) -> list[tuple[str, ...]]:
    nodes = (tree.get_node_at_line(i) for i in range(tree.last_line + 1))
    return [tuple(path_values(n.data.path)) for n in nodes if n is not None and n.data]


def status(app: App[None]) -> str:
    return str(app.query_one("#option-status", Static).render())


async def test_root_summary_and_order_index_ordering() -> None:
    app = Host(sample())
    async with app.run_test(size=(100, 30)):
        tree = tree_of(app)
        assert str(tree.root.label) == "14 options · 3 top level · 3 levels · 2 deactivated"
        assert [c.data.path[-1].value for c in tree.root.children if c.data] == [
            "delivery", "billing", "returns"]
        assert tree.highlighted_path is not None
        assert path_values(tree.highlighted_path) == ["delivery"]


async def test_children_are_created_on_first_expand_in_order() -> None:
    app = Host(sample())
    async with app.run_test(size=(100, 30)) as pilot:
        tree = tree_of(app)
        delivery = tree.root.children[0]
        assert delivery.allow_expand and not delivery.children  # expandable, still lazy
        tree.focus()
        await pilot.press("right")
        assert [str(c.label).split(" (")[0] for c in delivery.children] == [
            "Damaged", "Late", "Lost", "Wrong"]
        assert not delivery.children[0].children  # grandchildren stay lazy
        await pilot.press("space", "down", "l")  # space folds delivery; l opens billing
        billing = tree.root.children[1]
        assert billing.is_expanded and len(billing.children) == 2


async def test_expand_and_collapse_everything() -> None:
    app = Host(sample())
    async with app.run_test(size=(100, 30)) as pilot:
        tree = tree_of(app)
        tree.focus()
        await pilot.press("E")
        assert tree.last_line + 1 == 1 + 14
        assert "  ".join(lines(tree)).count("[deactivated]") == 2
        await pilot.press("C")
        assert tree.last_line + 1 == 1 + 3
        assert tree.highlighted_path is not None


async def test_keys_move_open_and_go_to_parent() -> None:
    app = Host(sample())
    async with app.run_test(size=(100, 30)) as pilot:
        tree = tree_of(app)
        tree.focus()
        await pilot.press("l", "l", "l", "l")  # open delivery, into damaged, open it, into box
        assert path_values(tree.highlighted_path or ()) == ["delivery", "damaged", "box"]
        await pilot.press("right")  # a leaf: nothing happens
        assert path_values(tree.highlighted_path or ()) == ["delivery", "damaged", "box"]
        await pilot.press("j", "k", "left")  # left on a leaf goes to its parent
        assert path_values(tree.highlighted_path or ()) == ["delivery", "damaged"]
        await pilot.press("h")  # left on an open node folds it
        assert not tree.cursor_node.is_expanded  # type: ignore[union-attr]
        await pilot.press("h", "h")  # to delivery, then fold it
        assert path_values(tree.highlighted_path or ()) == ["delivery"]
        assert not tree.root.children[0].is_expanded
        await pilot.press("h")  # to the root
        assert tree.highlighted_path is None


async def test_enter_chooses_the_path_and_does_not_toggle() -> None:
    app = Host(sample())
    async with app.run_test(size=(100, 30)) as pilot:
        tree = tree_of(app)
        tree.focus()
        await pilot.press("enter")
        await pilot.pause()
        assert [path_values(p) for p in app.chosen] == [["delivery"]]
        assert not tree.root.children[0].is_expanded
        await pilot.press("l", "l", "j", "enter")
        await pilot.pause()
        assert path_values(app.chosen[-1]) == ["delivery", "late"]
        assert path_label(app.chosen[-1]) == "Delivery > Late"


async def test_search_narrows_shows_ancestors_and_empty_query_restores() -> None:
    app = Host(sample())
    async with app.run_test(size=(100, 30)) as pilot:
        tree = tree_of(app)
        search = app.query_one("#option-search", Input)
        search.focus()
        await pilot.press(*"box")
        await pilot.pause()
        assert shown_paths(tree) == [("delivery",), ("delivery", "damaged"),
                                     ("delivery", "damaged", "box")]
        assert path_values(tree.highlighted_path or ()) == ["delivery", "damaged", "box"]
        assert status(app) == "1 match"
        # every word must occur, in labels or values, across levels
        assert tree.search("DELIVERY item").matches == 1
        assert tree.search("delivery/damaged/seal").matches == 1
        assert tree.search("damaged > item").matches == 1
        outcome = tree.search("xyz")
        assert (outcome.matches, outcome.shown) == (0, 0)
        search.value = "xyz"
        await pilot.pause()
        assert status(app) == "no option matches 'xyz' — Esc clears the search"
        search.value = "box"
        await pilot.pause()
        await pilot.press("escape")  # clears the search, keeps the cursor on the option
        await pilot.pause()
        assert search.value == ""
        assert tree.search_query == ""
        assert path_values(tree.highlighted_path or ()) == ["delivery", "damaged", "box"]
        assert [c.data.path[-1].value for c in tree.root.children if c.data] == [
            "delivery", "billing", "returns"]


async def test_search_input_keys() -> None:
    app = Host(sample())
    async with app.run_test(size=(100, 30)) as pilot:
        tree = tree_of(app)
        search = app.query_one(OptionSearchInput)
        search.focus()
        await pilot.press("d", "e", "l", "/", "d")  # "/" is text here (value paths use it)
        assert search.value == "del/d"
        await pilot.press("down")
        assert tree.has_focus
        await pilot.press("slash")
        assert search.has_focus
        await pilot.press("enter")
        assert tree.has_focus
        await pilot.press("slash", "escape")  # clears the search: the app does not see it
        assert search.value == "" and app.escapes == 0
        await pilot.press("escape")  # nothing to clear: it goes on to the app
        assert app.escapes == 1


async def test_nodes_opened_from_code_get_their_children() -> None:
    app = Host(sample())
    async with app.run_test(size=(100, 30)) as pilot:
        tree = tree_of(app)
        tree.root.children[2].expand()
        await pilot.pause()
        assert len(tree.root.children[2].children) == 2
        assert tree.reveal(["delivery", "damaged", "seal"])
        assert path_values(tree.highlighted_path or ()) == ["delivery", "damaged", "seal"]
        assert not tree.reveal(["delivery", "nope"])


def big_options(count: int = 250) -> list[SelectOption]:
    return models(opt("parts", kids=[
        opt(f"item{i:03}", f"Item {i}", order=i) for i in range(count)]))


async def test_matches_are_capped_with_a_more_line() -> None:
    app = Host(big_options())
    async with app.run_test(size=(100, 30)) as pilot:
        tree = tree_of(app)
        outcome = tree.search("item")
        assert (outcome.matches, outcome.shown) == (250, MAX_SHOWN)
        more = tree.root.children[-1]
        assert more.data is None and str(more.label) == "… 50 more — refine the search"
        assert len(shown_paths(tree)) == 1 + MAX_SHOWN
        tree.move_cursor(more)
        assert tree.highlighted_path is None
        app.query_one("#option-search", Input).value = "item"
        await pilot.pause()
        assert status(app) == "250 matches · showing the first 200"


def generated() -> list[SelectOption]:
    words = ["alpha", "beta", "gamma", "delta", "omega"]

    def node(prefix: str, level: int) -> dict[str, Any]:
        i = int(prefix.rsplit("-", 1)[-1])
        kids = [node(f"{prefix}-{j}", level + 1) for j in range(4)] if level < 3 else []
        return opt(f"v{prefix}", f"{words[i % 5]} {words[(i + level) % 5]} {prefix}",
                   order=-i, kids=kids)

    return models(*(node(str(i), 0) for i in range(5)))


@pytest.mark.parametrize("queries", [
    ["a", "al", "alp", "alpha", "alpha ", "alpha b", "alpha be"],
    ["g", "ga", "gamma 1", "gamma 1-", "gamma 1-2"],
    ["v", "v1", "v1/", "v1/v1-3"],
    ["beta", "bet", "be", "b"],  # shrinking: not a narrowing
    ["omega > ", "omega > d", "omega > delta 2"],
])
async def test_incremental_narrowing_equals_a_fresh_search(queries: list[str]) -> None:
    options = generated()
    app = Host(options)
    async with app.run_test(size=(100, 30)):
        tree = tree_of(app)
        fresh = OptionTree()
        fresh.show_options(options)
        for query in queries:
            assert tree.search(query) == fresh.search(query)
            assert shown_paths(tree) == shown_paths(fresh)
            fresh.show_options(options)  # forget the previous query


async def test_deactivated_options_say_so_in_words() -> None:
    app = Host(sample())
    async with app.run_test(size=(100, 30)):
        tree = tree_of(app)
        tree.expand_everything()
        labels = {p[-1].value: str(tree.get_node_at_line(i).label)  # type: ignore[union-attr]
                  for i, p in ((i, tree.get_node_at_line(i).data.path)  # type: ignore[union-attr]
                               for i in range(1, tree.last_line + 1))}
        assert labels["lost"] == "Lost (lost) [deactivated]"
        assert labels["damaged"] == "Damaged (damaged) · 3"
        assert labels["box"] == "Box (box)"


async def test_untrusted_labels_render_literally_without_escapes() -> None:
    options = models(opt("markup", "[bold red]X[/]", 0),
                     opt("osc", "\x1b]0;evil\x07title", 1),
                     opt("csi\x1b[31m", "\x1b[31mred\x1b[0m", 2))
    app = Host(options)
    async with app.run_test(size=(100, 30)) as pilot:
        tree = tree_of(app)
        await pilot.pause()
        labels = [str(c.label) for c in tree.root.children]
        assert labels[0] == "[bold red]X[/] (markup)"
        assert labels[1] == "title (osc)"
        assert labels[2] == "red (csi)"
        assert not any(ch in "".join(labels) for ch in "\x1b\x07\x9b\x9d")
        rendered = tree.render_line(1).text
        assert "[bold red]X[/] (markup)" in rendered
        assert tree.search("bold").matches == 1
        assert "[bold red]X[/]" in str(tree.root.children[0].label)


def test_bindings_have_ids() -> None:
    for cls in (OptionTree, OptionBrowser, OptionSearchInput):
        own = cls.__dict__["BINDINGS"]
        assert own and all(b.id for b in own), cls  # type: ignore[union-attr]
    keys = {b.key: b.id for b in OptionTree.BINDINGS}  # type: ignore[union-attr]
    assert keys["E"] == "option_tree.expand_all" and keys["C"] == "option_tree.collapse_all"


def test_import_stays_light() -> None:
    code = ("import sys, dixa_tui.tui.widgets.option_tree as m; "
            "print('pydantic' in sys.modules or 'httpx' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"
