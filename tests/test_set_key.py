"""Replacing a key: checked with one read request first, swapped atomically, no cost touched; the
base URL with it. The CLI (connections set-key) on a real SQLite file and the fake API over loopback
HTTP, and the TUI's Edit dialog on the demo."""

from __future__ import annotations

import io
import json
import stat
from datetime import timedelta

import pytest
from textual.widgets import Input, Label

from openai_cost_tui.core.dates import today_utc
from openai_cost_tui.fake.api import FakeAdminApi
from openai_cost_tui.fake.org import FakeOrg
from openai_cost_tui.fake.server import serve_in_thread
from openai_cost_tui.keys.keystore import KeyStore
from openai_cost_tui.keys.refs import StoreIdentity
from openai_cost_tui.store.store import Store
from openai_cost_tui.tui.app import make_app
from openai_cost_tui.tui.modals.edit_connection import EditConnectionModal
from tests.support.cli import run
from tests.support.tui import settle

OLD = "sk-admin-OldKey" + "o" * 40
NEW = "sk-admin-NewKey" + "n" * 40


@pytest.fixture(scope="module")
def fake():
    with serve_in_thread(FakeAdminApi(FakeOrg(6, size="small"))) as base_url:
        yield base_url


@pytest.fixture
def home(tmp_path, monkeypatch, capsys, fake):
    """A data folder with one connection (key in $OLD_KEY) synced over the last five days."""
    monkeypatch.setenv("OLD_KEY", OLD)
    monkeypatch.setenv("NEW_KEY", NEW)
    monkeypatch.setenv("OPENAI_COST_TUI_HOME", str(tmp_path))
    since = (today_utc() - timedelta(days=5)).isoformat()
    assert run(capsys, "connections", "add", "--description", "Acme", "--key-env", "OLD_KEY", "--base-url", fake,
               "--since", since)[0] == 0
    assert run(capsys, "sync")[0] == 0
    return tmp_path


def state(home) -> tuple[list, str, object]:
    """(every cost row, the stored base URL, this member's reference to the key)."""
    with Store(str(home / "costs.db")) as store:
        conn = store.connection("Acme")
        ref = KeyStore(home, store=StoreIdentity(store.store_id)).ref_for(conn)
        return store.dump_costs(), conn.base_url, ref


def test_set_key_swaps_the_reference_and_touches_no_cost(home, capsys, monkeypatch) -> None:
    rows, url, ref = state(home)
    assert rows and (ref.source, ref.ref) == ("env", "OLD_KEY")
    code, out, err = run(capsys, "connections", "set-key", "Acme", "--key-env", "NEW_KEY")
    assert code == 0, err
    assert "New key sk-admin-...nnnn for 'Acme' checked and read from $NEW_KEY at each sync" in out
    after, url_after, ref = state(home)
    assert after == rows and url_after == url and (ref.source, ref.ref) == ("env", "NEW_KEY")
    monkeypatch.delenv("OLD_KEY")
    assert run(capsys, "sync")[0] == 0  # with the new key only
    code, out, _ = run(capsys, "connections", "list", "--format", "json")
    assert json.loads(out)[0]["key"] == "sk-admin-...nnnn"


def test_a_refused_key_or_url_changes_nothing(home, capsys, fake) -> None:
    before = state(home)
    nowhere = fake.rsplit("/", 1)[0] + "/nothing-here"  # the server answers 404: no Admin API there
    for argv, code_wanted in ((("--key-env", "NEW_KEY", "--base-url", nowhere), 1),
                              (("--key-env", "UNSET_VAR"), 2),
                              (("--key-env", "NEW_KEY", "--base-url", "http://example.com/v1"), 2)):
        code, out, err = run(capsys, "connections", "set-key", "Acme", *argv)
        assert code == code_wanted, (argv, err)
        assert len(err.strip().splitlines()) == 1 and out == ""
        if code_wanted == 1 or "UNSET_VAR" in argv:
            assert "the old key and base URL are kept, nothing changed" in err
    assert state(home) == before


def test_a_new_base_url_is_checked_and_kept(home, capsys, fake) -> None:
    rows, _, _ = state(home)
    other = fake.replace("127.0.0.1", "localhost")
    code, out, err = run(capsys, "connections", "set-key", "Acme", "--key-env", "NEW_KEY", "--base-url", other)
    assert code == 0, err
    assert f"base URL now {other}" in out
    after, url, _ = state(home)
    assert after == rows and url == other


def test_a_key_file_replaces_the_variable_then_goes_when_replaced(home, capsys, monkeypatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(NEW))
    code, out, err = run(capsys, "connections", "set-key", "Acme", "--key-stdin", "--insecure-storage")
    assert code == 0, err
    _, _, ref = state(home)
    path = home / "keys" / ref.ref.rsplit("/", 1)[1]
    assert ref.source == "file" and path.read_text() == NEW and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "UNENCRYPTED" in out
    code, out, err = run(capsys, "connections", "set-key", "Acme", "--key-env", "OLD_KEY", "--format", "json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["key_source"] == "env OLD_KEY" and doc["old_key_deleted"] is True
    assert not path.exists()  # the file key this member kept is deleted once the new one is in


def test_no_keyring_is_said_before_the_prompt(tmp_path, capsys, monkeypatch, no_keyring) -> None:
    monkeypatch.setenv("OPENAI_COST_TUI_HOME", str(tmp_path))
    monkeypatch.setattr("sys.stdin.isatty", lambda: True, raising=False)

    def prompt(*_a, **_k):
        raise AssertionError("prompted for a key that could not be kept")

    monkeypatch.setattr("getpass.getpass", prompt)
    code, out, err = run(capsys, "connections", "add", "--description", "Acme")
    assert code == 2 and "no OS keyring backend was found" in err and "no key was asked for" in err
    assert "--key-env VAR" in err and "--insecure-storage" in err and "unencrypted" in err


def test_the_store_from_the_environment_and_db_wins(home, tmp_path_factory, capsys, monkeypatch) -> None:
    monkeypatch.delenv("OPENAI_COST_TUI_HOME")
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    monkeypatch.setenv("OPENAI_COST_TUI_DB", str(home / "costs.db"))
    code, out, _ = run(capsys, "--data-dir", str(elsewhere), "connections", "list", "--format", "json")
    assert code == 0 and json.loads(out)[0]["description"] == "Acme"
    assert json.loads(out)[0]["key_here"] is False  # the other folder holds no key for it
    code, out, _ = run(capsys, "--data-dir", str(elsewhere), "--db", str(elsewhere / "none.db"), "report")
    assert code == 2  # --db wins over the variable (and names a file that does not exist)
    monkeypatch.setenv("OPENAI_COST_TUI_DB", str(elsewhere / "missing.db"))
    code, out, err = run(capsys, "--data-dir", str(elsewhere), "report")
    assert code == 2 and "$OPENAI_COST_TUI_DB names a file that does not exist" in err


async def test_the_edit_dialog_sets_a_key_in_a_worker_with_inline_errors(demo_copy) -> None:
    ctx = demo_copy
    conn = ctx.store.connections()[0]
    rows = ctx.store.dump_costs()
    app = make_app(ctx, sync_on_start=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("f3")
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        modal = app.screen
        assert isinstance(modal, EditConnectionModal) and modal.conn.id == conn.id
        modal.query_one("#storage").value = "file"
        modal.query_one("#key", Input).value = "sk-proj-" + "p" * 40
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is modal  # stays open, filled
        error = str(modal.query_one("#error", Label).render())
        assert "project key" in error and "old key is kept" in error
        modal.query_one("#key", Input).value = NEW
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, EditConnectionModal)
    ref = ctx.keys.ref_for(conn)
    assert ref.source == "file" and ref.masked == "sk-admin-...nnnn"
    assert ctx.store.dump_costs() == rows
