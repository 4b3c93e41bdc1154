"""The README's generated blocks: ``<!-- NAME:start ... -->`` ... ``<!-- NAME:end -->``.

Tables the code can state (the keys, how each fault surfaces) are written by the code, and a
test keeps each in sync. ``python -m tools.readme README.md`` (``make readme``) rewrites every
block (the keys, the faults, the schema tools' CSV columns, change kinds and lint rules, the
performance budgets from ``bench/results.json``);
``python -m tools.readme --print NAME`` prints one.
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


def _blocks() -> dict[str, Callable[[], str]]:
    from tools import schema_readme
    from tools.bench_readme import bench_markdown

    return {"keys": keys_markdown, "faults": faults_markdown, **schema_readme.BLOCKS,
            "bench": bench_markdown}


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
    """``README.md`` rewrites every block (``--only NAME`` one of them); ``--print NAME``
    prints one."""
    args = sys.argv[1:] if argv is None else argv
    blocks = _blocks()
    if args[:1] == ["--print"] and len(args) == 2 and args[1] in blocks:
        print(blocks[args[1]](), end="")
        return 0
    if args[:1] == ["--only"] and len(args) == 3 and args[1] in blocks:
        blocks, args = {args[1]: blocks[args[1]]}, args[2:]
    if len(args) != 1:
        names = "|".join(blocks)
        print(f"usage: python -m tools.readme [--only {names}] README.md | --print {names}",
              file=sys.stderr)
        return 2
    changed = [name for name, markdown in blocks.items()
               if replace_block(args[0], name, markdown())]
    print(f"README updated: {', '.join(changed)}" if changed else "README already current")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
