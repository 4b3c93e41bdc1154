"""A Select attribute's option tree: browse it, search it, choose a path in it.

Used by the detail pane (browse, copy a path) and the editor's value picker (choose a path).
Organizations have thousands of options, so a node's children are created when it is first
expanded, and search runs over an index built on the first search of an option set (flat
lists: no object per option for the garbage collector to walk), narrowing the previous
matches while the query only grows; the same option sequence shown again keeps its index.
Options are duck-typed (:class:`OptionLike`): importing this module must not pull pydantic
into the TUI's first frame. Labels and values are someone else's text: they are cleaned of
escape sequences and never parsed as markup.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import ClassVar, Self

from rich.cells import cell_len
from rich.text import Span, Text
from textual import on
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, Static, Tree
from textual.widgets.tree import TreeNode

from dixa_tui.domain.options import (
    OptionIndex,
    OptionLike,
    option_counts,
    ordered,
    path_label,
    path_values,
)
from dixa_tui.text import plural
from dixa_tui.tui.literal import lit

MAX_SHOWN = 200
MATCH_STYLE = "bold underline"
OptionPath = tuple[OptionLike, ...]


def _clean(value: object) -> str:
    # Printable text holds no control character, so cleaning could not change it: skip the
    # per-character pass (thousands of labels when everything is expanded).
    text = "" if value is None else str(value)
    return text if text.isprintable() else lit(text).plain


def option_label(option: OptionLike) -> Text:
    """``Label (value) · 4 [deactivated]``: literal text; the marker is a word, for NO_COLOR."""
    off = option.is_deactivated
    head, head_style = _clean(option.label), "strike" if off else ""
    if not head:
        head, head_style = "(no label)", "italic"
    value = f" ({_clean(option.value)})"
    tail = f" · {len(option.nested_options)}" if option.nested_options else ""
    tail += " [deactivated]" if off else ""
    end = len(head) + len(value)
    spans = [Span(0, len(head), head_style), Span(len(head), end + len(tail), "dim")]
    if off:
        spans += [Span(0, end, "dim"), Span(len(head), end, "strike")]
    return Text(head + value + tail, spans=spans)


@dataclass(frozen=True)
class SearchOutcome:
    matches: int
    shown: int
    query: str


@dataclass(slots=True, eq=False)
class OptionNodeData:
    """An option's node: its path from the top level; whether its children exist yet."""

    path: OptionPath
    loaded: bool = False


class OptionTree(Tree[OptionNodeData]):
    """The options of one Select attribute in ``orderIndex`` order, created as they are opened.

    Enter (or a click) chooses the node under the cursor (:class:`PathChosen`) and does not
    toggle it, so a picker can choose a parent option; space, ``l`` or right open a node.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False, id="option_tree.cursor_down",
                tooltip="Move down the options"),
        Binding("k", "cursor_up", "Up", show=False, id="option_tree.cursor_up",
                tooltip="Move up the options"),
        Binding("l,right", "expand_node", "Expand", show=False, id="option_tree.expand",
                tooltip="Open the option, or go to its first sub-option"),
        Binding("h,left", "collapse_node", "Collapse / to parent", show=False,
                id="option_tree.collapse",
                tooltip="Fold the option, or go to its parent"),
        Binding("E", "expand_everything", "Expand all", show=False, id="option_tree.expand_all",
                tooltip="Open every option in the tree"),
        Binding("C", "collapse_everything", "Collapse all", show=False,
                id="option_tree.collapse_all",
                tooltip="Fold every option in the tree"),
    ]

    class PathChosen(Message):
        """The user chose an option (Enter or click): ``path`` from the top level down."""

        def __init__(self, path: OptionPath, option_tree: OptionTree) -> None:
            super().__init__()
            self.path = path
            self.option_tree = option_tree

        @property
        def control(self) -> OptionTree:
            return self.option_tree

    def __init__(self, *, name: str | None = None, id: str | None = None,
                 classes: str | None = None, disabled: bool = False) -> None:
        super().__init__(Text("no options", "dim"), name=name, id=id, classes=classes,
                         disabled=disabled)
        self.auto_expand = False
        self._options: Sequence[OptionLike] = []  # never the caller's: the first show counts
        self._counts = option_counts(())
        self._summary = Text("no options", "dim")
        self._labels: dict[int, Text] = {}
        self._index: OptionIndex | None = None  # built by the first search
        self._last_query = ""  # lowercased; "" while the normal tree is shown
        self._last_matches: list[int] | None = None  # index positions; None: all
        self._query = ""
        self._batching = 0  # nested _batch() blocks open
        self._batched = False  # an invalidation is owed when the last one closes

    def show_options(self, options: Sequence[OptionLike]) -> None:
        """Replace the tree with ``options``: the top level shows, the rest on expand.

        ``options`` are read as immutable: the same sequence shown again keeps its labels and
        search index.
        """
        if options is not self._options:
            self._options, self._labels, self._index = options, {}, None
            counts = self._counts = option_counts(options)
            parts = [plural(counts.total, "option"), f"{counts.top} top level",
                     plural(counts.levels, "level")]
            parts += [f"{counts.deactivated} deactivated"] * bool(counts.deactivated)
            self._summary = Text(" · ".join(parts) if counts.total else "no options", "bold")
        self._last_matches = None
        self._last_query = self._query = ""
        self._show_lazy()

    @property
    def option_index(self) -> OptionIndex:
        """The search index of the options on show (built on first use)."""
        if self._index is None:
            self._index = OptionIndex(self._options)
        return self._index

    def process_label(self, label: str | Text) -> Text:
        """Our labels are single-line Text already; a ``str`` is literal, never markup."""
        if isinstance(label, str):
            return lit(label)
        return label if "\n" not in label.plain else label.split()[0]

    def get_label_width(self, node: TreeNode[OptionNodeData]) -> int:
        # Tree renders every label to measure it on each rebuild; the width is known.
        label = node.label
        width = label.cell_len if isinstance(label, Text) else cell_len(label)
        return width + (cell_len(self.ICON_NODE) if node.allow_expand else 0)

    def scroll_to_line(self, line: int, animate: bool = True) -> None:
        """Textual scrolls a tree's cursor into view vertically only. Each level indents 4
        columns, so in a narrow pane (the editor's picker) a deep option's label would be
        clipped: the tree also scrolls sideways to keep the label under the cursor in view,
        with one guide of its branch to the left, and back when the cursor goes up."""
        super().scroll_to_line(line, animate=animate)
        node = self.get_node_at_line(line)
        view = self.scrollable_content_region.width
        if node is None or view <= 0:
            return
        depth = 0
        parent = node.parent
        while parent is not None:
            depth += 1
            parent = parent.parent
        if not self.show_root:
            depth -= 1
        start = max(0, depth) * self.guide_depth
        end = start + self.get_label_width(node)
        left = max(0, start - self.guide_depth)  # the label's own guide stays in view
        x = self.scroll_x
        if left < x:
            target = left
        elif end > x + view:
            target = min(left, end - view)
        else:
            return
        self.scroll_to(x=target, animate=False, force=True, immediate=True)

    def _invalidate(self) -> None:
        """Private hook (``dixa_tui.tui.private``): every added node invalidates the whole
        tree; inside :meth:`_batch` that happens once, at its end."""
        if self._batching:
            self._batched = True
            return
        super()._invalidate()

    @contextmanager
    def _batch(self) -> Iterator[None]:
        """Many adds/expands, one invalidation."""
        self._batching += 1
        try:
            yield
        finally:
            self._batching -= 1
            if not self._batching and self._batched:
                self._batched = False
                self._invalidate()

    def clear(self) -> Self:
        """Textual 8.2.8's ``Tree.clear()`` keeps the old nodes in its id map and does not
        register the new root, so ``get_node_by_id()`` would answer with stale nodes (and
        keep them alive). Private attribute: see ``dixa_tui.tui.private``."""
        super().clear()
        self._tree_nodes.clear()
        self._tree_nodes[self.root.id] = self.root
        return self

    def _reset(self) -> None:
        self.clear()
        self.root.set_label(self._summary)
        self.root.data = None
        self.root.allow_expand = False  # the root is a heading, it never folds
        if not self.root.is_expanded:
            self.root.expand()

    def _show_lazy(self) -> None:
        self._reset()
        self._materialize(self.root)
        self._move_to(self.root.children[0] if self.root.children else self.root)

    def _label(self, option: OptionLike) -> Text:
        label = self._labels.get(id(option))
        if label is None:
            label = self._labels[id(option)] = option_label(option)
        return label

    def _materialize(self, node: TreeNode[OptionNodeData], expand: bool = False) -> None:
        """Create ``node``'s children (once); ``expand`` creates them expanded."""
        data = node.data
        if node is self.root and not node.children:
            parent: OptionPath = ()
            children = self._options
        elif data is None or data.loaded:
            return
        else:
            parent, children = data.path, data.path[-1].nested_options
            data.loaded = True
        with self._batch():
            for child in ordered(children):
                more = bool(child.nested_options)
                node.add(self._label(child), OptionNodeData((*parent, child)),
                         expand=expand and more, allow_expand=more)

    def action_toggle_node(self) -> None:
        """Space: create the children before the node opens, so the very next key press
        sees them."""
        node = self.cursor_node
        if node is not None and node.allow_expand and not node.is_expanded:
            self._materialize(node)
        super().action_toggle_node()

    @on(Tree.NodeExpanded)
    def _expanded(self, event: Tree.NodeExpanded[OptionNodeData]) -> None:
        """A node opened some other way (a click on its arrow, ``node.expand()``,
        shift+space) gets its children."""
        if event.node.tree is self and not event.node.is_root:
            self._materialize(event.node)

    def _move_to(self, node: TreeNode[OptionNodeData]) -> None:
        _ = self.last_line  # builds the lines, so the node's line is current
        self.move_cursor(node)

    @property
    def highlighted_path(self) -> OptionPath | None:
        """The path to the cursor's option; None on the root or the "more" line."""
        node = self.cursor_node
        return None if node is None or node.data is None else node.data.path

    path_values = staticmethod(path_values)
    path_label = staticmethod(path_label)

    @on(Tree.NodeSelected)
    def _chosen(self, event: Tree.NodeSelected[OptionNodeData]) -> None:
        if event.node.tree is self and event.node.data is not None:
            self.post_message(self.PathChosen(event.node.data.path, self))

    def reveal(self, values: Sequence[str]) -> bool:
        """Open the tree down to the option at ``values`` and put the cursor on it."""
        node = self.root
        for value in values:
            self._materialize(node)
            if not node.is_expanded:
                node.expand()
            found = next((c for c in node.children
                          if c.data is not None and c.data.path[-1].value == value), None)
            if found is None:
                return False
            node = found
        self._move_to(node)
        return True

    def reveal_matching(self, terms: Sequence[str], limit: int = 20) -> bool:
        """Open the tree down to each option (at most ``limit``) whose own label holds one of
        ``terms`` (lowercased), the cursor on the first: a definition found by one of its
        option labels shows that option, not a folded tree. False when none matches."""
        if not terms or not self._options:
            return False
        index = self.option_index
        hits = [i for i, option in enumerate(index.options)
                if any(term in option.label.lower() for term in terms)][:limit]
        for position in reversed(hits):  # the first one last: the cursor stays on it
            self.reveal([index.options[i].value for i in index.chain(position)])
        return bool(hits)

    def expand_everything(self) -> None:
        """Open every option (creating all lazy children), iteratively."""
        stack = [self.root]
        with self._batch():
            while stack:
                node = stack.pop()
                if node.allow_expand and not node.is_expanded:
                    node.expand()
                self._materialize(node, expand=True)
                stack.extend(c for c in node.children if c.allow_expand)

    def collapse_everything(self) -> None:
        """Fold every option; the cursor goes to its top-level ancestor."""
        cursor, stack = self.cursor_node, list(self.root.children)
        with self._batch():
            while stack:
                node = stack.pop()
                if node.is_expanded:
                    stack.extend(node.children)
                    node.collapse()
        while cursor is not None and cursor.parent is not None and cursor.parent is not self.root:
            cursor = cursor.parent
        if cursor is not None:
            self._move_to(cursor)

    action_expand_everything = expand_everything
    action_collapse_everything = collapse_everything

    def action_expand_node(self) -> None:
        """Open the node; on an open node go to its first child; on a leaf do nothing."""
        node = self.cursor_node
        if node is not None and node.allow_expand:
            if not node.is_expanded:
                self._materialize(node)
                node.expand()
            elif node.children:
                self.move_cursor(node.children[0])

    def action_collapse_node(self) -> None:
        """Fold the node; on a folded node or a leaf go to the parent."""
        node = self.cursor_node
        if node is not None and node.allow_expand and node.is_expanded:
            node.collapse()
        elif node is not None and node.parent is not None:
            self.move_cursor(node.parent)

    @property
    def search_query(self) -> str:
        """The query on show ("" for the normal tree)."""
        return self._query

    def search(self, query: str) -> SearchOutcome:
        """Show the options whose path label or value path holds every word of ``query``.

        Case-insensitive. Matches show with their ancestors, at most ``MAX_SHOWN``; an empty
        query brings back the normal tree with the cursor on the option it was on.
        """
        lowered = query.lower()
        terms = lowered.split()
        self._query = query
        if not terms:
            if self._last_query:  # a search was on show
                previous = self.highlighted_path
                self._last_query, self._last_matches = "", None
                self._show_lazy()
                if previous:
                    self.reveal(path_values(previous))
            return SearchOutcome(self._counts.total, 0, query)
        # A query that only grows cannot match anything the shorter one did not.
        within = self._last_matches if lowered.startswith(self._last_query) else None
        matches = self.option_index.search(terms, within)
        self._last_query, self._last_matches = lowered, matches
        self._reset()
        with self._batch():
            first = self._add_matches(matches, terms)
        self._move_to(first or self.root)
        return SearchOutcome(len(matches), min(len(matches), MAX_SHOWN), query)

    def _add_matches(self, matches: list[int],
                     terms: list[str]) -> TreeNode[OptionNodeData] | None:
        pattern = re.compile("|".join(map(re.escape, terms)), re.IGNORECASE)
        index = self.option_index
        # Matches come in display order, so a match's ancestors on show are a prefix of the
        # previous match's branch: keep that prefix, add the rest.
        branch: list[tuple[int, TreeNode[OptionNodeData], OptionNodeData]] = []
        first: TreeNode[OptionNodeData] | None = None
        for position in matches[:MAX_SHOWN]:
            chain = index.chain(position)
            path = tuple(index.options[i] for i in chain)
            keep = 0
            while keep < len(branch) and keep < len(chain) and branch[keep][0] == chain[keep]:
                keep += 1
            del branch[keep:]
            if branch and not branch[-1][2].loaded:  # a match that is an ancestor too
                branch[-1][2].loaded = True
                branch[-1][1].expand()
            parent = branch[-1][1] if branch else self.root
            for depth in range(keep, len(path)):
                option, is_match = path[depth], depth == len(path) - 1
                label = self._label(option)
                if pattern.search(label.plain):
                    label = label.copy()
                    label.highlight_regex(pattern, MATCH_STYLE)
                # A match keeps its children lazy (to browse under it); an ancestor holds
                # only the matching branch, open.
                data = OptionNodeData(path[: depth + 1], loaded=not is_match)
                parent = parent.add(label, data, expand=not is_match,
                                    allow_expand=bool(option.nested_options))
                branch.append((chain[depth], parent, data))
            first = first or parent
        if len(matches) > MAX_SHOWN:
            self.root.add_leaf(Text(f"… {len(matches) - MAX_SHOWN} more — refine the search",
                                    "dim italic"))
        return first


class OptionSearchInput(Input):
    """The search box: Esc clears it (or goes on to the screen when empty); ↓ to the tree."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "clear_search", "Clear search", show=False,
                id="option_browser.clear_search",
                tooltip="Clear the option search"),
        Binding("down", "focus_tree", "To the options", show=False,
                id="option_browser.focus_tree",
                tooltip="Move from the search box to the options"),
    ]

    def action_clear_search(self) -> None:
        if not self.value:
            raise SkipAction()
        self.value = ""

    def action_focus_tree(self) -> None:
        for browser in self.ancestors:
            if isinstance(browser, OptionBrowser):
                browser.option_tree.focus()
                return


class OptionBrowser(Vertical):
    """Search box, one status line and the :class:`OptionTree` under them.

    A ``picker`` chooses: Enter in the search box picks the match when there is exactly one
    (a :class:`OptionTree.PathChosen`, as Enter on the tree posts); a browser only goes to
    the options.
    """

    DEFAULT_CSS = """
    OptionBrowser { height: 1fr; }
    OptionBrowser > #option-status {
        height: auto; max-height: 2; padding: 0 1; color: $text-muted;
    }
    OptionBrowser > OptionTree { height: 1fr; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "focus_search", "Search options", show=False,
                id="option_browser.focus_search",
                tooltip="Put the cursor in the option search box"),
    ]

    HINT = "Type to search · ↓ to the options"

    def __init__(self, *, id: str | None = None, picker: bool = False) -> None:
        super().__init__(id=id)
        self.picker = picker
        self._outcome: SearchOutcome | None = None

    def compose(self) -> ComposeResult:
        yield OptionSearchInput(placeholder="Search options: type words from labels or values",
                                id="option-search", compact=True)
        yield Static(Text(self.HINT), id="option-status", markup=False)
        yield OptionTree(id="option-tree")

    @property
    def option_tree(self) -> OptionTree:
        return self.query_one(OptionTree)

    @property
    def search_input(self) -> OptionSearchInput:
        return self.query_one(OptionSearchInput)

    def set_options(self, options: Sequence[OptionLike], *, keep_search: bool = True) -> None:
        """Show ``options``; a search in progress carries over to them unless ``keep_search``
        is false (another attribute's picker starts clean)."""
        if not keep_search and self.search_input.value:
            with self.search_input.prevent(Input.Changed):
                self.search_input.value = ""
        self.option_tree.show_options(options)
        self._search_for(self.search_input.value)

    @on(Input.Changed, "#option-search")
    def _changed(self, event: Input.Changed) -> None:
        event.stop()
        self._search_for(event.value)

    @on(Input.Submitted, "#option-search")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        tree = self.option_tree
        path = tree.highlighted_path
        outcome = self._outcome
        if self.picker and outcome and outcome.query.strip() and outcome.matches == 1 and path:
            # Posted here: Textual never bubbles a message up to its sender (this browser).
            self.post_message(OptionTree.PathChosen(path, tree))
            return
        tree.focus()

    def _search_for(self, query: str) -> None:
        outcome = self._outcome = self.option_tree.search(query)
        status = self.query_one("#option-status", Static)
        if not query.strip():
            status.update(Text(self.HINT))
        elif not outcome.matches:
            status.update(Text.assemble("no option matches '", lit(query.strip()),
                                        "' — Esc clears the search"))
        elif outcome.matches > outcome.shown:
            status.update(Text(f"{outcome.matches} matches · showing the first {outcome.shown}"))
        elif outcome.matches == 1 and self.picker:
            status.update(Text("1 match · Enter picks it"))
        else:
            status.update(Text(plural(outcome.matches, "match", "matches")))

    def action_focus_search(self) -> None:
        self.search_input.focus()
