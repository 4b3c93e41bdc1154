"""README blocks are rewritten between their own markers and nowhere else."""

from __future__ import annotations

from pathlib import Path

from tools.readme import command, replace_block

TEXT = ("intro\n<!-- keys:start (generated) -->\nold keys\n<!-- keys:end -->\n"
        "<!-- faults:start -->\nold faults\n<!-- faults:end -->\noutro\n")


def test_replaces_only_its_block_and_says_whether_it_changed(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(TEXT, encoding="utf-8")
    assert replace_block(readme, "keys", "new keys\n")
    assert readme.read_text(encoding="utf-8") == TEXT.replace("old keys", "new keys")
    assert not replace_block(readme, "keys", "new keys\n")  # already current
    assert not replace_block(readme, "absent", "x\n")  # no such block: untouched


def test_command_rewrites_or_prints(tmp_path: Path, capsys) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(TEXT, encoding="utf-8")
    command("faults", lambda: "| table |\n", ["--readme", str(readme)])
    assert "| table |\n<!-- faults:end -->" in readme.read_text(encoding="utf-8")
    assert capsys.readouterr().out == "README updated\n"
    command("faults", lambda: "| table |\n", [])
    assert capsys.readouterr().out == "| table |\n"


def test_the_readme_performance_table_is_the_last_bench_run() -> None:
    """``make bench`` rewrites it from bench/results.json; so does ``make readme``."""
    from tools.bench_readme import bench_markdown

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- bench:start")[1].split("-->\n", 1)[1]
    block = block.split("<!-- bench:end -->")[0]
    assert block == bench_markdown(), "run `make readme` (or `make bench`)"
