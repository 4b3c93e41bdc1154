"""The README's generated blocks: ``<!-- NAME:start ... -->`` ... ``<!-- NAME:end -->``.

Tables the code can state (the keys, how each fault surfaces) are written by the code, and a
test keeps each in sync. ``python -m tools.readme README.md`` (``make readme``) rewrites every
block; ``python -m tools.readme --print NAME`` prints one.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Mapping
from pathlib import Path


def keys_markdown(keymap: Mapping[str, str] | None = None) -> str:
    """The README's key table, from the bindings themselves."""
    from dixa_tui.tui.keys import key_table

    lines = []
    for title, rows in key_table(keymap or {}):
        lines += [f"**{title}**", "", "| Key | Action | Binding id |", "|---|---|---|"]
        lines += [f"| `{keys}` | {description} | {f'`{binding_id}`' if binding_id else '—'} |"
                  for keys, description, binding_id in rows]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def faults_markdown() -> str:
    """The "When Dixa fails" table, measured through the real client."""
    from tools.fault_table import markdown

    return markdown()


BLOCKS: dict[str, Callable[[], str]] = {"keys": keys_markdown, "faults": faults_markdown}


def replace_block(path: str | Path, name: str, content: str) -> bool:
    """Put ``content`` between the markers of block ``name``; True when the file changed."""
    readme = Path(path)
    text = readme.read_text(encoding="utf-8")
    new = re.sub(rf"(<!-- {re.escape(name)}:start[^>]*-->\n).*?(<!-- {re.escape(name)}:end -->)",
                 lambda m: m.group(1) + content + m.group(2), text, count=1, flags=re.S)
    if new != text:
        readme.write_text(new, encoding="utf-8")
    return new != text


def command(name: str, markdown: Callable[[], str], argv: list[str] | None = None) -> None:
    """``--readme PATH`` rewrites block ``name`` of PATH; no arguments print it."""
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["--readme"] and len(args) == 2:
        changed = replace_block(args[1], name, markdown())
        print("README updated" if changed else "README already current")
    else:
        print(markdown(), end="")


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["--print"] and len(args) == 2 and args[1] in BLOCKS:
        print(BLOCKS[args[1]](), end="")
        return 0
    if len(args) != 1:
        print("usage: python -m tools.readme README.md | --print keys|faults", file=sys.stderr)
        return 2
    for name, markdown in BLOCKS.items():
        command(name, markdown, ["--readme", args[0]])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
