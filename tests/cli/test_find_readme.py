"""The README reaches every part of `find conversations`: each option, each --where form."""

from __future__ import annotations

from pathlib import Path

import click

from dixa_tui.cli.find import find
from dixa_tui.domain.where import WORDS

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def _section(title: str) -> str:
    start = README.index(f"### {title}")
    end = README.find("\n### ", start + 1)
    return README[start:end]


def test_every_option_of_find_conversations_is_in_the_readme() -> None:
    command = find.commands["conversations"]
    options = [opt for p in command.params if isinstance(p, click.Option)
               for opt in p.opts if opt.startswith("--")]
    assert len(options) >= 17
    text = _section("Finding conversations") + _section("Saved queries")
    missing = [o for o in options if o not in text]
    assert missing == []


def test_every_where_form_is_in_the_readme() -> None:
    text = _section("Finding conversations")
    for words in WORDS.values():
        assert f"IDENT {words}" in text, words


def test_the_loop_runs_find_plan_apply_and_undo() -> None:
    loop = _section("Fill in what is missing")
    for step in ("find conversations", "--csv >", "bulk plan", "bulk apply", "undo "):
        assert step in loop
