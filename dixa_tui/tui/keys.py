"""Every key binding of the app, by where it applies: for the help screen (and the README's
table, which ``tools/readme.py`` writes from :func:`key_table`).

Each ``Binding`` has an ``id``; the user's ``[keymap]`` (binding id -> keys) replaces its keys.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping

from textual.binding import Binding

# (title, "module:Class") in the order the help screen lists them.
SECTIONS: tuple[tuple[str, str], ...] = (
    ("Everywhere", "dixa_tui.tui.app:DixaApp"),
    ("Main screen", "dixa_tui.tui.screens.main:MainScreen"),
    ("Definitions list", "dixa_tui.tui.widgets.definitions:DefinitionList"),
    ("Option tree (detail pane and picker)", "dixa_tui.tui.widgets.option_tree:OptionTree"),
    ("Option browser", "dixa_tui.tui.widgets.option_tree:OptionBrowser"),
    ("Option search box", "dixa_tui.tui.widgets.option_tree:OptionSearchInput"),
    ("Target", "dixa_tui.tui.screens.target:TargetScreen"),
    ("Marked lists (a user's conversations, lookup results)",
     "dixa_tui.tui.widgets.marked_list:MarkedList"),
    ("Editor", "dixa_tui.tui.screens.editor:EditorScreen"),
    ("Schema diff", "dixa_tui.tui.screens.schema_diff:SchemaDiffScreen"),
    ("Schema changes list", "dixa_tui.tui.widgets.changes:ChangeList"),
    ("Schema change", "dixa_tui.tui.screens.schema_diff:ChangeDetailScreen"),
    ("Usage census", "dixa_tui.tui.screens.usage:UsageScreen"),
    ("History", "dixa_tui.tui.screens.history:HistoryScreen"),
    ("Find conversations", "dixa_tui.tui.screens.find:FindScreen"),
    ("Find: the matches (marks)", "dixa_tui.tui.widgets.found_table:FoundTable"),
    ("Find: the matches", "dixa_tui.tui.widgets.worklist:Worklist"),
    ("Find: add a condition", "dixa_tui.tui.screens.find_condition:ConditionScreen"),
    ("Find: columns", "dixa_tui.tui.screens.find_dialogs:ColumnsScreen"),
    ("Find: saved queries", "dixa_tui.tui.screens.find_dialogs:SavedQueriesScreen"),
    ("Find: save the query", "dixa_tui.tui.screens.find_dialogs:SaveQueryScreen"),
    ("Bulk editor (one edit set for the marked)",
     "dixa_tui.tui.screens.bulk_editor:BulkEditorScreen"),
    ("Bulk review (plan, send, results)", "dixa_tui.tui.screens.bulk_review:BulkReviewScreen"),
    ("Open a bulk plan file", "dixa_tui.tui.screens.bulk_dialogs:PlanFileScreen"),
    ("Bulk send: type the count", "dixa_tui.tui.screens.bulk_dialogs:CountConfirmScreen"),
    ("Confirm", "dixa_tui.tui.screens.confirm:ConfirmScreen"),
    ("API key", "dixa_tui.tui.screens.key:KeyScreen"),
    ("Help", "dixa_tui.tui.screens.help:HelpScreen"),
)

# Textual's own keys that the app relies on; they have no binding id and are not remapped.
BUILTIN: tuple[tuple[str, str], ...] = (
    ("tab, shift+tab", "Move between panes and fields"),
    ("enter", "Choose (an option in a tree, a user or conversation in a list, a button)"),
    ("space", "Open or close an option in a tree"),
    ("ctrl+p", "Command palette: every action, and the themes"),
)

_NAMES = {"slash": "/", "question_mark": "?", "escape": "esc", "pagedown": "pgdn",
          "pageup": "pgup", "space": "space", "enter": "enter", "plus": "+", "minus": "-"}


def display_keys(keys: str) -> str:
    return ", ".join(_NAMES.get(k.strip(), k.strip()) for k in keys.split(","))


def bindings_of(target: str) -> list[Binding]:
    module, name = target.split(":")
    cls = getattr(importlib.import_module(module), name)
    return [b for b in cls.BINDINGS if isinstance(b, Binding)]


def all_bindings() -> Iterator[tuple[str, Binding]]:
    for title, target in SECTIONS:
        for binding in bindings_of(target):
            yield title, binding


def key_table(keymap: Mapping[str, str]) -> Iterator[tuple[str, list[tuple[str, str, str]]]]:
    """(section title, [(keys, what it does, binding id)]) with the keymap applied: what it
    does is the binding's sentence (its tooltip, as the command palette shows it)."""
    yield "Built into Textual (not remappable)", [(k, d, "") for k, d in BUILTIN]
    for title, target in SECTIONS:
        rows = []
        for b in bindings_of(target):
            keys = keymap.get(b.id or "", b.key)
            rows.append((display_keys(keys), b.tooltip or b.description or b.action,
                         b.id or ""))
        yield title, rows
