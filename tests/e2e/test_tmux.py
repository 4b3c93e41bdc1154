"""The real app in a real terminal: tmux runs ``python -m dixa_tui --demo`` in a 100x30 pane,
``send-keys`` types, ``capture-pane`` reads what a user would see.

The tmux server is private to the test (its own ``-L`` socket, no config file) and is
killed when the test ends, so the developer's own tmux is never touched. The app gets the
test's isolated environment (HOME, XDG dirs, DIXA_TUI_CONFIG from tests/conftest.py).
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.tmux,
    pytest.mark.skipif(shutil.which("tmux") is None,
                       reason="tmux is not on PATH (apt-get install tmux)"),
]

WIDTH, HEIGHT = 100, 30
LIST_WIDTH = 50  # the definitions list is the left half of the screen, the detail the right
WAIT = 20.0  # seconds: the upper bound of every wait, not a sleep
POLL = 0.1


class Pane:
    """One tmux session on a private server, running the app."""

    def __init__(self, socket_name: str, session: str, env: dict[str, str],
                 status_file: Path) -> None:
        self.socket_name = socket_name
        self.session = session
        self.env = env
        self.status_file = status_file
        self.screens: list[str] = []  # every capture, to check them all for escape leaks

    def tmux(self, *args: str, check: bool = True) -> str:
        result = subprocess.run(["tmux", "-L", self.socket_name, *args], env=self.env,
                                capture_output=True, text=True, timeout=10)
        if check and result.returncode != 0:
            raise AssertionError(f"tmux {' '.join(args)} failed: {result.stderr.strip()}")
        return result.stdout

    def start(self, command: list[str]) -> None:
        # sh records the exit status: tmux's own #{pane_dead_status} is not reliable here
        # (tmux 3.3a sometimes leaves the exited app a zombie it never reaps).
        # remain-on-exit keeps the last screen for the error messages.
        script = f"{shlex.join(command)}; echo $? > {shlex.quote(str(self.status_file))}"
        self.tmux("-f", os.devnull, "new-session", "-d", "-x", str(WIDTH), "-y", str(HEIGHT),
                  "-s", self.session, shlex.join(["sh", "-c", script]),
                  ";", "set-option", "-t", self.session, "remain-on-exit", "on")

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", self.session, *keys)

    def type(self, text: str) -> None:
        self.tmux("send-keys", "-t", self.session, "-l", text)

    def screen(self) -> str:
        text = self.tmux("capture-pane", "-p", "-t", self.session)
        self.screens.append(text)
        return text

    def wait_for(self, predicate: Callable[[str], bool], what: str,
                 timeout: float = WAIT) -> str:
        deadline = time.monotonic() + timeout
        while True:
            text = self.screen()
            if predicate(text):
                return text
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}; "
                                     f"the screen was:\n{text}")
            time.sleep(POLL)

    def wait_text(self, *needles: str) -> str:
        return self.wait_for(lambda s: all(n in s for n in needles),
                             " and ".join(repr(n) for n in needles))

    def wait_gone(self, *needles: str) -> str:
        return self.wait_for(lambda s: not any(n in s for n in needles),
                             " and ".join(repr(n) for n in needles) + " to disappear")

    def exit_status(self) -> int | None:
        """The app's exit status once it has exited, else None."""
        try:
            text = self.status_file.read_text().strip()
        except FileNotFoundError:
            return None
        return int(text) if text.isdigit() else None


def list_area(screen: str) -> str:
    return "\n".join(line[:LIST_WIDTH] for line in screen.splitlines())


@pytest.fixture
def pane(isolated_dirs: Path) -> Iterator[Pane]:
    """A private tmux server whose environment is this test's isolated one."""
    # the server's socket (TMUX_TMPDIR) and the exit status live in a directory of our own
    socket_dir = tempfile.mkdtemp(prefix="dixa-tmux-")
    env = {**os.environ, "TERM": "xterm-256color", "COLORTERM": "truecolor",
           "TMUX_TMPDIR": socket_dir}
    env.pop("TMUX", None)
    env.pop("TMUX_PANE", None)
    p = Pane(f"dixa-tui-test-{uuid.uuid4().hex[:8]}", "dixa-e2e", env,
             Path(socket_dir) / "exit-status")
    try:
        yield p
    finally:
        p.tmux("kill-server", check=False)
        shutil.rmtree(socket_dir, ignore_errors=True)


def test_main_flow_in_a_real_terminal(pane: Pane) -> None:
    # tmux sets the pane's TERM from its own default-terminal: set ours on the command line
    pane.start(["env", "TERM=xterm-256color", "COLORTERM=truecolor",
                sys.executable, "-m", "dixa_tui", "--demo"])
    first = pane.wait_text("DEMO", "Contact reason")
    assert "dixa-tui" in first and "profile demo" in first
    assert "Tracking number" in first

    # filter: only the matching definition is left in the list
    pane.keys("/")
    pane.wait_text("Filter: label")
    pane.type("order num")
    filtered = pane.wait_for(lambda s: re.search(r"\b1 of \d+", s) is not None
                             and "Tracking number" not in s, "the filter to leave 1 row")
    pane.keys("Enter")
    assert "Order number" in list_area(filtered)
    assert "Contact reason" not in list_area(filtered)

    # one esc clears the filter and closes its box: the next / starts a new filter. The esc
    # must land before the next key: Textual reads ESC + key within ESCAPE_DELAY as alt+key.
    pane.keys("Escape")
    cleared = pane.wait_for(lambda s: "Filter: label" not in s and "Contact reason" in s
                            and "Tracking number" in s, "the filter box to close")
    assert re.search(r"\b1 of \d+", cleared) is None
    pane.keys("/")
    reopened = pane.wait_text("Filter: label")
    assert "/" not in next(line for line in reopened.splitlines() if "Filter: label" in line)
    pane.keys("Escape")
    pane.wait_gone("Filter: label")

    # target: look the demo end user up by email and choose her
    pane.keys("t")
    pane.wait_text("UUID, email, phone or external id")
    pane.type("astrid.lindqvist@example.com")
    pane.keys("Enter")
    pane.wait_text("Astrid Lindqvist ·")
    pane.keys("Enter")
    chosen = pane.wait_for(
        lambda s: "Target · whose values" not in s
        and any(line.lstrip().startswith("Target:") and "Astrid Lindqvist" in line
                for line in s.splitlines()),
        "the target bar to show Astrid Lindqvist")
    assert "end user" in chosen

    # help
    pane.keys("?")
    pane.wait_text("Binding id", "app.quit")
    pane.keys("Escape")
    pane.wait_gone("Binding id")

    # quit: the process exits cleanly
    pane.keys("C-q")
    deadline = time.monotonic() + WAIT
    while (status := pane.exit_status()) is None:
        assert time.monotonic() < deadline, f"the app did not exit:\n{pane.screen()}"
        time.sleep(POLL)
    assert status == 0, f"the app exited with status {status}:\n{pane.screen()}"

    for text in pane.screens:
        assert "\x1b" not in text and "\\x1b" not in text, text


def test_no_keyring_machine_in_a_real_terminal(pane: Pane, serve_mock, home: Path) -> None:
    """A server with no D-Bus session bus, so no keyring at all: the key screen says so, saving
    is refused with the way forward, and a session-only key opens the organization."""
    key = "sk_tmux_no_keyring_51c9"
    url, _, _ = serve_mock(api_key=key)
    runtime = home / "run-user"
    runtime.mkdir(mode=0o700)
    pane.start(["env", "-u", "DBUS_SESSION_BUS_ADDRESS", "-u", "DISPLAY",
                "-u", "WAYLAND_DISPLAY", f"XDG_RUNTIME_DIR={runtime}",
                "TERM=xterm-256color", "COLORTERM=truecolor",
                sys.executable, "-m", "dixa_tui", "--base-url", url])
    # The footer follows the screen's bindings a frame later: wait for the settled picture.
    first = pane.wait_for(lambda s: "No OS keyring is available" in s and "DIXA_API_KEY" in s
                          and "Save to keyring" not in s,
                          "the key screen without a keyring, its footer settled")
    assert "none (no OS keyring available)" in first
    assert "Save to keyring" not in first  # nothing to save in: not offered, and said why
    pane.type(key)
    pane.keys("Enter")  # enter would save: it says why it cannot, and what works
    refused = pane.wait_text("Not saved: no OS keyring is available")
    assert key not in refused and "Use for this session only" in refused
    pane.keys("Enter")  # the focused "Use for this session only" button
    pane.wait_text("Contact reason", "Tracking number")
    pane.keys("C-q")
    deadline = time.monotonic() + WAIT
    while (status := pane.exit_status()) is None:
        assert time.monotonic() < deadline, f"the app did not exit:\n{pane.screen()}"
        time.sleep(POLL)
    assert status == 0, f"the app exited with status {status}:\n{pane.screen()}"
    assert not any(key in text for text in pane.screens)


def test_find_screen_in_a_real_terminal(pane: Pane) -> None:
    """The Find screen as a user drives it: F, a condition added with the pickers, f5 runs
    it, the matches fill the table, space marks one, esc goes back."""
    pane.start(["env", "TERM=xterm-256color", "COLORTERM=truecolor",
                sys.executable, "-m", "dixa_tui", "--demo"])
    pane.wait_text("DEMO", "Contact reason")
    pane.keys("F")
    pane.wait_text("Find conversations", "Conditions", "created since 7d (")
    pane.keys("a")
    pane.wait_text("Add a condition", "What to test")
    pane.type("contact")
    pane.wait_for(lambda s: "contact_reason · Select" in s and "Created since" not in s,
                  "the list to narrow to Contact reason")
    pane.keys("Enter")  # the first match
    pane.wait_text("How to test it", "is not empty")
    pane.keys("Down")
    pane.keys("Enter")
    built = pane.wait_text("Contact reason is not empty",
                           "--created-since 7d --where 'contact_reason is not empty'")
    assert "Add a condition" not in built
    pane.keys("F5")
    finished = re.compile(r"Done · (\d+) match(?s:.*)\b0 of \1 marked")
    done = pane.wait_for(lambda s: finished.search(s) is not None,
                         "the find to finish and its rows to be counted")
    found = finished.search(done)
    assert found is not None
    matches = int(found.group(1))
    assert matches > 0
    assert re.search(r"#\d{5}", done)  # the rows, by conversation number
    pane.keys("Space")
    pane.wait_text(f"1 of {matches} marked")
    pane.keys("Escape")
    pane.wait_for(lambda s: "Find conversations" not in s and "Tracking number" in s,
                  "the main screen again")
def test_bulk_edit_in_a_real_terminal(pane: Pane, serve_mock) -> None:
    """Mark five of a user's conversations (space, shift+down), stage one edit, review the
    plan, send it, see the results: in a real terminal, against the mock over loopback."""
    from dixa_tui.mock import DEMO_API_KEY
    from dixa_tui.mock.demo import DEMO_END_USER_ID

    url, state, knobs = serve_mock()
    order_number = next(d.id for d in state.definitions if d.identifier == "order_number")
    newest = sorted((c.id for c in state.conversations_of(DEMO_END_USER_ID)), reverse=True)
    pane.start(["env", f"DIXA_API_KEY={DEMO_API_KEY}", "TERM=xterm-256color",
                "COLORTERM=truecolor", sys.executable, "-m", "dixa_tui", "--base-url", url])
    pane.wait_text("LOCAL", "Contact reason")

    pane.keys("t")
    pane.wait_text("UUID, email, phone or external id")
    pane.type("astrid.lindqvist@example.com")
    pane.keys("Enter")
    pane.wait_text("Astrid Lindqvist ·")
    pane.keys("C-o")
    pane.wait_text("24 conversations, newest first")
    pane.keys("Space", "S-Down", "S-Down", "S-Down", "S-Down")
    pane.wait_text("5 marked")
    pane.keys("e")
    pane.wait_text("Edit 5 conversations", "Conversation attributes",
                   "(each target's own)")
    pane.keys("g", "Enter")
    pane.wait_text("Typing sets the value")  # the cursor is in the value's input
    pane.type("900-1")
    pane.keys("Enter")
    pane.wait_text("Order number: -> 900-1")

    pane.keys("C-t")
    review = pane.wait_text("5 to change", "to send")
    assert review.count("to send") >= 5 and "900-1" in review
    assert knobs.writes == 0  # the review sends nothing
    pane.keys("C-t")
    pane.wait_text("Send to Dixa?", "Send 5 values to 5 conversations?")
    pane.keys("y")
    done = pane.wait_text("Batch b-", "5 sent", "Done")
    assert done.count("sent ✔") >= 5
    for number in newest[:5]:
        assert state.conversation_values(number)[order_number] == "900-1"
    assert sum(state.writes.values()) == 5

    pane.keys("Escape")  # the results close the bulk editor too: back to the dialog
    pane.wait_text("5 marked")
    pane.keys("C-q")
    deadline = time.monotonic() + WAIT
    while (status := pane.exit_status()) is None:
        assert time.monotonic() < deadline, f"the app did not exit:\n{pane.screen()}"
        time.sleep(POLL)
    assert status == 0, f"the app exited with status {status}:\n{pane.screen()}"
    for text in pane.screens:
        assert "\x1b" not in text and "\\x1b" not in text, text


def test_suspended_and_resumed_it_draws_its_screen_again(pane: Pane) -> None:
    """Stopped (SIGTSTP) and brought back with the shell's ``fg``: the whole screen is drawn
    again (the terminal showed the shell meanwhile), and the terminal is given back as it
    was at the end."""
    import signal

    pane.start(["env", "TERM=xterm-256color", "COLORTERM=truecolor", "PS1=PROMPT$ ",
                "bash", "--norc", "--noprofile", "-i"])
    pane.wait_text("PROMPT$")
    here = shlex.quote(str(pane.status_file.parent))  # the test's own temporary directory
    pane.type(f"cd {here}; stty -g > before; {shlex.quote(sys.executable)} -m dixa_tui --demo")
    pane.keys("Enter")
    pane.wait_text("Contact reason", "Detail · Text")
    def children(pid: int) -> list[int]:
        found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
        return [int(p) for p in found.stdout.split()]

    wrapper = int(pane.tmux("display", "-p", "-t", pane.session, "#{pane_pid}").strip())
    shell = children(wrapper)[0]  # sh (which records the exit status), then bash
    app = children(shell)[0]
    os.kill(app, signal.SIGTSTP)
    pane.wait_text("Stopped")
    pane.type("fg")
    pane.keys("Enter")
    back = pane.wait_text("Contact reason", "Detail · Text", "Order number")
    assert "Stopped" not in back
    pane.keys("C-q")
    pane.wait_text("PROMPT$")
    pane.type("stty -g > after; cmp before after && echo SAME-TERMINAL")
    pane.keys("Enter")
    pane.wait_text("SAME-TERMINAL")
