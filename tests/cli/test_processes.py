"""The installed entry points as real processes: exit codes, stdout/stderr, `mock serve`."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

EXE = shutil.which("dixa-tui", path=str(Path(sys.executable).parent))


def run(*args: str, env: dict[str, str] | None = None, timeout: float = 60):
    return subprocess.run([sys.executable, "-m", "dixa_tui", *args], capture_output=True,
                          text=True, timeout=timeout, stdin=subprocess.DEVNULL,
                          env={**os.environ, **(env or {})})


def test_python_dash_m_demo_list():
    result = run("--demo", "definitions", "list", "--json")
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)) == 42


@pytest.mark.skipif(EXE is None, reason="the dixa-tui console script is not installed here")
def test_console_script():
    result = subprocess.run([str(EXE), "--version"], capture_output=True, text=True,
                            timeout=30)
    assert result.returncode == 0 and "dixa-tui" in result.stdout


def test_exit_codes_and_no_tracebacks():
    usage = run("--demo", "patch", "conversation", "10001", "--set", "nope=1")
    api = run("--base-url", "http://127.0.0.1:9", "definitions", "list",
              env={"DIXA_API_KEY": "k"})
    click_usage = run("definitions", "list", "--entity", "robots")
    assert (usage.returncode, api.returncode, click_usage.returncode) == (2, 1, 2)
    for result in (usage, api, click_usage):
        assert "Traceback" not in result.stderr and result.stdout == ""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_mock_serve_process_answers_like_dixa(tmp_path):
    org = tmp_path / "org.json"
    org.write_text(json.dumps({"data": [{
        "id": "11111111-2222-4333-8444-555555555555", "entityType": "Contact",
        "identifier": "vip", "label": "VIP", "inputDefinition": {"_type": "Text"},
        "createdAt": "2024-01-01T00:00:00Z[GMT]", "isRequired": False,
        "isArchived": False, "isDeactivated": False}]}))
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "dixa_tui", "mock", "serve", "--port",
                             str(port), "--key", "serve-key", "--org", str(org)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 20
        while True:
            try:
                response = httpx.get(f"{base}/v1/custom-attributes",
                                     headers={"Authorization": "serve-key"})
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.1)
        assert response.status_code == 200
        assert [d["identifier"] for d in response.json()["data"]] == ["vip"]
        assert httpx.get(f"{base}/beta/custom-attributes").status_code == 401
        cli = run("--base-url", base, "definitions", "list", env={"DIXA_API_KEY": "serve-key"})
        assert cli.returncode == 0 and "vip" in cli.stdout
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=10)
    assert "serve-key" not in err


def test_mock_serve_bad_org_file_is_explained(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    result = run("mock", "serve", "--port", str(_free_port()), "--org", str(bad))
    assert result.returncode == 2
    assert "bad.json" in result.stderr and "Traceback" not in result.stderr


def test_mock_serve_the_hostile_org_and_list_it():
    """The way a user reaches it: `mock serve --org hostile`, then any command against it."""
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "dixa_tui", "mock", "serve", "--port",
                             str(port), "--org", "hostile"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{base}/v1/custom-attributes")
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.1)
        cli = run("--base-url", base, "definitions", "list", "--entity", "contact",
                  env={"DIXA_API_KEY": "demo-key"})
        assert cli.returncode == 0, cli.stderr
        assert "[bold red]Eve[/]" not in cli.stdout  # definitions, not people
        assert "rtl_\ufffdexe.txt" in cli.stdout and "untyped_[select]" in cli.stdout
        assert "Warning: 9 definitions sent by Dixa could not be read" in cli.stderr
        for stream in (cli.stdout, cli.stderr):
            assert not any(ch in stream for ch in "\x1b\x07\x9b\x9d\u202e"), stream[:200]
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=10)
    assert "9 items dixa-tui cannot read as definitions" in err


def test_mock_serve_a_missing_org_file_is_explained():
    result = run("mock", "serve", "--port", str(_free_port()), "--org", "./hostile")
    assert result.returncode == 2 and "No such file" in result.stderr
    assert "Traceback" not in result.stderr
