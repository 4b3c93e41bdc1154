"""The usage census as a chart: per Conversation attribute its fill rate as a bar, and a
Select's options as bars with counts and percentages (of the conversations that have a
value), indented by level; deactivated options still in use and required attributes left
empty stand out, unused branches are named.

One ``Static`` holding one ``Text``, redrawn whole: the census redraws it while it reads,
and a few hundred lines of text are cheaper than as many widgets. Labels go through ``lit``.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from dixa_tui.domain.usage import AttributeUsage, UsageReport
from dixa_tui.text import plural
from dixa_tui.tui.literal import gap, join, lit

NEVER_SHOWN = 6  # unused branches named per attribute


def bar(part: float, width: int, style: str) -> Text:
    """A bar of ``part`` (0..1) of ``width`` cells; any part above 0 shows at least one."""
    cells = max(1, round(part * width)) if part > 0 else 0
    return join(lit("█" * cells, style), lit("░" * (width - cells), "dim"))


def percent(part: int, whole: int) -> str:
    return f"{part / whole:.0%}" if whole else "-"


def fill_style(rate: float | None) -> str:
    if rate is None:
        return "dim"
    return "green" if rate >= 0.8 else "yellow" if rate >= 0.4 else "red"


def headline(report: UsageReport) -> Text:
    parts = [lit(f"{report.conversations:,} conversations", "bold"), gap(),
             lit(f"({report.closed:,} closed)")]
    empty = report.required_left_empty
    if empty:
        parts += [gap(), lit(f"· {plural(len(empty), 'required attribute')} "
                             "left empty", "bold red")]
    used = sum(len(a.deactivated_in_use) for a in report.attributes)
    if used:
        parts += [gap(), lit(f"· {plural(used, 'deactivated option')} in use",
                             "bold yellow")]
    return join(*parts)


def numbers(count: int, share: str) -> Text:
    """`` 1,234  40%`` right-aligned in 12 cells, spaces apart from the digits."""
    digits, pct = f"{count:,}", share
    return join(gap(1 + max(0, 6 - len(digits))), lit(digits, "bold"),
                gap(1 + max(0, 4 - len(pct))), lit(pct, "dim"))


def attribute_block(a: AttributeUsage, width: int) -> list[Text]:
    """The lines of one attribute at ``width`` cells."""
    flags = [f for f, on in (("required", a.required), ("archived", a.archived),
                             ("deactivated", a.deactivated)) if on]
    head = join(lit(a.label or "(no label)", "bold"), gap(2), lit(a.identifier, "dim"), gap(),
                lit(f"· {a.input_type}" + (f" · {', '.join(flags)}" if flags else ""), "dim"))
    fill_width = max(10, min(30, width - 40))
    rate = a.fill_rate
    lines = [head, join(gap(2), lit("filled "), bar(rate or 0.0, fill_width, fill_style(rate)),
                        numbers(a.filled, percent(a.filled, a.total)), gap(),
                        lit(f"of {a.total:,}", "dim"))]
    if a.required and a.empty:
        closed = f", {a.empty_closed:,} of them closed" if a.empty_closed else ""
        lines.append(join(gap(2), lit(f"required but empty on {a.empty:,}{closed}", "red")))
    used = [o for o in a.options if o.count]
    if used:
        name_width = min(30, max(12, width // 3))
        bar_width = max(8, min(40, width - name_width - 34))
        for o in used:
            indent = 2 * o.depth
            shown = lit(o.label.rsplit(" > ", 1)[-1])
            shown.truncate(max(4, name_width - indent), overflow="ellipsis", pad=True)
            style = "yellow" if o.deactivated else "cyan"
            share = a.share(o.count) or 0.0
            row = join(gap(indent), shown, gap(1), bar(share, bar_width, style),
                       numbers(o.count, percent(o.count, a.filled)))
            if o.deactivated:
                row = join(row, gap(), lit("deactivated, in use", "bold yellow"))
            lines.append(row)
    for path, count in a.unknown:
        lines.append(join(gap(2), lit("matches no option:", "yellow"), gap(),
                          lit("/".join(path)), gap(), lit(f"on {count:,}", "dim")))
    never = a.never_used
    if never and a.filled:
        names = ", ".join(o.label for o in never[:NEVER_SHOWN])
        more = f" and {len(never) - NEVER_SHOWN} more" if len(never) > NEVER_SHOWN else ""
        lines.append(join(gap(2), lit(f"never used ({len(never)}): {names}{more}", "dim")))
    return lines


class UsageChart(VerticalScroll):
    """Scrolls through the census; :meth:`show` redraws it."""

    DEFAULT_CSS = """
    UsageChart { height: 1fr; padding: 0 1; }
    UsageChart > Static { width: 1fr; }
    """

    def compose(self) -> ComposeResult:
        yield Static(id="usage-lines")

    def show(self, report: UsageReport | None, note: str = "") -> None:
        lines: list[Text] = []
        if report is not None:
            width = max(40, (self.content_region.width or self.app.size.width) - 2)
            lines.append(headline(report))
            for a in report.attributes:
                lines.append(Text())
                lines += attribute_block(a, width)
        elif note:
            lines.append(lit(note, "dim"))
        self.query_one("#usage-lines", Static).update(Text("\n").join(lines))
