"""Reading our own source as syntax trees, for the tests that check the code's shape."""

from __future__ import annotations

import ast
import gc
from pathlib import Path


def parse_source(path: Path) -> ast.Module:
    """``path``'s syntax tree, built with the cyclic GC paused.

    CPython 3.11.7 counts recursion while it turns a parse into Python objects; a collection
    that runs a finalizer in the middle (an asyncio task left over by an earlier test logging
    "exception was never retrieved") moves that count and ``compile`` raises
    ``SystemError: AST constructor recursion depth mismatch``. The tree is the same either way.
    """
    source = path.read_text(encoding="utf-8")
    enabled = gc.isenabled()
    gc.disable()
    try:
        return ast.parse(source)
    finally:
        if enabled:
            gc.enable()
