"""Where Admin keys live: an env var reference, the OS keyring, or an opt-in 0600 file. Never the DB.

Every keyring call runs with a timeout (a locked or hung backend must not freeze the app), and a
saved key is read back before the connection is trusted to it.
"""

from __future__ import annotations

import os
import stat
import tempfile
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TypeVar

from ..core.errors import KeyStoreError, UsageError
from ..core.models import Connection
from ..core.secret import Secret, check_admin_key

SERVICE = "openai-cost-tui"
T = TypeVar("T")

WAYS_ON = (
    "Ways on: keep the key in an environment variable and pass --key-env VAR (only the name is saved); "
    "start or unlock an OS keyring (e.g. GNOME Keyring / KWallet, or the macOS Keychain); "
    "or pass --insecure-storage to keep it in a 0600 file in the data folder."
)


def _with_timeout(call: Callable[[], T], timeout: float, what: str) -> T:
    box: dict[str, object] = {}

    def run() -> None:
        try:
            box["value"] = call()
        except BaseException as exc:  # noqa: BLE001 - handed back to the caller's thread
            box["error"] = exc

    thread = threading.Thread(target=run, name=f"keyring-{what}", daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise KeyStoreError(f"the OS keyring did not answer within {timeout:g} s while trying to {what}. {WAYS_ON}")
    if "error" in box:
        raise _keyring_error(box["error"], what)  # type: ignore[arg-type]
    return box.get("value")  # type: ignore[return-value]


def _keyring_error(exc: BaseException, what: str) -> KeyStoreError:
    kind = type(exc).__name__
    if kind == "KeyringLocked":
        reason = "the OS keyring is locked; unlock it and try again"
    elif kind == "InitError":
        reason = "the OS keyring could not be started"
    elif kind == "NoKeyringError":
        reason = "no OS keyring is available on this machine"
    else:
        reason = f"the OS keyring failed ({kind})"
    error = KeyStoreError(f"could not {what}: {reason}. {WAYS_ON}")
    error.__cause__ = None
    return error


class KeyStore:
    def __init__(self, folder: Path, *, timeout: float = 5.0, environ: Mapping[str, str] | None = None) -> None:
        self.folder = Path(folder).expanduser().absolute()  # stored key paths are absolute
        self.timeout = timeout
        self.environ = os.environ if environ is None else environ

    # -- keyring ----------------------------------------------------------------------------

    def keyring_problem(self) -> str | None:
        """None when a real keyring backend answers; else why not (fail/null backends are not real)."""
        try:
            import keyring
        except ImportError:  # pragma: no cover - a hard dependency
            return "the keyring package is not installed"

        def probe() -> str | None:
            backend = keyring.get_keyring()
            names = _backend_names(backend)
            if not names or all(n == "fail.Keyring" for n in names):
                return "no OS keyring backend was found (no Secret Service, KWallet or Keychain answered)"
            if all(n in ("fail.Keyring", "null.Keyring") for n in names):
                return "keyring is set to its 'null' backend, which cannot store anything"
            return None

        try:
            return _with_timeout(probe, self.timeout, "find the OS keyring")
        except KeyStoreError as exc:
            return exc.message.split(". Ways on")[0]

    def save_to_keyring(self, ref: str, key: Secret) -> None:
        problem = self.keyring_problem()
        if problem:
            raise KeyStoreError(f"cannot keep the key in the OS keyring: {problem}. {WAYS_ON}")
        import keyring

        _with_timeout(lambda: keyring.set_password(SERVICE, ref, key.reveal()), self.timeout, "save the key")
        back = _with_timeout(lambda: keyring.get_password(SERVICE, ref), self.timeout, "read the key back")
        if back != key.reveal():
            raise KeyStoreError(
                "the OS keyring accepted the key but did not give it back (a backend that drops saves); "
                f"nothing was saved. {WAYS_ON}"
            )

    # -- insecure file ----------------------------------------------------------------------

    def key_file(self, ref: str) -> Path:
        return self.folder / "keys" / f"{ref}.key"

    def stored_path(self, conn: Connection) -> Path:
        """Where a file key lives: its stored path (absolute since it was written); a relative path an
        older version stored is tried in the current folder, then in this data folder's keys/."""
        path = Path(conn.key_ref).expanduser()
        if path.is_absolute():
            return path
        if path.exists():
            return path.absolute()
        return self.folder / "keys" / path.name

    def save_to_file(self, ref: str, key: Secret) -> Path:
        """Write the key to a 0600 file in a 0700 folder, atomically (temp file + rename); the absolute
        path is returned (and stored)."""
        folder = self.folder / "keys"
        if not folder.is_dir():
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            folder.mkdir(mode=0o700, exist_ok=True)
            folder.chmod(0o700)
        _require_private(folder, 0o077)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".key-")
        try:
            os.fchmod(fd, 0o600)
            os.write(fd, key.reveal().encode("ascii"))
            os.fsync(fd)
        finally:
            os.close(fd)
        target = self.key_file(ref)
        os.replace(tmp, target)
        return target

    # -- reading and deleting -----------------------------------------------------------------

    def load(self, conn: Connection) -> Secret:
        """The connection's key, from wherever it lives; a missing one is a clear usage error."""
        if conn.key_source == "env":
            value = self.environ.get(conn.key_ref)
            if not value:
                raise UsageError(
                    f"connection {conn.description!r} reads its key from ${conn.key_ref}, which is not set"
                )
            return check_admin_key(value)
        if conn.key_source == "file":
            path = self.stored_path(conn)
            if not path.exists():
                raise UsageError(f"the key file of connection {conn.description!r} is missing ({path})")
            _require_private(path, 0o077)
            return check_admin_key(path.read_text("ascii", errors="replace"))
        if conn.key_source == "keyring":
            import keyring

            value = _with_timeout(lambda: keyring.get_password(SERVICE, conn.key_ref), self.timeout, "read the key")
            if not value:
                raise UsageError(
                    f"the OS keyring has no key for connection {conn.description!r}; remove and add it again"
                )
            return check_admin_key(value)
        raise UsageError(f"connection {conn.description!r} has an unknown key source {conn.key_source!r}")

    def delete(self, conn: Connection) -> None:
        """Delete the connection's stored key; a key that could not be deleted raises KeyStoreError."""
        problem = self.delete_key(conn)
        if problem:
            error = KeyStoreError(problem)
            error.exit_code = 1
            raise error

    def delete_key(self, conn: Connection) -> str | None:
        """Delete the stored key: None when it is gone (or there was none to keep: an env reference),
        else a sentence saying what could not be deleted and what to do."""
        if conn.key_source == "file":
            path = self.stored_path(conn)
            try:
                path.unlink(missing_ok=True)
            except OSError as exc:
                return (f"could not delete the key file {path}: {exc.strerror or exc}; "
                        f"delete it by hand (it holds the key in plain text)")
            if path.exists():
                return f"the key file {path} is still there; delete it by hand (it holds the key in plain text)"
            return None
        if conn.key_source == "keyring":
            import keyring

            def remove() -> None:
                try:
                    keyring.delete_password(SERVICE, conn.key_ref)
                except keyring.errors.PasswordDeleteError:
                    pass

            try:
                _with_timeout(remove, self.timeout, "delete the key")
            except KeyStoreError as exc:
                return f"{exc.message.split('. Ways on')[0]}; remove the entry {SERVICE}/{conn.key_ref} by hand"
        return None


def _backend_names(backend: object) -> list[str]:
    inner = getattr(backend, "backends", None)
    items = list(inner) if inner is not None else [backend]
    return [f"{type(b).__module__.rsplit('.', 1)[-1]}.{type(b).__name__}" for b in items]


def _require_private(path: Path, forbidden: int) -> None:
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & forbidden:
        raise KeyStoreError(
            f"{path} is readable by other users (mode {mode:o}); refusing to use it. "
            f"Run: chmod {'700' if path.is_dir() else '600'} {path}"
        )
