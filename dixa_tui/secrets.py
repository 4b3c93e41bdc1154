"""Where the Dixa API key lives: ``DIXA_API_KEY``, then the OS keyring, never a file.

The key grants full access to someone's Dixa organization, so it is treated as radioactive:

- It is read from the environment first, so CI jobs and scripts never need a keyring.
- Otherwise it lives in the OS keyring (Secret Service, macOS Keychain, Windows Credential
  Locker) under service ``dixa-tui`` with the profile name as the account.
- There is no plaintext fallback. Backends that write files (``keyrings.alt``) are refused
  even when installed, because "keyring said OK" must mean "encrypted by the OS".
- It leaves this module only wrapped (``api.secret.Secret`` from :func:`find_key`, a
  ``pydantic.SecretStr`` from :func:`resolve_key`), so a ``repr`` or a traceback shows
  ``**********``. Error messages name the problem and the way out, never the key, and
  library exceptions are not chained onto ours, because their frames and texts may hold it.

``keyring`` is imported lazily: it costs ~60 ms to import, and the CLI with ``DIXA_API_KEY``
set or ``--demo`` should not pay for it.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Literal, TypeVar

from dixa_tui.api.keyrule import check_key
from dixa_tui.api.secret import Secret, SecretLike
from dixa_tui.debuglog import register_secret

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

__all__ = [
    "ENV_BACKEND",
    "ENV_VAR",
    "SERVICE",
    "KeyResolution",
    "KeyStoreError",
    "backend_name",
    "check_key",
    "delete_key",
    "resolve_key",
    "store_key",
]

SERVICE = "dixa-tui"
ENV_VAR = "DIXA_API_KEY"
ENV_BACKEND = f"not consulted ({ENV_VAR} is set)"

Reason = Literal["no-backend", "locked", "failed"]
Source = Literal["env", "keyring"]

_NO_BACKEND = "none (no OS keyring available)"
# Deleting loops over duplicates (another tool may have stored a second item with the same
# attributes), but never forever if a backend claims success without removing anything.
_MAX_DELETES = 16
# secretstorage is matched by class name so that this module never imports it (it pulls in
# jeepney and cryptography) and still works on macOS and Windows, where it is absent.
_LOCKED_TYPES = frozenset(
    {
        "secretstorage.exceptions.LockedException",
        "secretstorage.exceptions.PromptDismissedException",
    }
)
_UNAVAILABLE_TYPES = frozenset({"secretstorage.exceptions.SecretServiceNotAvailableException"})
_DBUS_ERROR_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+")

_T = TypeVar("_T")


class KeyStoreError(Exception):
    """The OS keyring could not be used.

    ``str()`` is a complete, user-facing sentence: what is wrong and what to do, always
    naming ``DIXA_API_KEY`` as the way around the keyring. It never contains the key.
    ``reason`` lets callers choose a reaction (offer a session-only key, ask to unlock)
    without parsing the text.
    """

    def __init__(self, reason: Reason, message: str) -> None:
        super().__init__(message)
        self.reason: Reason = reason
        self.message = message

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> tuple[type[KeyStoreError], tuple[Reason, str]]:
        return (type(self), (self.reason, self.message))


@dataclass(frozen=True)
class KeyResolution:
    """The outcome of looking for a profile's key, ready to show in "auth status" or the TUI.

    ``key`` is wrapped (a ``Secret`` or a ``SecretStr``) so that printing or logging a
    resolution cannot leak it.
    ``problem`` is set when the keyring could not be read: the key may still exist, and the
    user needs to know why it was not found rather than just "no key"; ``reason`` is the
    ``KeyStoreError.reason`` behind it, so callers choose the way out without parsing it.
    """

    key: SecretLike | None
    source: Source | None
    backend: str
    problem: str | None
    reason: Reason | None = None


def backend_name() -> str:
    """The keyring backend that would be used, in words, for status screens and errors.

    Never raises: a status line must not crash the screen that shows it.
    """
    try:
        usable, _ = _inspect_backends()
    except Exception:
        return _NO_BACKEND
    if not usable:
        return _NO_BACKEND
    return " + ".join(_describe(backend) for backend in usable)


def environment_key_set(environ: Mapping[str, str] | None = None) -> bool:
    """Whether ``DIXA_API_KEY`` holds something (never what)."""
    env = os.environ if environ is None else environ
    return bool((env.get(ENV_VAR) or "").strip())


def resolve_key(profile: str, environ: Mapping[str, str] | None = None, *,
                use_env: bool = True) -> KeyResolution:
    """:func:`find_key`, the key as a pydantic ``SecretStr`` (for callers that have pydantic
    loaded anyway: ``auth status``, the key screen)."""
    from pydantic import SecretStr

    found = find_key(profile, environ, use_env=use_env)
    if found.key is None:
        return found
    return replace(found, key=SecretStr(found.key.get_secret_value()))


def find_key(profile: str, environ: Mapping[str, str] | None = None, *,
             use_env: bool = True) -> KeyResolution:
    """Find the key for ``profile``: ``DIXA_API_KEY`` -> OS keyring -> none.

    The environment wins so that a one-off override never touches (or prompts to unlock)
    the keyring; ``use_env`` False skips it (another profile than the run's own: the
    variable's key must not travel to that profile's host). Keyring problems never raise:
    they are reported in ``.problem``, because the caller's next step (ask for a key,
    explain, exit 2) is the same as for "no key". Imports neither pydantic nor (with
    ``DIXA_API_KEY`` set) the keyring: the first request of a start waits for this.
    """
    env = os.environ if environ is None else environ
    from_env = Secret((env.get(ENV_VAR) or "").strip() if use_env else "")
    if from_env.get_secret_value():
        # The keyring is not even imported: a script with the variable set never waits
        # on a D-Bus probe or an unlock prompt.
        problem = check_key(from_env)
        if problem is not None:
            return KeyResolution(None, None, ENV_BACKEND,
                                 f"{ENV_VAR} is set but unusable. {problem} Fix or unset it.")
        register_secret(from_env)
        return KeyResolution(from_env, "env", ENV_BACKEND, None)
    try:
        stored = _guarded("read the API key from", _read, profile)
    except KeyStoreError as exc:
        return KeyResolution(None, None, backend_name(), exc.message, exc.reason)
    stored = (stored or "").strip()
    if not stored:
        return KeyResolution(None, None, backend_name(), None)
    register_secret(stored)
    secret = Secret(stored)
    del stored
    problem = check_key(secret)
    if problem is not None:
        # A key another tool stored, or one stored before the rule: used, it would only fail
        # later in the client; reported, the user knows what to replace.
        return KeyResolution(None, None, backend_name(),
                             f"Stored key unusable: the key in the OS keyring for profile "
                             f"{profile!r} cannot be sent to Dixa. {problem} Store it again "
                             f"with `dixa-tui --profile {profile} auth set`.")
    return KeyResolution(secret, "keyring", backend_name(), None)


def store_key(profile: str, key: str) -> None:
    """Save ``key`` for ``profile`` in the OS keyring, replacing any previous one.

    Surrounding whitespace (a pasted newline) is stripped. Raises ``ValueError`` with
    ``check_key``'s sentence for a key that cannot be sent (empty, line breaks, control or
    non-ASCII characters, too long), and ``KeyStoreError`` when the keyring cannot take it.
    There is no fallback.
    """
    secret = Secret(key.strip())
    # From here on only the Secret is a local, so a traceback printed with its locals
    # (Textual and rich do that) shows "**********" instead of the key.
    del key
    register_secret(secret)  # before the keyring sees it: its errors may quote it
    problem = check_key(secret)
    if problem is not None:
        raise ValueError(problem)
    _guarded("save the API key in", _write, profile, secret)


def delete_key(profile: str) -> bool:
    """Remove the key for ``profile`` from the OS keyring.

    Returns True if a key was deleted and False if there was none, so "auth clear" can say
    which. Raises ``KeyStoreError`` when the keyring cannot be used or the key stays behind.
    """
    return _guarded("delete the API key from", _delete, profile)


# -- keyring access ------------------------------------------------------------------------


def _inspect_backends() -> tuple[list[KeyringBackend], str]:
    """The backends we may use, and, when there are none, why (for the error message).

    A ``ChainerBackend`` is unpacked so that a ``keyrings.alt`` file backend inside it is
    dropped too, rather than trusting the chain's first choice.
    """
    import keyring
    from keyring.backends import chainer

    current = keyring.get_keyring()
    candidates = (
        list(current.backends) if isinstance(current, chainer.ChainerBackend) else [current]
    )
    usable = [backend for backend in candidates if _refusal(backend) is None]
    if usable:
        return usable, ""
    refusals = [reason for backend in candidates if (reason := _refusal(backend))]
    return [], refusals[0] if refusals else _platform_hint()


def _refusal(backend: KeyringBackend) -> str | None:
    """Why ``backend`` is not a real OS keyring, or None if it is one."""
    from keyring.backends import chainer, fail, null

    if isinstance(backend, fail.Keyring | chainer.ChainerBackend):
        return _platform_hint()
    if isinstance(backend, null.Keyring):
        return "the keyring library is disabled by configuration (null backend)"
    if type(backend).__module__.split(".")[:2] == ["keyrings", "alt"]:
        return (
            "only a keyrings.alt file backend is installed, and dixa-tui never stores "
            "the key in a file"
        )
    return None


def _platform_hint() -> str:
    if sys.platform == "darwin":
        return "the macOS Keychain could not be reached"
    if sys.platform == "win32":
        return "the Windows Credential Locker could not be reached"
    return "no Secret Service such as gnome-keyring or KWallet is running on the D-Bus session bus"


def _describe(backend: KeyringBackend) -> str:
    name = getattr(backend, "name", "")
    return name if isinstance(name, str) and name else type(backend).__name__


def _usable_backends() -> list[KeyringBackend]:
    usable, why = _inspect_backends()
    if not usable:
        raise KeyStoreError("no-backend", _no_backend_message(why))
    return usable


def _read(profile: str) -> str | None:
    for backend in _usable_backends():
        value = backend.get_password(SERVICE, profile)
        if value is not None:
            return value
    return None


def _write(profile: str, secret: SecretLike) -> None:
    for backend in _usable_backends():
        try:
            backend.set_password(SERVICE, profile, secret.get_secret_value())
        except NotImplementedError:
            continue
        return
    raise KeyStoreError(
        "no-backend", _no_backend_message("none of the available keyrings can store secrets")
    )


def _delete(profile: str) -> bool:
    from keyring.errors import PasswordDeleteError

    deleted = False
    for backend in _usable_backends():
        for _ in range(_MAX_DELETES):
            try:
                backend.delete_password(SERVICE, profile)
            except (PasswordDeleteError, NotImplementedError):
                # Most backends signal "not found" this way; whether it really was missing
                # is checked below, so a failed delete is not reported as "there was none".
                break
            deleted = True
            if backend.get_password(SERVICE, profile) is None:
                break
        if backend.get_password(SERVICE, profile) is not None:
            raise KeyStoreError(
                "failed",
                f"The OS keyring ({_describe(backend)}) did not delete the API key for "
                f"profile {profile!r}: remove it with your keyring manager (service "
                f"{SERVICE!r}), and set {ENV_VAR} meanwhile if you need another key.",
            )
    return deleted


def _guarded(action: str, call: Callable[..., _T], *args: object) -> _T:
    """Run a keyring operation, turning any failure into a ``KeyStoreError``.

    The error is raised outside the ``except`` block, so it carries no ``__context__``: the
    library's exception, its message and the frames holding the key are all dropped.
    """
    try:
        return call(*args)
    except KeyStoreError as exc:
        error = KeyStoreError(exc.reason, exc.message)
    except Exception as exc:
        error = _translate(exc, action)
    raise error from None


def _translate(exc: BaseException, action: str) -> KeyStoreError:
    """Map a backend exception to a reason and message, using its type, never its text."""
    from keyring.errors import KeyringLocked, NoKeyringError

    chain = _exception_chain(exc)
    names = {_qualified(type(link)) for link in chain}
    if any(isinstance(link, NoKeyringError) for link in chain) or names & _UNAVAILABLE_TYPES:
        return KeyStoreError("no-backend", _no_backend_message(_platform_hint()))
    if any(isinstance(link, KeyringLocked) for link in chain) or names & _LOCKED_TYPES:
        return KeyStoreError("locked", _locked_message())
    return KeyStoreError(
        "failed",
        f"Could not {action} the OS keyring ({backend_name()}): {_error_label(exc)}. "
        f"Check that the keyring service is running and unlocked, and try again; or set the "
        f"{ENV_VAR} environment variable.",
    )


def _exception_chain(exc: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    link: BaseException | None = exc
    while link is not None and link not in chain and len(chain) < 8:
        chain.append(link)
        link = link.__cause__ or link.__context__
    return chain


def _qualified(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def _error_label(exc: BaseException) -> str:
    """The exception's type name, plus a D-Bus error name (an identifier, never free text)."""
    label = type(exc).__name__
    dbus_name = getattr(exc, "name", None)
    if (
        type(exc).__name__ == "DBusErrorResponse"
        and isinstance(dbus_name, str)
        and len(dbus_name) <= 255
        and _DBUS_ERROR_NAME.fullmatch(dbus_name)
    ):
        label = f"{label}: {dbus_name}"
    return label


def _no_backend_message(why: str) -> str:
    return (
        f"No OS keyring is available on this machine ({why}). "
        f"Set the {ENV_VAR} environment variable instead."
    )


def _locked_message() -> str:
    if sys.platform == "darwin":
        how = "in Keychain Access"
    elif sys.platform == "win32":
        how = "by logging in to Windows again"
    else:
        how = (
            "by logging in to your desktop or with its password manager; on a machine without "
            "a desktop, `gnome-keyring-daemon --unlock` reads the password from stdin"
        )
    return (
        f"The OS keyring is locked: unlock it ({how}) and try again, "
        f"or set the {ENV_VAR} environment variable."
    )
