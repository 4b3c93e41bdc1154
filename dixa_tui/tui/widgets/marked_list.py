"""A list of targets whose rows can be marked: the target dialog's lookup results and a
user's conversations.

Marks are the shared :class:`~dixa_tui.tui.marks.Marks` with the shared keys
(:data:`~dixa_tui.tui.marks.MARK_BINDINGS`), keyed by the row's id. They outlive a listing:
a user marked in one lookup stays marked while the next lookup is shown (end users are
mostly found one email at a time), and a marked row shows its mark again when it is listed
again. Each change is said with :class:`MarkedList.MarksChanged`, so the dialog keeps the
count in view.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.binding import BindingType
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from dixa_tui.session.targets import end_user_name
from dixa_tui.tui.literal import gap, join, lit
from dixa_tui.tui.marks import MARK_BINDINGS, Marks

if TYPE_CHECKING:
    from dixa_tui.api.models import Conversation, EndUser

MARK = "●"


def user_row(user: EndUser) -> Text:
    """An end user as a row: name, email, phone, external id."""
    parts = [lit(end_user_name(user), "bold")]
    parts += [lit(p) for p in (user.email, user.phone_number) if p]
    if user.external_id:
        parts.append(join("ext ", lit(user.external_id)))
    return Text(" · ").join(parts)


def conversation_row(conversation: Conversation) -> Text:
    """A conversation as a row: number, subject, status, channel, when (UTC)."""
    parts = [lit(f"#{conversation.id}", "bold"),
             lit(conversation.subject) if conversation.subject else lit("(no subject)", "dim")]
    when = conversation.created_at.strftime("%Y-%m-%d %H:%M") if conversation.created_at else ""
    parts += [lit(p) for p in (conversation.state, conversation.channel, when) if p]
    return Text(" · ").join(parts)


class MarkedList(OptionList):
    """Rows of (id, prompt, name); ``marks`` by id, ``names`` of every marked id."""

    BINDINGS: ClassVar[list[BindingType]] = [*MARK_BINDINGS]

    class MarksChanged(Message):
        """The marks changed: ``count`` marked in all, ``listed`` of them in this list of
        ``rows``."""

        def __init__(self, marked_list: MarkedList, count: int, listed: int,
                     rows: int) -> None:
            super().__init__()
            self.marked_list = marked_list
            self.count = count
            self.listed = listed
            self.rows = rows

        @property
        def control(self) -> MarkedList:
            return self.marked_list

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.marks: Marks[str] = Marks()
        self.names: dict[str, str] = {}  # every marked id's name (a listing may be gone)
        self.order: list[str] = []
        self._prompts: dict[str, Text] = {}
        self._listed_names: dict[str, str] = {}

    def show_rows(self, rows: Sequence[tuple[str, Text, str]]) -> None:
        """List ``rows`` (id, what the row shows, the target's name), in order."""
        self.order = [key for key, _, _ in rows]
        self._prompts = {key: prompt for key, prompt, _ in rows}
        self._listed_names = {key: name for key, _, name in rows}
        self.clear_options()
        self.add_options([Option(self._prompt(key), id=key) for key in self.order])
        self._changed()

    def _prompt(self, key: str) -> Text:
        mark = Text(f"{MARK} ", "bold") if key in self.marks else gap(2)
        return join(mark, self._prompts[key])

    def marked(self) -> list[tuple[str, str]]:
        """(id, name) of every marked row: this list's in its order, then earlier ones."""
        return [(key, self.names.get(key, key)) for key in self.marks.in_order(self.order)]

    def _changed(self) -> None:
        listed = sum(1 for key in self.order if key in self.marks)
        self.post_message(self.MarksChanged(self, self.marks.count, listed, len(self.order)))

    def _redraw(self, keys: Sequence[str]) -> None:
        for key in keys:
            if key in self.marks:
                self.names[key] = self._listed_names.get(key, self.names.get(key, key))
            else:
                self.names.pop(key, None)
            self.replace_option_prompt(key, self._prompt(key))
        self._changed()

    def _cursor_key(self) -> str | None:
        option = self.highlighted_option
        return option.id if option is not None else None

    def action_toggle_mark(self) -> None:
        key = self._cursor_key()
        if key is not None:
            self.marks.toggle(key)
            self._redraw([key])

    def action_mark_all(self) -> None:
        self.marks.mark_all(self.order)
        self._redraw(self.order)

    def _mark_range(self, step: int) -> None:
        key = self._cursor_key()
        if key is None or self.highlighted is None:
            return
        self.marks.extend(self.order, key)
        row = max(0, min(len(self.order) - 1, self.highlighted + step))
        self.highlighted = row
        self.marks.extend(self.order, self.order[row])
        self._redraw(self.order)

    def action_mark_down(self) -> None:
        self._mark_range(1)

    def action_mark_up(self) -> None:
        self._mark_range(-1)
