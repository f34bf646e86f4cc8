"""Where keys live: keyring only when a real backend answers, env references, a 0600 file."""

from __future__ import annotations

import json
import os
import stat
import time
from pathlib import Path

import keyring
import pytest

from openai_cost_tui.core.errors import KeyStoreError, UsageError
from openai_cost_tui.core.models import Connection
from openai_cost_tui.core.secret import Secret
from openai_cost_tui.keys.keystore import KeyStore
from tests.support.test_keyring import DroppingKeyring, HangingKeyring, LockedKeyring

KEY = Secret("sk-admin-" + "k" * 40 + "WXYZ")


def conn(source: str, ref: str) -> Connection:
    return Connection(1, "Acme", "https://api.openai.com/v1", source, ref)


def test_keyring_round_trip_and_delete(tmp_path, file_keyring) -> None:
    ks = KeyStore(tmp_path)
    assert ks.keyring_problem() is None
    ks.save_to_keyring("connection-1", KEY)
    assert ks.load(conn("keyring", "connection-1")) == KEY
    ks.delete(conn("keyring", "connection-1"))
    with pytest.raises(UsageError, match="has no key"):
        ks.load(conn("keyring", "connection-1"))
    assert not list(tmp_path.rglob("*.key"))


def test_fail_backend_is_not_a_keyring(tmp_path, no_keyring) -> None:
    ks = KeyStore(tmp_path)
    assert "no OS keyring backend" in ks.keyring_problem()
    with pytest.raises(KeyStoreError, match="--key-env") as info:
        ks.save_to_keyring("connection-1", KEY)
    assert "--insecure-storage" in str(info.value)
    assert list(tmp_path.iterdir()) == []


def test_null_backend_is_not_a_keyring(tmp_path) -> None:
    from keyring.backends import null

    previous = keyring.get_keyring()
    keyring.set_keyring(null.Keyring())
    try:
        assert "cannot store anything" in KeyStore(tmp_path).keyring_problem()
    finally:
        keyring.set_keyring(previous)


@pytest.mark.parametrize(
    ("backend", "message"),
    [(DroppingKeyring(), "did not give it back"), (LockedKeyring(), "locked"), (HangingKeyring(), "did not answer")],
)
def test_bad_backends_give_a_clear_message_and_write_nothing(tmp_path, backend, message) -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    try:
        ks = KeyStore(tmp_path, timeout=0.3)
        started = time.monotonic()
        with pytest.raises(KeyStoreError, match=message) as info:
            ks.save_to_keyring("connection-1", KEY)
        assert time.monotonic() - started < 3
        assert KEY.reveal() not in str(info.value)
        assert list(tmp_path.iterdir()) == []
    finally:
        keyring.set_keyring(previous)


def test_env_reference_reads_at_each_use(tmp_path) -> None:
    env = {"ACME_KEY": KEY.reveal()}
    ks = KeyStore(tmp_path, environ=env)
    assert ks.load(conn("env", "ACME_KEY")) == KEY
    del env["ACME_KEY"]
    with pytest.raises(UsageError, match=r"\$ACME_KEY, which is not set"):
        ks.load(conn("env", "ACME_KEY"))


def test_insecure_file_is_private_atomic_and_refused_when_loose(tmp_path) -> None:
    ks = KeyStore(tmp_path)
    path = ks.save_to_file("connection-1", KEY)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temp file left behind
    assert ks.load(conn("file", str(path))) == KEY
    os.chmod(path, 0o644)
    with pytest.raises(KeyStoreError, match="readable by other users"):
        ks.load(conn("file", str(path)))
    ks.delete(conn("file", str(path)))
    assert not path.exists()


def test_loose_key_folder_is_refused(tmp_path) -> None:
    (tmp_path / "keys").mkdir(mode=0o755)
    os.chmod(tmp_path / "keys", 0o755)
    with pytest.raises(KeyStoreError, match="readable by other users"):
        KeyStore(tmp_path).save_to_file("connection-1", KEY)


def test_a_relative_folder_gives_absolute_key_paths(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    ks = KeyStore(Path("rel") / "home")
    path = ks.save_to_file("connection-1", KEY)
    assert path.is_absolute() and path == tmp_path / "rel" / "home" / "keys" / "connection-1.key"
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    monkeypatch.chdir("/")
    assert ks.load(conn("file", str(path))) == KEY
    assert ks.delete_key(conn("file", str(path))) is None and not path.exists()


def test_a_relative_key_path_from_an_older_version_is_found_in_the_keys_folder(tmp_path, monkeypatch) -> None:
    ks = KeyStore(tmp_path)
    path = ks.save_to_file("connection-2", KEY)
    monkeypatch.chdir("/")
    legacy = conn("file", "somewhere/relative/keys/connection-2.key")
    assert ks.stored_path(legacy) == path and ks.load(legacy) == KEY
    ks.delete(legacy)
    assert not path.exists()


def test_a_key_file_that_cannot_be_deleted_is_said_so(tmp_path, monkeypatch) -> None:
    ks = KeyStore(tmp_path)
    path = ks.save_to_file("connection-3", KEY)

    def refuse(self, missing_ok=False):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "unlink", refuse)
    problem = ks.delete_key(conn("file", str(path)))
    with pytest.raises(KeyStoreError, match="could not delete the key file") as info:
        ks.delete(conn("file", str(path)))
    monkeypatch.undo()
    assert problem and str(path) in problem and "by hand" in problem
    assert info.value.exit_code == 1 and path.exists()


# -- this member's references (keys/refs.py) --------------------------------------------------------

def test_a_store_reference_is_copied_to_the_members_file_at_the_first_sync(tmp_path) -> None:
    """SQLite: the reference an older version kept in the store is this (only) user's: copied, 0600."""
    from openai_cost_tui.keys.refs import StoreIdentity

    ks = KeyStore(tmp_path, environ={"ACME_KEY": KEY.reveal()}, store=StoreIdentity("store-1"))
    legacy = conn("env", "ACME_KEY")
    assert ks.ref_for(legacy).ref == "ACME_KEY" and not (tmp_path / "key-refs.json").exists()  # reading copies nothing
    assert ks.load(legacy) == KEY
    refs = tmp_path / "key-refs.json"
    assert stat.S_IMODE(refs.stat().st_mode) == 0o600
    assert json.loads(refs.read_text())["stores"]["store-1"]["connections"]["1"]["ref"] == "ACME_KEY"
    moved = conn("member", "")  # the store no longer names it: the member's file does
    assert ks.load(moved) == KEY and ks.mine([moved])[0].key_source_label == "env ACME_KEY"
    other = KeyStore(tmp_path, environ={"ACME_KEY": KEY.reveal()}, store=StoreIdentity("store-2"))
    assert other.ref_for(moved) is None  # filed per store: another store's connection 1 is another one


def test_on_a_shared_store_another_members_reference_is_not_taken(tmp_path) -> None:
    from openai_cost_tui.keys.keystore import NoKeyHere
    from openai_cost_tui.keys.refs import StoreIdentity

    shared = StoreIdentity("team", shared=True)
    someone_elses = conn("file", "/home/alice/.local/share/openai-cost-tui/keys/connection-1.key")
    ks = KeyStore(tmp_path, environ={}, store=shared)
    assert ks.ref_for(someone_elses, claim=True) is None
    assert ks.mine([someone_elses])[0].key_source_label == "no key here"
    with pytest.raises(NoKeyHere, match="no key for 'Acme' here"):
        ks.load(someone_elses)
    assert not (tmp_path / "key-refs.json").exists()
    mine = KeyStore(tmp_path, environ={"ACME_KEY": KEY.reveal()}, store=shared)
    assert mine.load(conn("env", "ACME_KEY")) == KEY  # the variable is set here: this member's own


def test_a_damaged_references_file_is_a_clear_error(tmp_path) -> None:
    from openai_cost_tui.keys.refs import StoreIdentity

    (tmp_path / "key-refs.json").write_text("{not json")
    with pytest.raises(KeyStoreError, match="key-refs.json is not valid JSON"):
        KeyStore(tmp_path, store=StoreIdentity("s")).ref_for(conn("member", ""))
