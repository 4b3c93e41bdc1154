"""The first frame, before Textual: a start with a list to show paints it at once.

Importing Textual and drawing its first frame takes about 0.2 s. A start that already has
its definitions (the profile's start-up cache, or the demo's packaged list: ``session.early``)
need not wait for that: this module draws the main screen's first frame itself, on the
terminal's alternate screen, from the same rows, with the same layout, colours and words as
the main screen's first frame (the header, the target line, the list pane with its status
line, the empty detail pane, the footer's line). Then Textual starts on top of it: its driver
(:class:`~dixa_tui.tui.predriver.FramedDriver`) does not switch to the alternate screen again
(that would blank it in many terminals) and restores the terminal's own settings at exit. Its
first frame paints the same cells again: nothing moves.

Between the two, the terminal is set as Textual sets it (no echo over the frame, keys at once
and as typed); Textual reads them when it starts: a key typed early is late, never lost.

Drawn only where it can be drawn as Textual would: a terminal on both stdin and stdout (not
Windows), at least :data:`MIN_WIDTH` x :data:`MIN_HEIGHT`, colours as Textual would pick them
(truecolor or 256 colours, no ``NO_COLOR``, no ``TEXTUAL_*`` setting that changes drawing).
Anywhere else nothing is drawn and Textual's own first frame is the first.

No Textual here, nothing that imports it: that is the point.
"""

from __future__ import annotations

import os
import shutil
import sys
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rich.cells import cell_len, set_cell_size

from dixa_tui.tui.columns import cell_texts, fit_columns, row_cells

if TYPE_CHECKING:
    from dixa_tui.api.rows import DefinitionFields
    from dixa_tui.session.early import EarlyStart

MIN_WIDTH = 76  # the two panes' minimum widths (40 and 36): narrower, Textual scrolls
MIN_HEIGHT = 10
LEFT_MIN = 40
SCROLLBAR = 2  # a vertical scrollbar's width

# The textual-dark theme's colours as the main screen's first frame shows them (a test
# compares them with Textual's own output): RGB, and the 256-colour index rich picks.
Colour = tuple[tuple[int, int, int], int]
BACKGROUND: Colour = ((18, 18, 18), 233)
PANEL: Colour = ((36, 47, 56), 17)  # the header and the footer
BOOST: Colour = ((27, 27, 27), 234)  # the target line
TEXT: Colour = ((224, 224, 224), 253)
TEXT_ON_PANEL: Colour = ((226, 227, 229), 253)
ACCENT: Colour = ((254, 166, 43), 214)  # the focused pane's border
BORDER: Colour = ((69, 80, 90), 239)
MUTED: Colour = ((160, 160, 160), 247)  # the column header, a border's title
DIM: Colour = ((153, 153, 153), 246)  # the status line
CURSOR: Colour = ((62, 62, 62), 237)
BADGE_TEXT: Colour = ((26, 26, 26), 234)
BADGE_DEMO: Colour = ((253, 151, 31), 208)

ALT_SCREEN_ON = "\x1b[?1049h"
ALT_SCREEN_OFF = "\x1b[?1049l"
CURSOR_OFF, CURSOR_ON = "\x1b[?25l", "\x1b[?25h"


@dataclass(frozen=True)
class Span:
    text: str
    fg: Colour | None
    bg: Colour
    bold: bool = False
    reverse: bool = False


def _sgr(span: Span, truecolor: bool) -> str:
    codes = []
    if span.bold:
        codes.append("1")
    if span.reverse:
        codes.append("7")
    for prefix, colour in (("38", span.fg), ("48", span.bg)):
        if colour is not None:
            (r, g, b), index = colour
            codes.append(f"{prefix};2;{r};{g};{b}" if truecolor else f"{prefix};5;{index}")
    return f"\x1b[{';'.join(codes)}m{span.text}\x1b[0m"


def _fit(spans: list[Span], width: int, bg: Colour) -> list[Span]:
    """``spans`` cut to ``width`` cells (the last one kept ends in ``…``), or padded."""
    out: list[Span] = []
    used = 0
    total = sum(cell_len(s.text) for s in spans)
    for span in spans:
        size = cell_len(span.text)
        if total > width and used + size >= width:
            room = width - used - 1
            if room > 0:
                out.append(Span(set_cell_size(span.text, room), span.fg, span.bg, span.bold,
                                span.reverse))
            out.append(Span("…", span.fg, span.bg, span.bold, span.reverse))
            return out
        out.append(span)
        used += size
    if used < width:
        out.append(Span(" " * (width - used), None, bg))
    return out


def _fitting(wordings: Sequence[str], width: int) -> str:
    """The first wording that fits ``width`` (as ``tui.widgets.fitline``), else the last."""
    return next((w for w in wordings if cell_len(w) <= width), wordings[-1])


def _border_top(title: str, width: int, colour: Colour, title_colour: Colour) -> list[Span]:
    inner = width - 2
    shown = f" {title} "
    if cell_len(shown) > inner - 1:
        shown = set_cell_size(shown, max(inner - 2, 0)) + "…"
    rest = inner - 1 - cell_len(shown)
    return [Span("╭─", colour, BACKGROUND), Span(shown, title_colour, BACKGROUND),
            Span("─" * max(rest, 0) + "╮", colour, BACKGROUND)]


@dataclass(frozen=True)
class Scene:
    """What the first frame shows; :func:`scene` reads it as the main screen would."""

    profile: str  # the header's profile ("demo", the profile's name, or "…")
    demo: bool
    rows: Sequence[DefinitionFields]  # the rows shown, in order
    status: tuple[str, ...]  # the status line's wordings, longest first
    order: str  # the list's order, as the pane's title names it


def scene(early: EarlyStart) -> Scene | None:
    """The main screen's first frame for ``early``'s list: the cached one, else the rows the
    early read has handed over (None: neither, or an empty list, whose frame says something
    this module does not draw)."""
    from dixa_tui.text import clean
    from dixa_tui.tui.listing import Listing

    cached = early.cached
    base = cached.rows if cached is not None else early.rows
    if not base:
        return None
    settings = early.settings
    listing = Listing()
    listing.set_base(base)
    rows = listing.rows()
    if not len(rows):
        return None
    long, short, tiny = listing.status(len(rows))
    if cached is not None and cached.saved_at is not None:  # as ``main_load.list_notes``
        age = cached.age()
        saved = "saved just now" if age == "just now" else f"saved {age} ago"
        longer, shorter = (f"cached list, {saved}",
                           "cached" if age == "just now" else f"cached {age}")
        long, short, tiny = f"{longer} · {long}", f"{shorter} · {short}", f"{shorter} · {tiny}"
    profile = "demo" if settings.demo else clean(settings.profile_name or "…")
    return Scene(profile, settings.demo, rows, (long, short, tiny), listing.order_name())


def render(shown: Scene, width: int, height: int, *, truecolor: bool = True) -> str:
    """The frame as the terminal's text: one positioned line per row of the screen."""
    lines: list[list[Span]] = []
    # The header (tui.widgets.header: the badge is DEMO, or "…" until the URL is known).
    badge = (Span(" DEMO ", BADGE_TEXT, BADGE_DEMO, bold=True) if shown.demo
             else Span(" … ", TEXT_ON_PANEL, PANEL, reverse=True))
    header = [badge, Span(" ", TEXT_ON_PANEL, PANEL), Span("dixa-tui", TEXT_ON_PANEL, PANEL, True),
              Span(" · profile ", TEXT_ON_PANEL, PANEL),
              Span(shown.profile, TEXT_ON_PANEL, PANEL, True),
              Span(" · connecting…", TEXT_ON_PANEL, PANEL)]
    lines.append([Span(" ", None, PANEL), *_fit(header, width - 2, PANEL),
                  Span(" ", None, PANEL)])
    # The target line (main_detail._show_target, with the default keys).
    target = _fitting(["none — press t to choose an end user or a conversation",
                       "none — press t to choose one"], width - 2 - len("Target: "))
    lines.append([Span(" ", None, BOOST), *_fit([Span("Target: ", TEXT, BOOST, True),
                                                 Span(target, TEXT, BOOST)], width - 2, BOOST),
                  Span(" ", None, BOOST)])
    # The panes: the list (focused: its border is the accent) and the detail's place.
    left = max(LEFT_MIN, width // 2)
    right = width - left
    panes = height - 3  # under the header and the target line, above the footer
    inner = left - 2
    list_height = panes - 3  # the pane's borders and its status line
    scrolls = len(shown.rows) + 1 > list_height
    content = inner - (SCROLLBAR if scrolls else 0)
    columns = fit_columns(content, False)
    edge = Span("│", ACCENT, BACKGROUND)
    other = Span("│", BORDER, BACKGROUND)
    blank_right = [other, Span(" " * (right - 2), None, BACKGROUND), other]
    lines.append([*_border_top(f"Definitions · {shown.order} (s)", left, ACCENT, ACCENT),
                  *_border_top("Detail", right, BORDER, MUTED)])
    status = _fitting(shown.status, inner - 2)
    lines.append([edge, Span(" ", None, BACKGROUND),
                  *_fit([Span(status, DIM, BACKGROUND)], inner - 2, BACKGROUND),
                  Span(" ", None, BACKGROUND), edge, *blank_right])
    gutter = [Span(" " * SCROLLBAR, None, BACKGROUND)] if scrolls else []

    def row(cells: Mapping[str, object], fg: Colour, bg: Colour, bold: bool) -> list[Span]:
        text = " ".join(cell_texts(cells, columns))
        return [edge, Span(set_cell_size(text, content), fg, bg, bold), *gutter, edge,
                *blank_right]

    lines.append(row({c.key: c.title for c in columns}, MUTED, BACKGROUND, True))
    for index in range(list_height - 1):
        if index < len(shown.rows):
            cells = row_cells(shown.rows[index])
            lines.append(row(cells, TEXT, CURSOR if index == 0 else BACKGROUND, False))
        else:
            lines.append([edge, Span(" " * inner, None, BACKGROUND), edge, *blank_right])
    lines.append([Span("╰" + "─" * inner + "╯", ACCENT, BACKGROUND),
                  Span("╰" + "─" * (right - 2) + "╯", BORDER, BACKGROUND)])
    lines.append([Span(" " * width, None, PANEL)])  # the footer's line, keys to come
    return "".join(f"\x1b[{y + 1};1H" + "".join(_sgr(s, truecolor) for s in spans)
                   for y, spans in enumerate(lines))


# -- on the terminal ----------------------------------------------------------------------


def colours(environ: Mapping[str, str]) -> bool | None:
    """True for truecolor, False for 256 colours, None when Textual would draw otherwise
    (fewer colours, ``NO_COLOR``, its own colour or filter settings): as rich detects them."""
    if "NO_COLOR" in environ or any(k.startswith("TEXTUAL") for k in environ):
        return None
    term = environ.get("TERM", "").strip().lower()
    if term in ("", "dumb", "unknown"):
        return None
    if environ.get("COLORTERM", "").strip().lower() in ("truecolor", "24bit"):
        return True
    if term.rpartition("-")[2] in ("256color", "kitty"):
        return False
    return None


def quiet(settings: list[Any]) -> list[Any]:
    """The terminal's ``settings`` as Textual's driver makes them (``LinuxDriver``: its
    ``_patch_lflag`` and ``_patch_iflag``): no echo, keys at once and as typed (enter stays
    ``\\r``, ``ctrl+q`` and ``ctrl+s`` are keys, not flow control, ``ctrl+c`` a key)."""
    import termios

    changed = list(settings)
    changed[3] = settings[3] & ~(termios.ECHO | termios.ICANON | termios.IEXTEN | termios.ISIG)
    changed[0] = settings[0] & ~(termios.IXON | termios.IXOFF | termios.ICRNL | termios.INLCR
                                 | termios.IGNCR)
    return changed


@dataclass
class Drawn:
    """A first frame on the terminal, until Textual's driver takes the terminal over."""

    out: int  # the descriptor drawn to: Textual's (it writes to stderr)
    tty: int  # the descriptor whose settings changed: stdin, which Textual reads
    settings: list[Any]  # the terminal's own (termios), restored at the end

    def restore(self) -> None:
        """Back to the terminal as it was (Textual never started): the normal screen, the
        cursor, echo."""
        import termios

        try:
            os.write(self.out, (CURSOR_ON + ALT_SCREEN_OFF).encode())
            termios.tcsetattr(self.tty, termios.TCSADRAIN, self.settings)
        except (OSError, termios.error):
            pass


_lock = threading.Lock()  # a frame may be drawn from the early read's thread
_drawn: Drawn | None = None
_closed = False  # Textual has the terminal (or the start is over): nothing is drawn now


def drawn() -> Drawn | None:
    """The frame this process drew and Textual has not taken over yet."""
    return _drawn


def draw(early: EarlyStart, environ: Mapping[str, str] | None = None) -> Drawn | None:
    """Draw the main screen's first frame for ``early``'s list (its cached one, or the rows
    its read has handed over), where it can be drawn as Textual would (see the module) and
    Textual has not taken the terminal over yet; None where nothing was drawn. Any thread;
    never raises."""
    global _drawn
    if sys.platform == "win32":
        return None
    environ = os.environ if environ is None else environ
    truecolor = colours(environ)
    if truecolor is None:
        return None
    with _lock:
        if _closed or _drawn is not None:
            return None
        try:
            # Textual reads stdin, writes to stderr and sizes the screen as shutil does.
            if not (os.isatty(0) and os.isatty(1) and os.isatty(2)):
                return None
            width, height = shutil.get_terminal_size()
            if width < MIN_WIDTH or height < MIN_HEIGHT:
                return None
            shown = scene(early)
            if shown is None:
                return None
            frame = render(shown, width, height, truecolor=truecolor)
            import termios

            before = termios.tcgetattr(0)
            termios.tcsetattr(0, termios.TCSANOW, quiet(before))
        except Exception:
            return None
        done = Drawn(2, 0, before)
        try:
            data = (ALT_SCREEN_ON + CURSOR_OFF + frame).encode("utf-8", "replace")
            while data:
                data = data[os.write(2, data):]
        except OSError:
            done.restore()
            return None
        _drawn = done
        return done


def taken() -> list[Any] | None:
    """For Textual's driver as it takes the terminal over: the terminal's own settings to
    restore at exit (None when no frame was drawn); no frame is drawn after this."""
    global _drawn, _closed
    with _lock:
        frame, _drawn, _closed = _drawn, None, True
    return frame.settings if frame is not None else None


def abandon() -> None:
    """Textual did not start (or did not take the terminal over): undo the frame, and draw
    none after this."""
    global _drawn, _closed
    with _lock:
        frame, _drawn, _closed = _drawn, None, True
    if frame is not None:
        frame.restore()
