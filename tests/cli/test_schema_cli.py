"""``definitions export|diff|lint`` through the CLI: the export round trip through
``mock serve --org`` (bytes), CSV with the README's header, a diff of two organizations
with one change of each kind (files, and two profiles read live with their own keys; exit
0 equal / 4 differ), a lint with one of each finding, saved snapshots by date, and what a
terminal is shown."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import stat
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner, Result

from dixa_tui.api.models import CustomAttributeDefinition
from dixa_tui.cli import main
from dixa_tui.domain.options import count_options
from dixa_tui.domain.schema_change import CHANGE_KINDS
from dixa_tui.domain.schema_export import export_json
from dixa_tui.domain.schema_lint import RULES
from dixa_tui.mock import MockState
from dixa_tui.mock.hostile import build_hostile_state
from dixa_tui.session.snapshots import folder_name, list_snapshots, save_snapshot, snapshots_root
from tests.unit.test_schema_diff import EXPECTED, schema_a, schema_b
from tests.unit.test_schema_lint import ONE_OF_EACH, clean_org

README = Path(__file__).parents[2] / "README.md"


def cli(*args: str, env: dict[str, str] | None = None) -> Result:
    result = CliRunner().invoke(main, list(args), env=env)
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        repr(result.exception)
    return result


def snapshot(definitions: list[CustomAttributeDefinition]) -> bytes:
    """What a profile's snapshot holds: the export, archived definitions included."""
    return export_json(definitions, include_archived=True)


def write_org(path: Path, definitions: list[CustomAttributeDefinition]) -> Path:
    path.write_bytes(snapshot(definitions))
    return path


def configure(home: Path, **profiles: dict[str, Any]) -> None:
    """A config file with ``profiles`` (name -> settings)."""
    lines = []
    for name, table in profiles.items():
        lines.append(f"[profiles.{name}]")
        lines += [f"{k} = {json.dumps(v)}" for k, v in table.items()]
    path = Path(os.environ["DIXA_TUI_CONFIG"])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")


# -- export -------------------------------------------------------------------------------


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_an_export_is_served_back_byte_for_byte_by_mock_serve(tmp_path: Path):
    """The issue's bar: `definitions export --format json` of the demo is accepted by
    `mock serve --org FILE` (a real process), and the list it serves is the export's bytes."""
    path = tmp_path / "demo.json"
    written = cli("--demo", "definitions", "export", "--include-archived", "-o", str(path))
    assert written.exit_code == 0, written.stderr
    assert "Exported 46 definitions as json to" in written.stderr
    piped = cli("--demo", "definitions", "export", "--include-archived")
    exported = path.read_bytes()
    assert piped.stdout_bytes == exported  # stdout to a pipe: the same bytes
    assert json.loads(exported)["data"][0]["identifier"] == "order_number"
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "dixa_tui", "mock", "serve", "--port",
                             str(port), "--org", str(path)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/beta/custom-attributes",
                                     headers={"Authorization": "demo-key"})
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.1)
    finally:
        proc.terminate()
        proc.communicate(timeout=10)
    assert response.status_code == 200
    assert response.content == exported


def test_an_export_leaves_archived_out_unless_asked(demo):
    state = MockState.demo()
    archived = {d.identifier for d in state.definitions if d.is_archived}
    assert archived
    items = json.loads(demo("definitions", "export").stdout_bytes)["data"]
    assert len(items) == len(state.definitions) - len(archived)
    assert not archived & {item["identifier"] for item in items}


def _readme_csv_header() -> list[str]:
    block = README.read_text().split("<!-- csv-columns:start")[1].split("<!-- csv-columns:end")[0]
    return re.findall(r"^\| `([a-z_]+)` \|", block, re.M)


def test_a_csv_export_opens_in_the_csv_module_with_the_readme_header(demo):
    result = demo("definitions", "export", "--format", "csv", "--include-archived")
    assert result.exit_code == 0
    reader = csv.DictReader(io.StringIO(result.stdout_bytes.decode("utf-8"), newline=""))
    rows = list(reader)
    header = _readme_csv_header()
    assert len(header) == 19 and reader.fieldnames == header
    state = MockState.demo()
    options = sum(count_options(d.options) for d in state.definitions)
    kinds = Counter(row["kind"] for row in rows)
    assert kinds == {"definition": len(state.definitions), "option": options}
    damaged = next(r for r in rows if r["option_value_path"] == '["delivery","damaged","item"]')
    assert (damaged["identifier"], damaged["option_label_path"], damaged["depth"]) == (
        "contact_reason", "Delivery > Damaged > Item", "3")


def test_a_markdown_export_is_a_page(demo):
    result = demo("definitions", "export", "--format", "markdown")
    text = result.stdout_bytes.decode()
    assert text.startswith("# Custom attributes\n") and "## Contact reason (`contact_reason`)" \
        in text


@pytest.fixture
def hostile_mock(serve_mock: Callable[..., tuple[str, MockState, Any]]) -> str:
    url, _, _ = serve_mock(state=build_hostile_state())
    return url


UNSAFE = ("\x1b", "\x07", "\x9b", "\x9d", "\u202e")


def test_an_export_to_a_pipe_is_exact_and_to_a_terminal_is_safe(hostile_mock: str,
                                                                 monkeypatch, tmp_path):
    env = {"DIXA_API_KEY": "demo-key"}
    args = ["--base-url", hostile_mock, "definitions", "export", "--include-archived"]
    piped = cli(*args, env=env)
    assert piped.exit_code == 0
    assert "9 definitions sent by Dixa could not be read" in piped.stderr  # warned on stderr
    raw = piped.stdout_bytes
    assert "\x9b".encode() in raw and "\u202e".encode() in raw  # exact: hostile text kept
    path = tmp_path / "hostile.json"
    path.write_bytes(raw)
    from dixa_tui.mock.orgs import load_org

    assert export_json(load_org(path).definitions, load_org(path).listing(),
                       include_archived=True) == raw  # the org file serves these bytes
    monkeypatch.setattr("dixa_tui.cli.schema.is_terminal", lambda: True)
    shown = cli(*args, env=env)
    assert not any(ch in shown.stdout for ch in UNSAFE)
    assert json.loads(shown.stdout) == json.loads(raw)  # still the same JSON
    for fmt in ("csv", "markdown"):
        text = cli(*args, "--format", fmt, env=env).stdout
        assert not any(ch in text for ch in UNSAFE), fmt


def test_export_to_an_unwritable_file_is_a_usage_error(demo, tmp_path):
    result = demo("definitions", "export", "-o", str(tmp_path / "missing" / "x.json"))
    assert result.exit_code == 2 and "cannot write" in result.stderr


# -- diff ---------------------------------------------------------------------------------


def _expected_json() -> list[tuple[str, str, list[str]]]:
    return [(identifier, kind, list(path)) for identifier, kind, path, _, _ in EXPECTED]


def test_diff_of_two_files_reports_each_kind_once_and_exits_4(tmp_path: Path):
    a = write_org(tmp_path / "a.json", schema_a())
    b = write_org(tmp_path / "b.json", schema_b())
    result = cli("definitions", "diff", str(a), str(b), "--json")
    assert result.exit_code == 4, result.stderr
    payload = json.loads(result.stdout)
    got = [(c["identifier"], c["kind"], c["option_path"]) for c in payload["changes"]]
    assert got == _expected_json()
    assert payload["counts"] == dict.fromkeys(CHANGE_KINDS, 1) | payload["counts"]
    assert sorted(payload["counts"]) == sorted(CHANGE_KINDS)
    assert set(payload["counts"].values()) == {1}
    assert payload["equal"] is False and payload["a"]["definitions"] == 7
    text = cli("definitions", "diff", str(a), str(b))
    assert text.exit_code == 4
    lines = text.stdout.splitlines()
    assert len(lines) == len(CHANGE_KINDS)
    assert "+ new_attr (Contact): added, label 'New_Attr', 1 option" in lines
    assert "- old_attr (Contact): removed (label was 'Old_Attr')" in lines
    assert "~ order_number (Conversation): label 'Order number' -> 'Order no.'" in lines
    assert "17 changes in 8 definitions" in text.stderr


def test_diff_of_equal_schemas_exits_0(tmp_path: Path):
    a = write_org(tmp_path / "a.json", schema_a())
    again = tmp_path / "again.json"
    again.write_text(json.dumps([d.to_dixa() | {"id": "other-" + d.id}  # another org's ids
                                 for d in reversed(schema_a())]))
    result = cli("definitions", "diff", str(a), str(again))
    assert result.exit_code == 0 and result.stdout == ""
    assert "No differences." in result.stderr
    as_json = cli("definitions", "diff", str(a), str(again), "--json")
    assert as_json.exit_code == 0 and json.loads(as_json.stdout)["changes"] == []


@pytest.fixture
def two_profiles(serve_mock, memory_keyring, home) -> tuple[MockState, MockState]:
    """Profiles sandbox (schema A) and prod (schema B), each a mock with its own key."""
    sandbox = MockState.from_definitions(schema_a())
    prod = MockState.from_definitions(schema_b())
    url_a, _, _ = serve_mock(api_key="sandbox-key", state=sandbox)
    url_b, _, _ = serve_mock(api_key="prod-key", state=prod)
    configure(home, sandbox={"base_url": url_a, "rate_limit": 0},
              prod={"base_url": url_b, "rate_limit": 0, "snapshots": True})
    memory_keyring.set_password("dixa-tui", "sandbox", "sandbox-key")
    memory_keyring.set_password("dixa-tui", "prod", "prod-key")
    return sandbox, prod


def test_diff_of_two_profiles_read_live_with_their_own_keys(two_profiles, tmp_path):
    result = cli("definitions", "diff", "profile:sandbox", "profile:prod", "--json")
    assert result.exit_code == 4, result.stderr
    payload = json.loads(result.stdout)
    assert [(c["identifier"], c["kind"], c["option_path"]) for c in payload["changes"]] == \
        _expected_json()
    assert payload["a"]["name"] == "profile:sandbox (live)"
    exported = cli("--profile", "prod", "definitions", "export", "--include-archived")
    path = tmp_path / "prod.json"
    path.write_bytes(exported.stdout_bytes)
    same = cli("--profile", "sandbox", "definitions", "diff", "profile:prod", str(path))
    assert same.exit_code == 0, same.stderr


def test_the_environment_key_never_travels_to_another_profile(two_profiles, memory_keyring):
    """DIXA_API_KEY is the run's own profile's key (here sandbox's): the other profile is
    read with its stored key, and without one it is refused, never sent this key."""
    result = cli("--profile", "sandbox", "definitions", "diff", "profile:sandbox",
                 "profile:prod", env={"DIXA_API_KEY": "sandbox-key"})
    assert result.exit_code == 4, result.stderr  # prod read with prod-key from the keyring
    memory_keyring.delete_password("dixa-tui", "prod")
    refused = cli("--profile", "sandbox", "definitions", "diff", "profile:sandbox",
                  "profile:prod", env={"DIXA_API_KEY": "sandbox-key"})
    assert refused.exit_code == 2, refused.output
    assert "never sent to another profile's host" in refused.stderr
    assert "--profile prod auth set" in refused.stderr


def test_a_profile_without_a_key_or_config_is_a_usage_error(two_profiles, memory_keyring,
                                                            tmp_path):
    memory_keyring.delete_password("dixa-tui", "sandbox")
    no_key = cli("definitions", "diff", "profile:sandbox", "profile:prod")
    assert no_key.exit_code == 2
    assert "No Dixa API key for profile 'sandbox'" in no_key.stderr
    unknown = cli("definitions", "diff", "profile:staging", "profile:prod")
    assert unknown.exit_code == 2 and "No profile named 'staging'" in unknown.stderr
    missing = cli("definitions", "diff", str(tmp_path / "nope.json"), "profile:prod")
    assert missing.exit_code == 2 and "cannot read the file" in missing.stderr
    bad = tmp_path / "bad.json"
    bad.write_text('{"rows": []}')
    assert cli("definitions", "diff", str(bad), "profile:prod").exit_code == 2
    assert cli("definitions", "diff", "profile:", "profile:prod").exit_code == 2
    assert cli("definitions", "diff", "profile:prod@yesterday", "x").exit_code == 2


def test_demo_has_only_its_own_profile(demo):
    result = demo("definitions", "diff", "profile:demo", "profile:prod")
    assert result.exit_code == 2 and "only profile is the demo" in result.stderr
    assert demo("definitions", "diff", "profile:demo", "profile:demo").exit_code == 0


def test_diff_warns_of_unreadable_items(tmp_path: Path):
    from dixa_tui.mock.hostile import hostile_payload

    path = tmp_path / "hostile.json"
    path.write_text(json.dumps({"data": hostile_payload()}))
    result = cli("definitions", "diff", str(path), str(path))
    assert result.exit_code == 0
    assert "9 definitions sent by Dixa could not be read" in result.stderr
    assert not any(ch in result.stderr for ch in UNSAFE)


# -- snapshots ----------------------------------------------------------------------------


def test_list_saves_a_private_snapshot_once_per_change(two_profiles):
    _, prod = two_profiles
    first = cli("--profile", "prod", "definitions", "list")
    assert first.exit_code == 0 and "Snapshot saved:" in first.stderr
    saved = list_snapshots("prod")
    assert len(saved) == 1
    folder = saved[0].path.parent
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(snapshots_root().stat().st_mode) == 0o700
    assert stat.S_IMODE(saved[0].path.stat().st_mode) == 0o600
    assert saved[0].path.read_bytes() == export_json(prod.definitions, prod.listing(),
                                                     include_archived=True)
    again = cli("--profile", "prod", "definitions", "list")
    assert "Snapshot unchanged since" in again.stderr and len(list_snapshots("prod")) == 1
    prod.definitions[0] = prod.definitions[0].model_copy(update={"label": "Renamed"})
    cli("--profile", "prod", "definitions", "list")
    assert len(list_snapshots("prod")) == 2
    sandbox = cli("--profile", "sandbox", "definitions", "list")  # snapshots off there
    assert "Snapshot" not in sandbox.stderr and list_snapshots("sandbox") == []
    diff = cli("definitions", "diff", saved[0].source_text(), "profile:prod@2099-01-01")
    assert diff.exit_code == 4
    assert "~ new_attr (Contact): label 'New_Attr' -> 'Renamed'" in diff.stdout


def test_a_dated_source_picks_the_newest_snapshot_at_or_before_it(two_profiles):
    save_snapshot("prod", snapshot(schema_a()), now=datetime(2026, 11, 1, 8, 0, tzinfo=UTC))
    save_snapshot("prod", snapshot(schema_b()), now=datetime(2026, 11, 2, 9, 30, tzinfo=UTC))
    result = cli("definitions", "diff", "profile:prod@2026-11-01", "profile:prod@2026-11-05",
                 "--json")
    assert result.exit_code == 4
    payload = json.loads(result.stdout)
    assert len(payload["changes"]) == len(CHANGE_KINDS)
    assert payload["a"]["name"] == ("profile:prod@2026-11-01 (the snapshot of "
                                    "2026-11-01 08:00:00 UTC)")
    assert payload["b"]["name"].endswith("(the snapshot of 2026-11-02 09:30:00 UTC)")
    same_day = cli("definitions", "diff", "profile:prod@2026-11-02T09:00",
                   "profile:prod@2026-11-01")
    assert same_day.exit_code == 0  # 09:00 on the 2nd is still the 1st's snapshot
    too_early = cli("definitions", "diff", "profile:prod@2026-10-31", "profile:prod")
    assert too_early.exit_code == 2
    assert "first snapshot of profile 'prod' was taken 2026-11-01 08:00:00 UTC" in \
        too_early.stderr
    never = cli("definitions", "diff", "profile:sandbox@2026-11-01", "profile:prod")
    assert never.exit_code == 2 and "snapshots = true" in never.stderr


def test_a_live_read_saving_a_snapshot_is_not_compared_with_itself(two_profiles):
    """``diff profile:prod@TODAY profile:prod``: the dated side is read first, so the
    snapshot the live read saves cannot be picked by it."""
    save_snapshot("prod", snapshot(schema_a()), now=datetime(2026, 1, 1, tzinfo=UTC))
    result = cli("definitions", "diff", "profile:prod@2099-01-01", "profile:prod")
    assert result.exit_code == 4 and len(result.stdout.splitlines()) == len(CHANGE_KINDS)
    assert len(list_snapshots("prod")) == 2


def test_snapshot_folders_cannot_escape_and_do_not_collide():
    names = ["prod", "../etc", "a/b", "a%2Fb", ".", "", "sandbox ü"]
    folders = [folder_name(n) for n in names]
    assert len(set(folders)) == len(names)
    assert all(re.fullmatch(r"[A-Za-z0-9_%-]+", f) for f in folders)


def test_a_state_dir_that_cannot_be_written_warns_and_still_lists(two_profiles, monkeypatch,
                                                                 tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("DIXA_TUI_STATE", str(blocker / "state"))
    result = cli("--profile", "prod", "definitions", "list")
    assert result.exit_code == 0 and "new_attr" in result.stdout
    assert "Warning: Snapshot not saved:" in result.stderr


def test_config_refuses_a_snapshots_value_that_is_not_a_boolean(home):
    configure(home, prod={"snapshots": "yes"})
    result = cli("--profile", "prod", "definitions", "list", env={"DIXA_API_KEY": "k"})
    assert result.exit_code == 2 and "snapshots" in result.stderr


# -- lint ---------------------------------------------------------------------------------


def _lint_org() -> list[CustomAttributeDefinition]:
    items = [*clean_org(), *(item for item, _ in ONE_OF_EACH.values())]
    return [CustomAttributeDefinition.model_validate(item) for item in items]


def test_lint_reports_each_finding_once_and_exits_4_on_errors(tmp_path: Path):
    path = write_org(tmp_path / "org.json", _lint_org())
    result = cli("definitions", "lint", str(path), "--json")
    assert result.exit_code == 4, result.stderr
    payload = json.loads(result.stdout)
    assert Counter(f["code"] for f in payload["findings"]) == Counter(set(RULES))
    assert payload["counts"]["error"] == sum(1 for s, _ in RULES.values() if s == "error")
    text = cli("definitions", "lint", str(path))
    assert len(text.stdout.splitlines()) == len(RULES)
    assert "\x1b" not in text.stdout and "'Red\\x1b[31m label'" in text.stdout
    assert f"{len(RULES)} findings" in text.stderr


def test_lint_of_a_live_organization(serve_mock):
    url, _, _ = serve_mock(state=MockState.from_definitions(_lint_org()))
    result = cli("--base-url", url, "definitions", "lint", env={"DIXA_API_KEY": "demo-key"})
    assert result.exit_code == 4 and len(result.stdout.splitlines()) == len(RULES)


def test_warnings_alone_exit_0_unless_strict(tmp_path: Path):
    padded = [CustomAttributeDefinition.model_validate(item) for item in
              [*clean_org(), ONE_OF_EACH["surrounding-spaces"][0]]]
    path = write_org(tmp_path / "org.json", padded)
    assert cli("definitions", "lint", str(path)).exit_code == 0
    assert cli("definitions", "lint", str(path), "--strict").exit_code == 4


def test_the_demo_lints_clean(demo):
    result = demo("definitions", "lint")
    assert result.exit_code == 0 and result.stdout == ""
    assert "profile:demo (live): 46 definitions, no findings." in result.stderr
