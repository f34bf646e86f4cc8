"""This member's key references: how *this* member reaches each connection's key, per store.

The store (a SQLite file, or a PostgreSQL database a team shares) holds connections and costs; it does
not say where anyone's key is. Each member's data folder holds ``key-refs.json`` (0600): for every store
(by the id in its meta table) and connection id, a keyring entry name, an environment variable's name or
a 0600 key file's path, and the masked key. Never a key.

Writes are atomic (temp file, fsync, rename) under a lock file, so two commands of one member never
lose each other's change, and a crash leaves the old file or the new one.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..core.errors import KeyStoreError

FILE_NAME = "key-refs.json"
SOURCES = ("keyring", "env", "file")


@dataclass(frozen=True)
class KeyRef:
    source: str  # keyring | env | file
    ref: str  # keyring entry name, variable name or file path
    masked: str | None = None


@dataclass(frozen=True)
class StoreIdentity:
    """Which store the references are for: its id, and whether a team shares it (PostgreSQL)."""

    id: str
    shared: bool = False
    where: str = ""


class KeyRefs:
    def __init__(self, folder: Path, store: StoreIdentity) -> None:
        self.path = Path(folder) / FILE_NAME
        self.store = store

    def get(self, connection_id: int) -> KeyRef | None:
        entry = self._read().get("stores", {}).get(self.store.id, {}).get("connections", {}).get(str(connection_id))
        if not isinstance(entry, dict) or entry.get("source") not in SOURCES or not entry.get("ref"):
            return None
        return KeyRef(entry["source"], str(entry["ref"]), entry.get("masked"))

    def put(self, connection_id: int, ref: KeyRef, *, description: str = "") -> None:
        with self._changing() as data:
            store = data.setdefault("stores", {}).setdefault(self.store.id, {})
            store["where"] = self.store.where
            store.setdefault("connections", {})[str(connection_id)] = {
                "source": ref.source, "ref": ref.ref, "masked": ref.masked, "description": description,
            }

    def drop(self, connection_id: int) -> None:
        if not self.path.exists():
            return
        with self._changing() as data:
            data.get("stores", {}).get(self.store.id, {}).get("connections", {}).pop(str(connection_id), None)

    # -- the file ---------------------------------------------------------------------------------

    def _read(self) -> dict:
        try:
            text = self.path.read_text("utf-8")
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise KeyStoreError(f"cannot read this member's key references in {self.path}: "
                                f"{exc.strerror or exc}") from None
        try:
            data = json.loads(text)
        except ValueError:
            raise KeyStoreError(f"{self.path} is not valid JSON; it holds which key each connection uses "
                                "here: restore it, or move it aside and run connections set-key") from None
        return data if isinstance(data, dict) else {}

    @contextlib.contextmanager
    def _changing(self) -> Iterator[dict]:
        folder = self.path.parent
        if not folder.is_dir():
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        lock = os.open(folder / f".{FILE_NAME}.lock", os.O_CREAT | os.O_RDWR, 0o600)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX)
            data = self._read()
            data["version"] = 1
            yield data
            fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{FILE_NAME}-")
            try:
                os.fchmod(fd, 0o600)
                os.write(fd, json.dumps(data, indent=1, sort_keys=True).encode("utf-8"))
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(tmp, self.path)
        finally:
            os.close(lock)
