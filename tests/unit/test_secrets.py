"""dixa_tui.secrets against in-memory keyrings: resolution order, error mapping, key hygiene.

The shared ``memory_keyring`` fixture (tests/conftest.py) is autouse; tests that need a
misbehaving backend install one of the small backends below with ``use_backend``.
"""

from __future__ import annotations

import pickle
import traceback
from collections.abc import Callable, Iterator
from types import SimpleNamespace

import keyring
import pytest
import secretstorage.exceptions as ss_exc
from jeepney.low_level import HeaderFields
from jeepney.wrappers import DBusErrorResponse
from keyring.backend import KeyringBackend
from keyring.backends import chainer, fail, null
from keyring.errors import (
    InitError,
    KeyringError,
    KeyringLocked,
    NoKeyringError,
    PasswordDeleteError,
)
from pydantic import SecretStr

from dixa_tui import secrets
from dixa_tui.secrets import (
    ENV_BACKEND,
    ENV_VAR,
    SERVICE,
    KeyResolution,
    KeyStoreError,
    backend_name,
    delete_key,
    resolve_key,
    store_key,
)

SENTINEL = "SENTINEL-dixa-key-7f3a9c"


class DictKeyring(KeyringBackend):
    """In-memory backend owned by this module, for chainer and refusal tests."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.store.pop((service, username), None) is None:
            raise PasswordDeleteError("not found")


class RaisingKeyring(KeyringBackend):
    """Every operation raises the exception ``make`` builds (given the password, if any)."""

    priority = 1  # type: ignore[assignment]

    def __init__(self, make: Callable[[str | None], BaseException]) -> None:
        super().__init__()
        self.make = make

    def get_password(self, service: str, username: str) -> str | None:
        raise self.make(None)

    def set_password(self, service: str, username: str, password: str) -> None:
        raise self.make(password)

    def delete_password(self, service: str, username: str) -> None:
        raise self.make(None)


class StickyKeyring(DictKeyring):
    """Claims to delete but keeps the item: a broken backend must not yield "deleted"."""

    def delete_password(self, service: str, username: str) -> None:
        return None


class AltFileKeyring(DictKeyring):
    """Pretends to be keyrings.alt's plaintext file backend."""


AltFileKeyring.__module__ = "keyrings.alt.file"


@pytest.fixture
def use_backend() -> Iterator[Callable[[KeyringBackend], KeyringBackend]]:
    """Install a backend for one test and put the previous one back afterwards."""
    previous = keyring.get_keyring()

    def install(backend: KeyringBackend) -> KeyringBackend:
        keyring.set_keyring(backend)
        return backend

    yield install
    keyring.set_keyring(previous)


def dbus_error(name: str, body: tuple[object, ...] = ()) -> DBusErrorResponse:
    msg = SimpleNamespace(header=SimpleNamespace(fields={HeaderFields.error_name: name}), body=body)
    return DBusErrorResponse(msg)


def assert_no_leak(err: BaseException) -> None:
    """The sentinel is in no message, repr, chained exception or local of secrets.py's frames.

    (The test's own frames hold the key, of course: only the library's frames are checked.)
    """
    assert SENTINEL not in str(err)
    assert SENTINEL not in repr(err)
    assert err.__cause__ is None
    assert err.__context__ is None
    assert SENTINEL not in "".join(traceback.format_exception(err))
    tb = err.__traceback__
    checked = 0
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == secrets.__file__:
            checked += 1
            for name, value in tb.tb_frame.f_locals.items():
                assert SENTINEL not in repr(value), f"sentinel in local {name!r}"
        tb = tb.tb_next
    assert checked, "the error was not raised from dixa_tui.secrets"


# -- resolution order --------------------------------------------------------------------


def test_env_var_wins_over_keyring(memory_keyring: KeyringBackend) -> None:
    memory_keyring.set_password(SERVICE, "default", "from-keyring")
    found = resolve_key("default", {ENV_VAR: "  from-env \n"})
    assert found.source == "env"
    assert found.key is not None
    assert found.key.get_secret_value() == "from-env"
    assert found.problem is None


def test_env_var_read_from_os_environ_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_VAR, "from-os-env")
    found = resolve_key("default")
    assert found.source == "env"
    assert found.key is not None and found.key.get_secret_value() == "from-os-env"


@pytest.mark.parametrize("env", [{}, {ENV_VAR: ""}, {ENV_VAR: "  \t\n"}])
def test_keyring_used_when_env_var_empty(memory_keyring: KeyringBackend, env: dict) -> None:
    memory_keyring.set_password(SERVICE, "default", "from-keyring")
    found = resolve_key("default", env)
    assert found.source == "keyring"
    assert found.key is not None and found.key.get_secret_value() == "from-keyring"
    assert found.backend == memory_keyring.name
    assert found.problem is None


def test_no_key_anywhere(memory_keyring: KeyringBackend) -> None:
    found = resolve_key("default", {})
    assert found == KeyResolution(None, None, memory_keyring.name, None)


def test_profiles_are_separate_accounts(memory_keyring: KeyringBackend) -> None:
    store_key("work", "key-work")
    store_key("play", "key-play")
    assert memory_keyring.get_password(SERVICE, "work") == "key-work"
    assert memory_keyring.get_password(SERVICE, "play") == "key-play"
    work = resolve_key("work", {}).key
    assert work is not None and work.get_secret_value() == "key-work"
    assert resolve_key("other", {}).key is None


def test_stored_whitespace_only_value_counts_as_none(memory_keyring: KeyringBackend) -> None:
    memory_keyring.set_password(SERVICE, "default", "   ")
    assert resolve_key("default", {}).key is None


# -- store / delete ------------------------------------------------------------------------


def test_store_delete_round_trip(memory_keyring: KeyringBackend) -> None:
    store_key("default", "  first-key\n")  # a pasted trailing newline is stripped
    assert memory_keyring.get_password(SERVICE, "default") == "first-key"
    store_key("default", "second-key")  # replaces
    found = resolve_key("default", {})
    assert found.key is not None and found.key.get_secret_value() == "second-key"
    assert delete_key("default") is True
    assert memory_keyring.get_password(SERVICE, "default") is None
    assert resolve_key("default", {}).key is None


def test_delete_missing_returns_false() -> None:
    assert delete_key("nobody") is False


def test_delete_that_does_not_delete_is_an_error(use_backend) -> None:
    sticky = use_backend(StickyKeyring())
    sticky.set_password(SERVICE, "default", SENTINEL)
    with pytest.raises(KeyStoreError) as info:
        delete_key("default")
    assert info.value.reason == "failed"
    assert ENV_VAR in str(info.value)
    assert_no_leak(info.value)


@pytest.mark.parametrize(
    ("key", "words"),
    [
        ("", "empty"),
        ("   \t ", "empty"),
        (f"{SENTINEL}\n{SENTINEL}", "single line"),
        (f"{SENTINEL}\r{SENTINEL}", "single line"),
        (f"{SENTINEL}\x1b[2J", "control characters"),
    ],
)
def test_bad_keys_rejected(memory_keyring: KeyringBackend, key: str, words: str) -> None:
    with pytest.raises(ValueError, match=words) as info:
        store_key("default", key)
    assert_no_leak(info.value)
    assert memory_keyring.get_password(SERVICE, "default") is None


# -- no backend ------------------------------------------------------------------------------


def no_backend_cases() -> list[Callable[[], KeyringBackend]]:
    def init_error(_pw: str | None) -> BaseException:
        err = InitError("Failed to create the collection")
        err.__cause__ = ss_exc.SecretServiceNotAvailableException("no bus")
        return err

    return [
        fail.Keyring,
        null.Keyring,
        lambda: RaisingKeyring(lambda _pw: NoKeyringError("No recommended backend")),
        lambda: RaisingKeyring(lambda _pw: ss_exc.SecretServiceNotAvailableException("no bus")),
        lambda: RaisingKeyring(init_error),
    ]


@pytest.mark.parametrize("make", no_backend_cases())
def test_no_backend(use_backend, make: Callable[[], KeyringBackend]) -> None:
    use_backend(make())
    with pytest.raises(KeyStoreError) as info:
        store_key("default", SENTINEL)
    err = info.value
    assert err.reason == "no-backend"
    assert "No OS keyring is available" in str(err)
    assert ENV_VAR in str(err)
    assert "session-only" not in str(err)  # the CLI has none; the key screen offers its own
    assert "keyrings.alt" not in str(err)  # unlike keyring's own message, never suggest it
    assert_no_leak(err)

    with pytest.raises(KeyStoreError) as info:
        delete_key("default")
    assert info.value.reason == "no-backend"

    found = resolve_key("default", {})
    assert found.key is None and found.source is None
    assert found.problem is not None and ENV_VAR in found.problem
    assert found.problem == str(err)


def test_fail_backend_name(use_backend) -> None:
    use_backend(fail.Keyring())
    assert backend_name() == "none (no OS keyring available)"
    assert resolve_key("default", {}).backend == "none (no OS keyring available)"


def test_env_var_still_works_without_backend(use_backend) -> None:
    use_backend(fail.Keyring())
    found = resolve_key("default", {ENV_VAR: "k"})
    assert found.source == "env" and found.problem is None
    assert found.backend == ENV_BACKEND  # the keyring was not even asked


def test_chainer_without_backends_is_no_backend(use_backend, monkeypatch) -> None:
    monkeypatch.setattr(chainer.ChainerBackend, "backends", [])
    use_backend(chainer.ChainerBackend())
    assert backend_name() == "none (no OS keyring available)"
    with pytest.raises(KeyStoreError) as info:
        store_key("default", SENTINEL)  # the chainer itself would silently drop the key
    assert info.value.reason == "no-backend"


def test_keyrings_alt_file_backend_refused(use_backend) -> None:
    alt = use_backend(AltFileKeyring())
    with pytest.raises(KeyStoreError) as info:
        store_key("default", SENTINEL)
    assert info.value.reason == "no-backend"
    assert "file" in str(info.value)
    assert alt.store == {}
    assert backend_name() == "none (no OS keyring available)"


def test_chainer_skips_keyrings_alt(use_backend, monkeypatch) -> None:
    alt, real = AltFileKeyring(), DictKeyring()
    alt.set_password(SERVICE, "default", "plaintext-key")
    monkeypatch.setattr(chainer.ChainerBackend, "backends", [alt, real])
    use_backend(chainer.ChainerBackend())
    assert backend_name() == real.name
    assert resolve_key("default", {}).key is None  # the file backend is not even read
    store_key("default", "k")
    assert real.store == {(SERVICE, "default"): "k"}
    assert alt.store == {(SERVICE, "default"): "plaintext-key"}


def test_backend_name_never_raises(monkeypatch) -> None:
    def broken() -> KeyringBackend:
        raise RuntimeError("config file is broken")

    monkeypatch.setattr(keyring, "get_keyring", broken)
    assert backend_name() == "none (no OS keyring available)"


# -- locked and other failures ---------------------------------------------------------------


def locked_cases() -> list[Callable[[str | None], BaseException]]:
    def wrapped(_pw: str | None) -> BaseException:
        err = KeyringError("Failed to unlock")
        err.__cause__ = ss_exc.PromptDismissedException("Prompt dismissed.")
        return err

    return [
        lambda _pw: KeyringLocked("Failed to unlock the collection!"),
        lambda _pw: ss_exc.LockedException("Item is locked!"),
        lambda _pw: ss_exc.PromptDismissedException("Prompt dismissed."),
        wrapped,
    ]


@pytest.mark.parametrize("make", locked_cases())
def test_locked(use_backend, make) -> None:
    use_backend(RaisingKeyring(make))
    for call in (lambda: store_key("default", SENTINEL), lambda: delete_key("default")):
        with pytest.raises(KeyStoreError) as info:
            call()
        err = info.value
        assert err.reason == "locked"
        assert str(err).startswith("The OS keyring is locked: unlock it")
        assert ENV_VAR in str(err)
        assert_no_leak(err)
    found = resolve_key("default", {})
    assert found.key is None
    assert found.problem is not None and "locked" in found.problem and ENV_VAR in found.problem


@pytest.mark.parametrize(
    ("make", "label"),
    [
        (lambda pw: KeyringError(f"could not store {pw}"), "KeyringError"),
        (lambda pw: RuntimeError(f"boom {pw}"), "RuntimeError"),
        (lambda pw: ss_exc.ItemNotFoundException(f"no {pw}"), "ItemNotFoundException"),
        (lambda pw: TimeoutError(), "TimeoutError"),
        (
            lambda pw: dbus_error("org.freedesktop.DBus.Error.NoReply", (f"{pw}",)),
            "DBusErrorResponse: org.freedesktop.DBus.Error.NoReply",
        ),
        (lambda pw: dbus_error(f"not a name {pw}"), "DBusErrorResponse"),
    ],
)
def test_other_failures_name_the_type_not_the_text(use_backend, make, label: str) -> None:
    use_backend(RaisingKeyring(make))
    with pytest.raises(KeyStoreError) as info:
        store_key("default", SENTINEL)
    err = info.value
    assert err.reason == "failed"
    assert f"({label})" in str(err) or f": {label}." in str(err)
    assert "Could not save the API key in the OS keyring" in str(err)
    assert ENV_VAR in str(err)
    assert_no_leak(err)

    found = resolve_key("default", {})
    assert found.key is None
    assert found.problem is not None and found.problem.startswith("Could not read the API key")


# -- key hygiene ---------------------------------------------------------------------------


def test_sentinel_never_in_repr_of_resolution(memory_keyring: KeyringBackend) -> None:
    from_env = resolve_key("default", {ENV_VAR: SENTINEL})
    store_key("default", SENTINEL)
    from_keyring = resolve_key("default", {})
    for found in (from_env, from_keyring):
        assert isinstance(found.key, SecretStr)
        assert found.key.get_secret_value() == SENTINEL
        assert SENTINEL not in repr(found)
        assert SENTINEL not in str(found)


def test_key_store_error_pickles() -> None:
    err = pickle.loads(pickle.dumps(KeyStoreError("locked", "msg")))
    assert (err.reason, str(err)) == ("locked", "msg")


def test_public_interface() -> None:
    assert SERVICE == "dixa-tui"
    assert ENV_VAR == "DIXA_API_KEY"
    assert set(secrets.__all__) == {
        "ENV_BACKEND",
        "ENV_VAR",
        "SERVICE",
        "check_key",
        "KeyResolution",
        "KeyStoreError",
        "backend_name",
        "delete_key",
        "resolve_key",
        "store_key",
    }


def test_unusable_env_key_is_explained_not_used() -> None:
    found = resolve_key("default", {ENV_VAR: "sk-abc\ndef"})
    assert found.key is None and found.source is None
    assert found.problem is not None and ENV_VAR in found.problem
    assert "sk-abc" not in found.problem and "line break" in found.problem
