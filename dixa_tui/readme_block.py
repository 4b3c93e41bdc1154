"""The README's generated blocks: ``<!-- NAME:start ... -->`` ... ``<!-- NAME:end -->``.

Tables the code can state (the keys, how each fault surfaces) are written by the code, and a
test keeps each in sync. One way to rewrite a block and one command line for every module
that owns one: ``python -m <module> --readme README.md`` rewrites it, without arguments it
prints the block.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path


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
