"""Where dixa-tui leans on Textual's private API, and why: the one list.

Each use is an override that keeps Textual's own behaviour (it guards, then calls
``super()``) or one private attribute read, used only where Textual 8.2.8 has no public
route. ``tests/tui/test_private_api.py`` fails when a pinned upgrade renames one of them, so
an upgrade cannot silently lose what they do.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PrivateUse:
    textual: str  # "module:Class.attribute" in Textual
    ours: str  # where we use it
    why: str


PRIVATE_USES: tuple[PrivateUse, ...] = (
    PrivateUse(
        "textual.app:App._handle_exception", "dixa_tui.tui.app:DixaApp._handle_exception",
        "An uncaught error makes Textual print a traceback with local variables, which may "
        "hold anything on screen; an exception with __rich__ it prints as that instead. The "
        "override gives the error one line as its __rich__ (the traceback goes to the debug "
        "log, redacted) and calls super(). There is no public hook for this."),
    PrivateUse(
        "textual.widgets._tree:Tree._invalidate",
        "dixa_tui.tui.widgets.option_tree:OptionTree._invalidate",
        "Each node added invalidates and re-lays-out the whole tree; opening a Select of "
        "thousands of options made thousands of invalidations. The override defers them to "
        "the end of a batch and then calls super() once. Tree has no public batch API."),
    PrivateUse(
        "textual.widgets._tree:Tree._tree_nodes",
        "dixa_tui.tui.widgets.option_tree:OptionTree.clear",
        "Tree.clear() keeps the cleared nodes in this id map and does not register the new "
        "root, so get_node_by_id() answers with stale nodes and they are never freed. After "
        "super().clear() the map is reset to hold the root alone."),
)
