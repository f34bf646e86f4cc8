"""Keyring backends told honestly: keyrings.alt (installed with the test extra) is insecure storage.

Its PlaintextKeyring keeps keys base64-encoded in a plain file, and is what keyring picks on a
machine without Secret Service once keyrings.alt is installed. The tool refuses it like a missing
keyring (the 0600 file stays the one opt-in, with --insecure-storage) and labels a key an older version
left there INSECURE wherever the connection is shown.
"""

from __future__ import annotations

import io
import json
import stat
from datetime import date

import keyring
import pytest
from keyring.backends import SecretService, fail, null
from keyrings.alt.file import EncryptedKeyring, PlaintextKeyring

from openai_cost_tui.fake.api import FakeAdminApi
from openai_cost_tui.fake.org import FakeOrg
from openai_cost_tui.fake.server import serve_in_thread
from openai_cost_tui.keys.backends import classify
from openai_cost_tui.keys.keystore import SERVICE, KeyStore
from openai_cost_tui.keys.refs import StoreIdentity
from openai_cost_tui.store.store import NewConnection, Store
from tests.support.cli import run
from tests.support.test_keyring import FileKeyring

KEY = "sk-admin-Plain" + "q" * 40


class Chain:  # what keyring's ChainerBackend looks like from outside: its backends, by priority
    def __init__(self, *backends) -> None:
        self.backends = list(backends)


@pytest.mark.parametrize(("backend", "kind"), [
    (PlaintextKeyring(), "insecure"),
    (EncryptedKeyring.__new__(EncryptedKeyring), "insecure"),  # its crypto needs not be installed
    (Chain(fail.Keyring(), PlaintextKeyring()), "insecure"),
    (SecretService.Keyring.__new__(SecretService.Keyring), "os"),
    (Chain(SecretService.Keyring.__new__(SecretService.Keyring), PlaintextKeyring()), "os"),
    (fail.Keyring(), "none"),
    (null.Keyring(), "none"),
    (FileKeyring(), "other"),  # a backend this tool does not know (the tests' stand-in for an OS keyring)
])
def test_backends_are_classified(backend, kind) -> None:
    found = classify(backend)
    assert found.kind == kind
    assert found.usable == (kind in ("os", "other"))
    if kind == "insecure":
        assert "insecure storage" in found.why and "INSECURE" in found.label


@pytest.fixture
def plaintext(tmp_path, monkeypatch):
    """keyrings.alt's PlaintextKeyring as the backend, its file in the test's folder."""
    backend = PlaintextKeyring()
    backend.file_path = str(tmp_path / "keyring_pass.cfg")
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyrings.alt.file.PlaintextKeyring")
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture(scope="module")
def fake():
    with serve_in_thread(FakeAdminApi(FakeOrg(4, size="small"))) as base_url:
        yield base_url


def test_a_plaintext_keyring_is_refused_before_the_key_is_read(tmp_path, plaintext, capsys, monkeypatch,
                                                               fake) -> None:
    stdin = io.StringIO(KEY)
    monkeypatch.setattr("sys.stdin", stdin)
    code, out, err = run(capsys, "--data-dir", str(tmp_path / "home"), "connections", "add", "--description",
                         "Acme", "--key-stdin", "--base-url", fake)
    assert code == 2
    assert "keeps keys in a plain file" in err and "PlaintextKeyring from keyrings" in err and "insecure storage" in err
    assert "--key-env" in err and "--insecure-storage" in err and "no key was asked for" in err
    assert stdin.tell() == 0  # the key was not even read
    assert not (tmp_path / "keyring_pass.cfg").exists()
    assert not (tmp_path / "home" / "costs.db").exists()  # nothing left behind


def test_with_insecure_storage_the_key_goes_to_the_tools_own_0600_file(tmp_path, plaintext, capsys, monkeypatch,
                                                                        fake) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(KEY))
    home = tmp_path / "home"
    code, out, err = run(capsys, "--data-dir", str(home), "connections", "add", "--description", "Acme",
                         "--key-stdin", "--insecure-storage", "--base-url", fake)
    assert code == 0, err
    assert "stored UNENCRYPTED" in out and not (tmp_path / "keyring_pass.cfg").exists()
    (key_file,) = (home / "keys").iterdir()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600 and key_file.read_text() == KEY
    code, out, err = run(capsys, "--data-dir", str(home), "connections", "list")
    assert "file (insecure)" in out


def test_a_key_an_older_version_left_in_a_plaintext_keyring_is_labelled_insecure(tmp_path, plaintext,
                                                                                  capsys) -> None:
    home = tmp_path / "home"
    home.mkdir()
    with Store(str(home / "costs.db")) as store:
        conn = store.add_connection(NewConnection("Acme", "https://api.openai.com/v1", "keyring", "connection-old",
                                                  date(2026, 1, 1), masked_key="sk-admin-...qqqq"))
        store_id = store.store_id
    plaintext.set_password(SERVICE, "connection-old", KEY)
    code, out, err = run(capsys, "--data-dir", str(home), "connections", "list")
    assert code == 0, err
    assert "keyring (INSECURE: file.PlaintextKeyring) sk-admin-...qqqq" in out
    code, out, err = run(capsys, "--data-dir", str(home), "connections", "list", "--format", "json")
    assert json.loads(out)[0]["key_source"] == "keyring (INSECURE: file.PlaintextKeyring)"

    # the TUI's key column and the line below the table, from the same connection as this member has it
    from openai_cost_tui.tui.screens.connections import _key_cell

    with Store(str(home / "costs.db")) as store:
        (mine,) = KeyStore(home, store=StoreIdentity(store_id)).mine([store.connection(conn.id)])
    cell = _key_cell(mine)
    assert "INSECURE" in cell.plain and "bold red" in str(cell.style)
    assert mine.key_source == "keyring" and KeyStore(home).load(mine).reveal() == KEY  # still usable
