"""Keyring backends for tests, selectable in a subprocess with PYTHON_KEYRING_BACKEND.

``FileKeyring`` is a real backend (keyring's own API) that keeps passwords in the JSON file named by
$TEST_KEYRING_FILE, so CLI subprocesses can save and read keys; ``DroppingKeyring`` accepts saves and
forgets them (like keyring's null backend); ``HangingKeyring`` never answers; ``LockedKeyring`` raises
KeyringLocked.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

from keyring.backend import KeyringBackend
from keyring.errors import KeyringLocked, PasswordDeleteError


class FileKeyring(KeyringBackend):
    priority = 1

    def _path(self) -> Path:
        return Path(os.environ["TEST_KEYRING_FILE"])

    def _load(self) -> dict:
        path = self._path()
        return json.loads(path.read_text()) if path.exists() else {}

    def get_password(self, service, username):
        return self._load().get(f"{service}/{username}")

    def set_password(self, service, username, password):
        data = self._load()
        data[f"{service}/{username}"] = password
        self._path().write_text(json.dumps(data))

    def delete_password(self, service, username):
        data = self._load()
        if data.pop(f"{service}/{username}", None) is None:
            raise PasswordDeleteError("not found")
        self._path().write_text(json.dumps(data))


class DroppingKeyring(KeyringBackend):
    priority = 1

    def get_password(self, service, username):
        return None

    def set_password(self, service, username, password):
        return None

    def delete_password(self, service, username):
        return None


class HangingKeyring(KeyringBackend):
    priority = 1

    def get_password(self, *args):
        threading.Event().wait(3600)

    set_password = delete_password = get_password


class LockedKeyring(KeyringBackend):
    priority = 1

    def get_password(self, *args):
        raise KeyringLocked("locked")

    set_password = delete_password = get_password
