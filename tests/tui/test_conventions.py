"""Conventions: keymap from the config, the palette, NO_COLOR, the README's key table."""

from __future__ import annotations

import re
from pathlib import Path

from textual.command import CommandPalette
from tui_helpers import main_screen, started, wait_for

from dixa_tui.mock import DEMO_API_KEY
from dixa_tui.session.settings import Settings
from tools.readme import keys_markdown as markdown

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_key_table_is_generated_from_the_bindings() -> None:
    text = README.read_text(encoding="utf-8")
    block = re.search(r"<!-- keys:start[^>]*-->\n(.*?)<!-- keys:end -->", text, re.S)
    assert block, "README lost its keys block"
    assert block.group(1) == markdown(), "run `make readme`"


async def test_keymap_from_the_profile_config_remaps_a_binding(make_app, tmp_path,
                                                               monkeypatch, memory_keyring) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[keymap]\n"main.filter" = "f6"\n', encoding="utf-8")
    monkeypatch.setenv("DIXA_TUI_CONFIG", str(config))
    monkeypatch.setenv("DIXA_API_KEY", DEMO_API_KEY)  # what the mock accepts
    app = make_app(Settings())
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await started(pilot)
        await pilot.press("f6")
        assert screen.query_one("#filter").has_focus
        assert app.binding_keys("main.filter", "slash") == "f6"


async def test_palette_has_every_action_of_the_screen(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await started(pilot)
        helps = {c.help for c in app.get_system_commands(screen)}
        for wanted in ("Filter", "Target", "Edit", "Refresh", "Copy id", "Copy option path",
                       "Find option", "Expand all options", "Help", "Quit", "API key"):
            assert any(h.startswith(f"{wanted} · key: ") for h in helps), wanted
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"archived", "enter")
        await wait_for(pilot, lambda: main_screen(app).show_archived)


async def test_no_color_is_respected(make_app, monkeypatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await started(pilot)
        assert app.no_color
        svg = app.export_screenshot()
        colours = set(re.findall(r"fill: #([0-9a-f]{6})", svg))
        def spread(c: str) -> int:
            rgb = [int(c[i:i + 2], 16) for i in (0, 2, 4)]
            return max(rgb) - min(rgb)

        hued = {c for c in colours if spread(c) > 8}  # the SVG frame's own grey is c5c8c6
        assert not hued, hued


async def test_copy_option_path_and_find_option(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await started(pilot)
        await pilot.press("slash", *"contact_reason", "enter", "f")
        browser = screen.query_one("#detail-options")
        assert browser.search_input.has_focus
        await pilot.press(*"damaged item", "down")
        tree = browser.option_tree
        for _ in range(10):
            if [o.value for o in tree.highlighted_path or ()] == ["delivery", "damaged", "item"]:
                break
            await pilot.press("down")
        await pilot.press("y")
        assert app.clipboard == '["delivery", "damaged", "item"]'


async def test_unknown_keymap_ids_are_reported(make_app, tmp_path, monkeypatch) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[keymap]\n"definitions.filter" = "f6"\n', encoding="utf-8")
    monkeypatch.setenv("DIXA_TUI_CONFIG", str(config))
    monkeypatch.setenv("DIXA_API_KEY", DEMO_API_KEY)
    app = make_app(Settings())
    async with app.run_test(size=(100, 30)) as pilot:
        await started(pilot)
        assert any("definitions.filter" in str(n.message) for n in app._notifications)


async def test_footer_recomposes_once_for_a_burst_of_binding_changes(make_app) -> None:
    """Textual's Footer rebuilds every key widget once per bindings-changed signal; ours
    rebuilds once per frame, and still shows the bindings as they are then."""
    from dixa_tui.tui.widgets.footer import Footer

    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await started(pilot)
        footer = screen.query_one(Footer)
        calls = 0
        real = footer.recompose

        async def counting() -> None:
            nonlocal calls
            calls += 1
            await real()

        footer.recompose = counting  # type: ignore[method-assign]
        for _ in range(5):
            screen.refresh_bindings()
        await pilot.pause()
        await pilot.pause()
        assert calls == 1
        keys = {key.key for key in footer.query("FooterKey")}
        assert {"slash", "t", "e"} <= keys


async def test_hints_name_the_keys_of_the_users_keymap(make_app, tmp_path, monkeypatch,
                                                       memory_keyring) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[keymap]\n"main.target" = "f2"\n"main.edit" = "f3"\n', encoding="utf-8")
    monkeypatch.setenv("DIXA_TUI_CONFIG", str(config))
    monkeypatch.setenv("DIXA_API_KEY", DEMO_API_KEY)
    app = make_app(Settings())
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await started(pilot)
        bar = str(screen.query_one("#target-bar").render())
        assert "press f2 to choose" in bar and "press t " not in bar
        await pilot.press("f3")  # edit, with no target yet
        await wait_for(pilot, lambda: any("press f2, then f3" in str(n.message)
                                          for n in app._notifications))
        assert app.key_hint("main.filter", "slash") == "/"  # named as typed
        assert app.key_hint("editor.send", "ctrl+t") == "ctrl+t"  # not remapped: the default


async def test_the_error_bar_names_the_retry_and_key_keys_of_the_keymap(
        make_app, knobs, tmp_path, monkeypatch, memory_keyring) -> None:
    from dixa_tui.api.errors import DixaApiError
    from dixa_tui.tui.widgets.errorbar import ErrorBar, describe

    config = tmp_path / "config.toml"
    config.write_text('[keymap]\n"app.retry" = "f5,ctrl+r"\n"app.key" = "f9"\n',
                      encoding="utf-8")
    monkeypatch.setenv("DIXA_TUI_CONFIG", str(config))
    monkeypatch.setenv("DIXA_API_KEY", DEMO_API_KEY)
    knobs.failure_rate, knobs.failure_status = 1.0, 500  # not retried: shown at once
    app = make_app(Settings())
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.screen.query_one(ErrorBar).shown)
        assert "Press f5 to retry" in str(app.screen.query_one(ErrorBar).render())
    refused = DixaApiError("list definitions", 401, "bad key")
    assert "press f9 on the main screen" in describe(refused, "f9")[1]
