"""The import graph of dixa_tui: no circles, and the layers import only downwards.

Every import statement counts, wherever it is (module level, inside a function, under
``TYPE_CHECKING``): a circle through a lazy import is still a circle.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from tests.unit.source_helpers import parse_source

PACKAGE = Path(__file__).resolve().parents[2] / "dixa_tui"


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def _imports(name: str, path: Path) -> set[str]:
    """Every module ``name`` imports: ours as module names, others as their top package."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(parse_source(path)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                out.add(alias.name if alias.name in MODULES else alias.name.split(".")[0])
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            for alias in node.names:
                sub = f"{module}.{alias.name}"
                if sub in MODULES:
                    out.add(sub)
                elif module in MODULES:
                    out.add(module)
                else:
                    out.add(module.split(".")[0])
    out.discard(name)
    return out


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def _cycles() -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for start in GRAPH:
        if start in index:
            continue
        work = [(start, iter(sorted(m for m in GRAPH[start] if m in GRAPH)))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(m for m in GRAPH[child] if m in GRAPH))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_walk_sees_the_package() -> None:
    assert "dixa_tui.session.core" in GRAPH and "dixa_tui.tui.app" in GRAPH
    assert "dixa_tui.session.core" in GRAPH["dixa_tui.cli.common"]  # lazy imports count


def test_no_import_circles() -> None:
    assert _cycles() == []


def _layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def test_layers_import_downwards() -> None:
    """api and domain never import Textual, click or anything above them; screens never
    import the app; nothing imports the CLI, and only the CLI's group starts the TUI."""
    problems = []
    for module, imports in GRAPH.items():
        layer = _layer(module)
        ours = {_layer(i) for i in imports if i.startswith("dixa_tui.")}
        if layer in ("api", "domain"):
            bad = {"textual", "click"} & imports or ours & {"session", "cli", "tui", "mock",
                                                            "journal"}
            if layer == "domain":
                bad = bad or ({"httpx"} & imports) or ours & {"api"} - {"api"}
            if bad:
                problems.append(f"{module} imports {sorted(bad)}")
        if layer in ("session", "journal", "mock", "config", "secrets") and (
                {"textual", "click"} & imports or ours & {"cli", "tui"}):
            problems.append(f"{module} imports Textual, click, the CLI or the TUI")
        if module.startswith("dixa_tui.tui.screens.") and "dixa_tui.tui.app" in imports:
            problems.append(f"{module} imports the app")
        if layer == "tui" and ours & {"cli"}:
            problems.append(f"{module} imports the CLI")
        if layer == "cli" and "dixa_tui.tui.app" in imports and module != "dixa_tui.cli.group":
            problems.append(f"{module} starts the TUI")
    assert problems == []


def test_requests_are_made_only_by_the_session() -> None:
    """No command and no screen calls the client: every request goes through the session."""
    import inspect

    from dixa_tui.api.client import DixaClient

    operations = {name for name, member in vars(DixaClient).items()
                  if inspect.iscoroutinefunction(member) and not name.startswith("_")
                  and name not in ("aclose", "__aenter__", "__aexit__")}
    assert {"list_definitions", "patch_conversation_attributes"} <= operations
    callers = []
    for module, path in MODULES.items():
        if _layer(module) not in ("cli", "tui"):
            continue
        for node in ast.walk(parse_source(path)):
            if not (isinstance(node, ast.Attribute) and node.attr in operations):
                continue
            held = node.value  # what the operation is called on: a client, or the session
            name = held.attr if isinstance(held, ast.Attribute) else getattr(held, "id", "")
            if "client" in name.lower():
                callers.append(f"{module}: {name}.{node.attr}")
    assert callers == []


def test_the_session_loads_no_textual_and_no_click() -> None:
    code = ("import sys, dixa_tui.session, dixa_tui.session.core, dixa_tui.session.targets\n"
            "import dixa_tui.session.settings, dixa_tui.session.progress\n"
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'click'))\n"
            "print(','.join(bad))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == ""


def test_test_modules_have_unique_names() -> None:
    """The tests folders are not packages: two test files with one name cannot both load."""
    tests = Path(__file__).resolve().parents[1]
    names = [p.name for p in tests.rglob("test_*.py")]
    assert sorted({n for n in names if names.count(n) > 1}) == []


def test_the_end_user_conversation_branch_lives_in_the_session_and_the_domain() -> None:
    """Which endpoint serves a target is decided once (``session.targets.endpoint``): no
    command and no screen branches on the kind of target."""
    branching = sorted(module for module, path in MODULES.items()
                       if 'kind == "enduser"' in path.read_text(encoding="utf-8")
                       and _layer(module) not in ("session", "domain"))
    assert branching == []


def test_the_domain_reads_and_writes_no_files() -> None:
    """The domain is pure: files are read and written by the session (``session.snapshots``
    reads a snapshot file, ``dixa_tui.files`` writes), so a rule is testable without a
    disk and no rule reads one by the way."""
    io_modules = {"os", "shutil", "tempfile", "sqlite3", "dixa_tui.inputfile",
                  "dixa_tui.paths", "dixa_tui.files", "dixa_tui.journal"}
    found = sorted(f"{module} imports {sorted(imports & io_modules)}"
                   for module, imports in GRAPH.items()
                   if _layer(module) == "domain" and imports & io_modules)
    assert found == []
