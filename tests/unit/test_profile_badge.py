"""A profile may name its own badge for the TUI's top bar (issue 10, item 16)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dixa_tui.config import ConfigError, load_config


def test_a_profile_badge_is_read(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[profiles.sandbox]\nbase_url = "http://127.0.0.1:8765"\n'
                    'badge = "Sandbox"\n', encoding="utf-8")
    assert load_config(path).profile("sandbox").badge == "Sandbox"
    assert load_config(path).profile("default").badge is None


@pytest.mark.parametrize("bad", ['""', "3", '"a very long badge indeed"', '"a\\u001bb"'])
def test_a_bad_badge_is_named(tmp_path: Path, bad: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(f"[profiles.x]\nbadge = {bad}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="badge"):
        load_config(path)
