"""Saving a query into the user's config file: one line added or replaced, the rest of the
file byte for byte, refused (and nothing written) where that cannot be done safely."""

from __future__ import annotations

import os
import stat
import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dixa_tui.config import ConfigError, load_config
from dixa_tui.config_edit import name_problem, save_query
from dixa_tui.session.queries import saved_queries, saved_query

MINE = """# my settings
default_profile = "prod"   # the real one

[profiles.prod]
base_url = "https://dev.dixa.io"

[keymap]
"main.filter" = "slash"
"""


def test_a_new_file_gets_the_table_and_is_private(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "config.toml"
    assert save_query("empty", "--where 'contact_reason is empty'", path) is None
    assert path.read_text() == "[queries]\n\"empty\" = \"--where 'contact_reason is empty'\"\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [(q.name, q.text) for q in saved_queries(path)] == [
        ("empty", "--where 'contact_reason is empty'")]


def test_a_file_without_queries_keeps_every_byte_and_gets_the_table_at_the_end(
        tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(MINE.rstrip("\n"))  # no final line break
    os.chmod(path, 0o640)
    save_query("a", "--status open", path)
    text = path.read_text()
    assert text == MINE + "\n[queries]\n\"a\" = \"--status open\"\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    config = load_config(path)
    assert config.default_profile == "prod" and config.keymap == {"main.filter": "slash"}


def test_new_names_go_after_the_last_entry_and_a_known_name_is_replaced_in_place(
        tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    before = ('[queries]\r\n# mine\r\n"first" = "--status open"  # keep\r\n\r\n'
              "[keymap]\r\n\"main.filter\" = \"slash\"\r\n")
    path.write_bytes(before.encode())
    assert save_query("second", "--status closed", path) is None
    assert save_query("first", "--status pending", path) == "--status open"
    assert path.read_bytes().decode() == (
        '[queries]\r\n# mine\r\n"first" = "--status pending"\r\n'
        '"second" = "--status closed"\r\n\r\n[keymap]\r\n"main.filter" = "slash"\r\n')
    assert [q.name for q in saved_queries(path)] == ["first", "second"]
    assert saved_query("second", path).spec().status == ("closed",)


@pytest.mark.parametrize("layout", [
    'queries = { a = "--status open" }\n',
    'queries.a = "--status open"\n',
    '[queries]\n"b" = """--status\nopen"""\n',
])
def test_layouts_it_cannot_edit_safely_are_refused_and_left_alone(tmp_path: Path,
                                                                 layout: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(layout)
    with pytest.raises(ConfigError, match="by hand"):
        save_query("b", "--status closed", path)
    assert path.read_text() == layout


def test_a_file_that_is_not_toml_is_not_touched(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[profiles\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        save_query("a", "--status open", path)
    assert path.read_text() == "[profiles\n"
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left


def test_a_symlinked_config_is_written_through_the_link(tmp_path: Path) -> None:
    real = tmp_path / "dotfiles" / "config.toml"
    real.parent.mkdir()
    real.write_text(MINE)
    link = tmp_path / "config.toml"
    link.symlink_to(real)
    save_query("a", "--status open", link)
    assert link.is_symlink() and "[queries]" in real.read_text()


@pytest.mark.parametrize(("name", "says"), [
    ("", "needs a name"), (" a", "spaces"), ("a\nb", "control"), ("x" * 65, "at most"),
])
def test_bad_names(name: str, says: str) -> None:
    problem = name_problem(name)
    assert problem is not None and says in problem


def test_a_name_nobody_saved_says_which_exist(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    save_query("empty-reason", "--status open", path)
    with pytest.raises(Exception, match="did you mean 'empty-reason'"):
        saved_query("empty-reasn", path)


@settings(max_examples=60, deadline=None)
@given(name=st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=20),
       text=st.text(st.characters(exclude_categories=("Cs",)), max_size=60))
def test_any_name_and_text_read_back_exactly(tmp_path_factory: pytest.TempPathFactory,
                                            name: str, text: str) -> None:
    if name_problem(name) is not None:
        return
    path = tmp_path_factory.mktemp("cfg") / "config.toml"
    path.write_text(MINE)
    save_query(name, text, path)
    raw = tomllib.loads(path.read_text())
    assert raw["queries"] == {name: text}
    assert path.read_text().startswith(MINE)


@pytest.mark.parametrize("table", ['[queries]\n"a" = 1\n', 'queries = "x"\n'])
def test_queries_must_map_names_to_text(tmp_path: Path, table: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(table)
    with pytest.raises(ConfigError, match=r"\[queries\] maps names"):
        load_config(path)
