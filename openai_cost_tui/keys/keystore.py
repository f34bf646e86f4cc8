"""Where Admin keys live: an env var reference, the OS keyring, or an opt-in 0600 file. Never the DB.

Which of those reaches a connection's key is the member's own business: the references live in the
member's data folder (keys/refs.py), per store. A store written by an older version holds them in its
connections table; they are copied into the member's file the first time this member syncs (on a
shared PostgreSQL store only when the key they name is there for this member: another member's
keyring entry or file is none of this member's). A member with no key for a connection reads it and
skips it when syncing (``NoKeyHere``), which is no failure.

Every keyring call runs with a timeout (a locked or hung backend must not freeze the app), and a
saved key is read back before the connection is trusted to it. A backend that keeps keys in a file of
its own (keyrings.alt) is no OS keyring: see keys/backends.py.
"""

from __future__ import annotations

import os
import stat
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import TypeVar

from ..core.errors import KeyStoreError, UsageError
from ..core.models import MEMBER_KEYS, Connection
from ..core.secret import Secret, check_admin_key
from .backends import Backend, classify
from .refs import KeyRef, KeyRefs, StoreIdentity

SERVICE = "openai-cost-tui"
T = TypeVar("T")

WAYS_ON = (
    "Ways on: keep the key in an environment variable and pass --key-env VAR (only the name is saved); "
    "start or unlock an OS keyring (e.g. GNOME Keyring / KWallet, or the macOS Keychain); "
    "or pass --insecure-storage to keep it in a 0600 file in the data folder (unencrypted: anyone who can "
    "read your files can use the key)."
)
LEGACY_SOURCES = ("keyring", "env", "file")  # a reference an older version kept in the store itself


class NoKeyHere(UsageError):
    """This member has no key for the connection: its sync is skipped (not a failure)."""


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
    def __init__(self, folder: Path, *, timeout: float = 5.0, environ: Mapping[str, str] | None = None,
                 store: StoreIdentity | None = None) -> None:
        """``store``: the open store, whose key references live in this folder's key-refs.json; None
        (tools, tests of the engine alone) reads the references the connections carry."""
        self.folder = Path(folder).expanduser().absolute()  # stored key paths are absolute
        self.timeout = timeout
        self.environ = os.environ if environ is None else environ
        self.store = store
        self.refs = KeyRefs(self.folder, store) if store is not None else None

    # -- keyring ----------------------------------------------------------------------------

    def backend(self) -> Backend:
        """The keyring backend a key would be kept in, classified (see keys/backends.py)."""
        try:
            import keyring
        except ImportError:  # pragma: no cover - a hard dependency
            return Backend("none", "none", "the keyring package is not installed")
        try:
            return _with_timeout(lambda: classify(keyring.get_keyring()), self.timeout, "find the OS keyring")
        except KeyStoreError as exc:
            return Backend("none", "unknown", exc.message.split(". Ways on")[0])

    def keyring_problem(self) -> str | None:
        """None when a real keyring backend answers; else why not (fail/null backends are not real, nor
        one that keeps keys in a file of its own)."""
        found = self.backend()
        return None if found.usable else found.why

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

    def stored_path(self, conn: Connection | str) -> Path:
        """Where a file key lives: its stored path (absolute since it was written); a relative path an
        older version stored is tried in the current folder, then in this data folder's keys/."""
        path = Path(conn.key_ref if isinstance(conn, Connection) else conn).expanduser()
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

    # -- this member's references ---------------------------------------------------------------

    def ref_for(self, conn: Connection, *, claim: bool = False) -> KeyRef | None:
        """How this member reaches the connection's key; None: no key here. ``claim`` copies a
        reference an older version kept in the store into this member's file (see the module)."""
        legacy = (KeyRef(conn.key_source, conn.key_ref, conn.masked_key)
                  if conn.key_source in LEGACY_SOURCES and conn.key_ref else None)
        if self.refs is None:
            if legacy is None and conn.key_source not in ("", MEMBER_KEYS):
                return KeyRef(conn.key_source, conn.key_ref, conn.masked_key)  # the demo's
            return legacy
        mine = self.refs.get(conn.id)
        if mine is not None or legacy is None:
            return mine
        if self.store is not None and self.store.shared and not self._reachable(conn, legacy):
            return None
        if claim:
            self.refs.put(conn.id, legacy, description=conn.description)
        return legacy

    def remember(self, conn: Connection, ref: KeyRef) -> None:
        """Make ``ref`` this member's reference for the connection (one atomic write of the file)."""
        if self.refs is None:
            raise KeyStoreError("this key store is not bound to a store; nowhere to remember the key")
        self.refs.put(conn.id, ref, description=conn.description)

    def mine(self, conns: Iterable[Connection]) -> list[Connection]:
        """The connections as this member reaches them: key source, reference and label are this
        member's (``none``: no key here). Asks the keyring which backend it is at most once."""
        backend: list[Backend] = []
        out = []
        for conn in conns:
            ref = self.ref_for(conn)
            if ref is None:
                out.append(replace(conn, key_source="none", key_ref="", key_label="no key here", masked_key=None))
                continue
            label = None
            if ref.source == "keyring":
                if not backend:
                    backend.append(self.backend())
                label = backend[0].label
            out.append(replace(conn, key_source=ref.source, key_ref=ref.ref,
                               masked_key=ref.masked or conn.masked_key, key_label=label))
        return out

    def _reachable(self, conn: Connection, ref: KeyRef) -> bool:
        try:
            self._load_ref(conn, ref)
        except (UsageError, KeyStoreError):
            return False
        return True

    # -- reading and deleting -----------------------------------------------------------------

    def load(self, conn: Connection) -> Secret:
        """The connection's key, from wherever this member keeps it; a missing one is a clear usage
        error (``NoKeyHere`` when this member has none for it at all)."""
        ref = self.ref_for(conn, claim=True)
        if ref is None:
            raise NoKeyHere(no_key_here(conn, self.folder))
        return self._load_ref(conn, ref)

    def _load_ref(self, conn: Connection, ref: KeyRef) -> Secret:
        if ref.source == "env":
            value = self.environ.get(ref.ref)
            if not value:
                raise UsageError(
                    f"connection {conn.description!r} reads its key from ${ref.ref}, which is not set"
                )
            return check_admin_key(value)
        if ref.source == "file":
            path = self.stored_path(ref.ref)
            if not path.exists():
                raise UsageError(f"the key file of connection {conn.description!r} is missing ({path})")
            _require_private(path, 0o077)
            return check_admin_key(path.read_text("ascii", errors="replace"))
        if ref.source == "keyring":
            import keyring

            value = _with_timeout(lambda: keyring.get_password(SERVICE, ref.ref), self.timeout, "read the key")
            if not value:
                raise UsageError(
                    f"the OS keyring has no key for connection {conn.description!r}; give it again with: "
                    f"openai-cost-tui connections set-key {conn.id}"
                )
            return check_admin_key(value)
        raise UsageError(f"connection {conn.description!r} has an unknown key source {ref.source!r}")

    def save(self, source: str, key: Secret, *, env_var: str | None = None) -> tuple[KeyRef, str]:
        """Keep ``key`` (keyring entry or 0600 file under a new name; for ``env`` only the variable's
        name): the reference and a sentence saying where it lives. Nothing else refers to it yet."""
        name = f"connection-{uuid.uuid4().hex[:12]}"
        if source == "env":
            return KeyRef("env", str(env_var), key.masked), f"read from ${env_var} at each sync"
        if source == "file":
            path = str(self.save_to_file(name, key))
            return KeyRef("file", path, key.masked), f"stored UNENCRYPTED in {path} (0600), as asked"
        self.save_to_keyring(name, key)
        return KeyRef("keyring", name, key.masked), "stored in the OS keyring"

    def delete(self, conn: Connection) -> None:
        """Delete the connection's stored key; a key that could not be deleted raises KeyStoreError."""
        problem = self.delete_key(conn)
        if problem:
            error = KeyStoreError(problem)
            error.exit_code = 1
            raise error

    def delete_key(self, conn: Connection) -> str | None:
        """Delete this member's stored key and reference: None when it is gone (or there was none to
        keep: an env reference, no key here), else a sentence saying what could not be deleted."""
        ref = self.ref_for(conn)
        problem = self.delete_ref(ref) if ref is not None else None
        if self.refs is not None and not problem:
            self.refs.drop(conn.id)
        return problem

    def delete_ref(self, ref: KeyRef) -> str | None:
        """Delete what ``ref`` names (a key file, a keyring entry; an env variable is the user's)."""
        if ref.source == "file":
            path = self.stored_path(ref.ref)
            try:
                path.unlink(missing_ok=True)
            except OSError as exc:
                return (f"could not delete the key file {path}: {exc.strerror or exc}; "
                        f"delete it by hand (it holds the key in plain text)")
            if path.exists():
                return f"the key file {path} is still there; delete it by hand (it holds the key in plain text)"
            return None
        if ref.source == "keyring":
            import keyring

            def remove() -> None:
                try:
                    keyring.delete_password(SERVICE, ref.ref)
                except keyring.errors.PasswordDeleteError:
                    pass

            try:
                _with_timeout(remove, self.timeout, "delete the key")
            except KeyStoreError as exc:
                return f"{exc.message.split('. Ways on')[0]}; remove the entry {SERVICE}/{ref.ref} by hand"
        return None


def no_key_here(conn: Connection, folder: Path) -> str:
    """Why a member's sync skips a connection, and how to sync it from here."""
    who = ""
    if conn.last_synced_at is not None:
        by = f" by {conn.synced_by}" if conn.synced_by else ""
        who = f"; it was last synced{by} at {conn.last_synced_at:%Y-%m-%d %H:%M} UTC"
    return (f"no key for {conn.description!r} here (this member's data folder {folder} names none for this "
            f"store){who}. To sync it from here: openai-cost-tui connections set-key {conn.id}")


def _require_private(path: Path, forbidden: int) -> None:
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & forbidden:
        raise KeyStoreError(
            f"{path} is readable by other users (mode {mode:o}); refusing to use it. "
            f"Run: chmod {'700' if path.is_dir() else '600'} {path}"
        )
