"""dixa_tui.secrets against a real gnome-keyring Secret Service (see conftest.py).

These prove what the in-memory tests cannot: the key really lands in the OS keyring under
service "dixa-tui" / account = profile, it is encrypted on disk, and a locked keyring gives
a clear "locked" error instead of a prompt that hangs a headless session.
"""

from __future__ import annotations

import base64
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import keyring
import pytest
import secretstorage
from keyring.backends import SecretService, fail

from dixa_tui.secrets import (
    ENV_VAR,
    SERVICE,
    KeyStoreError,
    backend_name,
    delete_key,
    resolve_key,
    store_key,
)

if TYPE_CHECKING:  # conftest.py is not importable at run time (tests/ is not a package)
    from tests.keyring.conftest import PrivateKeyring

pytestmark = [pytest.mark.keyring, pytest.mark.timeout(60)]

SENTINEL = "SENTINEL-real-keyring-4b1d2e"
# Long enough for a slow CI machine, far shorter than the test timeout, so a blocked call
# fails with a message that says what happened.
CALL_TIMEOUT = 15.0

T = TypeVar("T")


def within(seconds: float, call: Callable[[], T]) -> T:
    """Run ``call`` in a daemon thread and fail if it blocks (e.g. on an unlock prompt)."""
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = call()
        except BaseException as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        pytest.fail(f"keyring call still blocked after {seconds} s (waiting for a prompt?)")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def test_store_then_resolve_from_secret_service(secret_service: PrivateKeyring) -> None:
    store_key("default", SENTINEL)
    found = resolve_key("default", {})
    assert found.source == "keyring"
    assert found.key is not None and found.key.get_secret_value() == SENTINEL
    assert found.problem is None
    assert "SecretService" in found.backend
    assert "SecretService" in backend_name()
    assert SENTINEL not in repr(found)


def test_stored_under_service_and_profile_account(secret_service: PrivateKeyring) -> None:
    store_key("work", SENTINEL)
    # Read back without dixa_tui: any keyring client (or secret-tool) finds it.
    assert keyring.get_password(SERVICE, "work") == SENTINEL
    with secret_service.connection() as conn:
        items = list(secretstorage.search_items(conn, {"service": SERVICE, "username": "work"}))
        assert len(items) == 1
        assert items[0].get_secret() == SENTINEL.encode()


def test_delete(secret_service: PrivateKeyring) -> None:
    store_key("default", SENTINEL)
    assert delete_key("default") is True
    assert keyring.get_password(SERVICE, "default") is None
    assert resolve_key("default", {}).key is None
    assert delete_key("default") is False


def test_delete_removes_duplicates_from_other_tools(secret_service: PrivateKeyring) -> None:
    store_key("default", "from-dixa-tui")
    with secret_service.connection() as conn:
        # What `secret-tool store service dixa-tui username default` would create.
        collection = secretstorage.get_default_collection(conn)
        collection.create_item(
            "by hand", {"service": SERVICE, "username": "default"}, b"from-elsewhere"
        )
    assert delete_key("default") is True
    assert resolve_key("default", {}).key is None


def test_profiles_are_separate_accounts(secret_service: PrivateKeyring) -> None:
    store_key("work", "key-work")
    store_key("play", "key-play")
    assert keyring.get_password(SERVICE, "work") == "key-work"
    assert keyring.get_password(SERVICE, "play") == "key-play"
    assert delete_key("work") is True
    play = resolve_key("play", {}).key
    assert play is not None and play.get_secret_value() == "key-play"
    assert resolve_key("work", {}).key is None


def test_store_replaces_previous_key(secret_service: PrivateKeyring) -> None:
    store_key("default", "old")
    store_key("default", "new")
    with secret_service.connection() as conn:
        items = list(secretstorage.search_items(conn, {"service": SERVICE, "username": "default"}))
        assert [item.get_secret() for item in items] == [b"new"]


def test_env_var_wins_without_touching_keyring(secret_service: PrivateKeyring) -> None:
    store_key("default", "from-keyring")
    secret_service.lock()  # reading the keyring now would fail; the env var must not need it
    found = within(CALL_TIMEOUT, lambda: resolve_key("default", {ENV_VAR: "from-env"}))
    assert found.source == "env" and found.problem is None
    assert found.key is not None and found.key.get_secret_value() == "from-env"


def test_locked_keyring_fails_fast_with_locked_reason(secret_service: PrivateKeyring) -> None:
    """Locking the collection, then using it, must give "locked" quickly, never a hang.

    Observed with gnome-keyring 42 and no display: the Unlock call returns a prompt,
    gnome-keyring asks D-Bus to start gcr-prompter, that exits ("cannot open display"),
    the prompt completes as dismissed, and keyring raises KeyringLocked. Each call takes
    a few tens of milliseconds.
    """
    store_key("default", SENTINEL)
    secret_service.lock()

    started = time.monotonic()
    with pytest.raises(KeyStoreError) as info:
        within(CALL_TIMEOUT, lambda: store_key("default", "another-key"))
    err = info.value
    assert err.reason == "locked"
    assert str(err).startswith("The OS keyring is locked: unlock it")
    assert ENV_VAR in str(err)
    assert "another-key" not in str(err)
    assert err.__cause__ is None and err.__context__ is None

    found = within(CALL_TIMEOUT, lambda: resolve_key("default", {}))
    assert found.key is None and found.source is None
    assert found.problem is not None
    assert found.problem.startswith("The OS keyring is locked") and ENV_VAR in found.problem

    with pytest.raises(KeyStoreError) as info:
        within(CALL_TIMEOUT, lambda: delete_key("default"))
    assert info.value.reason == "locked"
    assert time.monotonic() - started < CALL_TIMEOUT
    assert secret_service.is_locked()  # nothing unlocked it behind our back

    # Once the user unlocks it, the stored key is there again: "locked" lost nothing.
    secret_service.unlock()
    again = resolve_key("default", {})
    assert again.source == "keyring"
    assert again.key is not None and again.key.get_secret_value() == SENTINEL


def test_never_unlocked_keyring_reports_locked(
    start_keyring: Callable[..., PrivateKeyring], monkeypatch: pytest.MonkeyPatch
) -> None:
    """gnome-keyring running with no login keyring (a server where it was only activated).

    Observed: creating the default collection needs a prompt, the prompt is dismissed, and
    keyring raises InitError caused by PromptDismissedException, which reads as "locked".
    """
    fresh = start_keyring(unlock=False)
    previous = keyring.get_keyring()
    try:
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", fresh.address)
        keyring.set_keyring(SecretService.Keyring())
        with pytest.raises(KeyStoreError) as info:
            within(CALL_TIMEOUT, lambda: store_key("default", SENTINEL))
        assert info.value.reason == "locked"
        assert SENTINEL not in str(info.value)
        found = within(CALL_TIMEOUT, lambda: resolve_key("default", {}))
        assert found.key is None
        assert found.problem is not None and found.problem.startswith("The OS keyring is locked")
    finally:
        keyring.set_keyring(previous)


def test_no_backend(secret_service: PrivateKeyring) -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        with pytest.raises(KeyStoreError) as info:
            store_key("default", SENTINEL)
        assert info.value.reason == "no-backend"
        assert ENV_VAR in str(info.value)
        found = resolve_key("default", {})
        assert found.key is None and found.source is None
        assert found.problem is not None and ENV_VAR in found.problem
        assert found.backend == "none (no OS keyring available)"
    finally:
        keyring.set_keyring(previous)


def test_key_is_not_in_plaintext_on_disk(secret_service: PrivateKeyring) -> None:
    store_key("default", SENTINEL)
    assert keyring.get_password(SERVICE, "default") == SENTINEL  # it was really stored

    needles = [SENTINEL.encode(), SENTINEL.encode("utf-16-le"), base64.b64encode(SENTINEL.encode())]
    files = [
        path
        for folder in secret_service.state_dirs()
        for path in folder.rglob("*")
        if path.is_file() and not path.is_symlink()
    ]
    keyrings = [path for path in files if path.suffix == ".keyring"]
    assert keyrings, f"gnome-keyring wrote no keyring file: {files}"
    assert all(path.stat().st_size > 0 for path in keyrings)
    for path in [*files, secret_service.log_path]:
        content = path.read_bytes()
        for needle in needles:
            assert needle not in content, f"the key is readable in {path}"
