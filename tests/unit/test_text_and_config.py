from __future__ import annotations

import pytest

from dixa_tui.config import ConfigError, Profile, config_path, load_config
from dixa_tui.text import clean


@pytest.mark.parametrize(("raw", "shown"), [
    ("\x1b[31mred\x1b[0m", "red"),
    ("\x1b]52;c;aGk=\x07x", "x"),
    ("\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\", "link"),
    ("a\nb\rc", "a⏎b⏎c"),
    ("bell\x07", "bell\ufffd"),
    ("[bold red]X[/]", "[bold red]X[/]"),
    ("שלום 👋 e\u0301 zero\u200bwidth", "שלום 👋 e\u0301 zero\u200bwidth"),
    ("\x9b31mc1", "c1"),
    ("\u202eexe.txt\u202c \u2066iso\u2069", "\ufffdexe.txt\ufffd \ufffdiso\ufffd"),
    ("سبب\u200f ok \u200e", "سبب\u200f ok \u200e"),  # marks steer neighbours only: kept
    ("a\u2028b\u2029c\x85d", "a⏎b⏎c\ufffdd"),
    ("plain text", "plain text"),
])
def test_clean(raw, shown):
    assert clean(raw) == shown


def test_clean_multiline_keeps_newlines():
    assert clean("a\nb\x1b[2J", single_line=False) == "a\nb"


def test_missing_config_is_defaults(home):
    config = load_config()
    assert config.path == config_path()
    assert config.profile() == Profile()
    assert config.profile().api_version == "beta"


def test_profiles_and_keymap(home):
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('default_profile = "prod"\n[profiles.prod]\napi_version = "v1"\n'
                    'rate_limit = 5\n[profiles.staging]\nbase_url = "http://127.0.0.1:9/"\n'
                    '[keymap]\n"definitions.filter" = "slash"\n')
    config = load_config()
    assert config.profile().name == "prod" and config.profile().api_version == "v1"
    assert config.profile().rate_limit == 5
    assert config.profile("staging").base_url == "http://127.0.0.1:9"
    assert config.keymap == {"definitions.filter": "slash"}
    with pytest.raises(ConfigError, match="No profile named 'nope'"):
        config.profile("nope")


@pytest.mark.parametrize("text", ["[profiles.x]\napi_version = 'v2'\n", "not toml [",
                                  "[profiles.x]\ncolour = 1\n", "[keymap]\na = 1\n",
                                  "[profiles.x]\nrate_limit = true\n",
                                  "[profiles.x]\nburst = -1\n",
                                  "[profiles.x]\nbase_url = 'dev.dixa.io'\n",
                                  "[profiles.x]\nbase_url = 'https://dev.dixa.io/v1'\n"])
def test_bad_config_is_explained(home, text):
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_config()
    assert str(path) in str(info.value)


def test_overrides():
    profile = Profile().with_overrides("http://x/", "v1")
    assert (profile.base_url, profile.api_version) == ("http://x", "v1")
    with pytest.raises(ConfigError):
        Profile().with_overrides(api_version="v9")


@pytest.mark.parametrize(("url", "says"), [
    ("ftp://x", "not an http\\(s\\) URL"), ("127.0.0.1:8765", "not an http\\(s\\) URL"),
    ("http://[::1", "not an http\\(s\\) URL"), ("https://dev.dixa.io/beta/", "leave /beta out"),
    ("https://dev.dixa.io?x=1", "query"),
])
def test_bad_base_urls_are_usage_errors(url, says):
    with pytest.raises(ConfigError, match=says):
        Profile().with_overrides(base_url=url)


def test_good_base_urls():
    assert Profile().with_overrides("http://127.0.0.1:8765/").base_url == \
        "http://127.0.0.1:8765"
    assert Profile().with_overrides("https://proxy.example/dixa").base_url == \
        "https://proxy.example/dixa"


def test_json_kind_names_every_json_value() -> None:
    from dixa_tui.text import json_kind

    assert [json_kind(v) for v in (None, True, 1, 1.5, "x", [], {})] == [
        "null", "a boolean", "a number", "a number", "a string", "a list", "an object"]
    assert json_kind(b"x") == "a bytes"
