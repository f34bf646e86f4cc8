"""Stores are opened, never conjured: what is created, what is refused, what keeps every byte, which
folders keep their permissions, where key files live, and a sync state that never lies.

Every test runs the CLI in-process (tests/support/cli.py) or opens the Store directly.
"""

from __future__ import annotations

import io
import json
import os
import sqlite3
import stat
import subprocess
import sys
from datetime import date

import pytest

from openai_cost_tui.core.errors import StoreError
from openai_cost_tui.keys.keystore import KeyStore
from openai_cost_tui.keys.refs import StoreIdentity
from openai_cost_tui.store.store import NewConnection, Store
from tests.support.cli import run

READ_COMMANDS = [
    ["report"],
    ["report", "--format", "json"],
    ["check"],
    ["connections", "list"],
    ["workspaces", "list"],
    ["budgets", "list"],
    ["restatements"],
    ["sync"],
    ["connections", "remove", "x", "--yes"],
    ["workspaces", "rename", "a", "b"],
]


@pytest.fixture(autouse=True)
def _no_home(monkeypatch):
    monkeypatch.delenv("OPENAI_COST_TUI_HOME", raising=False)
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)


def _tree(root) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*")) if root.exists() else []


@pytest.mark.parametrize("argv", READ_COMMANDS, ids=" ".join)
def test_a_missing_db_path_is_refused_and_nothing_is_created(tmp_path, capsys, argv) -> None:
    target = tmp_path / "nonexistent" / "dir" / "x.db"
    code, out, err = run(capsys, "--data-dir", str(tmp_path / "home"), "--db", str(target), *argv)
    assert code == 2, (out, err)
    assert out == "" and len(err.strip().splitlines()) == 1
    assert str(target) in err and "connections add" in err
    assert _tree(tmp_path) == []  # not the file, not its folders, not the data folder


@pytest.mark.parametrize("argv", READ_COMMANDS[:8], ids=" ".join)
def test_a_data_folder_without_a_store_reads_as_empty_and_stays_empty(tmp_path, capsys, argv) -> None:
    home = tmp_path / "home"
    code, out, err = run(capsys, "--data-dir", str(home), *argv)
    assert code == 0, err
    assert not home.exists()
    if argv == ["report", "--format", "json"]:
        assert json.loads(out)["rows"] == [] and json.loads(out)["total"] == "0"


def test_a_command_that_writes_says_it_creates_a_new_store(tmp_path, capsys) -> None:
    home = tmp_path / "a" / "b"
    code, out, err = run(capsys, "--data-dir", str(home), "workspaces", "add", "Team")
    assert code == 0 and "Created workspace 'Team'" in out
    assert err.strip().splitlines() == [f"note: created a new store at {home / 'costs.db'}"]
    for folder in (tmp_path / "a", home):  # every folder the tool made is private
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((home / "costs.db").stat().st_mode) == 0o600
    code, _, err = run(capsys, "--data-dir", str(home), "workspaces", "add", "Other")
    assert code == 0 and err == ""  # not new any more


def test_a_failed_command_leaves_no_new_store_behind(tmp_path, capsys) -> None:
    home = tmp_path / "home"
    code, _, err = run(capsys, "--data-dir", str(home), "connections", "add", "--description", "X",
                       "--key-env", "NOT_SET_ANYWHERE_123")
    assert code == 2 and "is not set" in err and len(err.strip().splitlines()) == 1
    assert _tree(tmp_path) == []


def test_an_explicit_new_db_is_created_by_a_command_that_writes(tmp_path, capsys) -> None:
    target = tmp_path / "stores" / "team.db"
    code, _, err = run(capsys, "--data-dir", str(tmp_path / "home"), "--db", str(target), "workspaces", "add", "T")
    assert code == 0 and f"created a new store at {target}" in err
    code, out, _ = run(capsys, "--data-dir", str(tmp_path / "home"), "--db", str(target), "workspaces", "list",
                       "--format", "json")
    assert json.loads(out) == [{"name": "T", "connections": []}]


def _foreign(path) -> bytes:
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE notes (x)")
    con.execute("INSERT INTO notes VALUES ('mine')")
    con.commit()
    con.close()
    return path.read_bytes()


def _ours_with_version(path, version: str) -> bytes:
    Store(str(path)).close()
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode = DELETE")  # as a copy or an older tool would leave it
    con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (version,))
    con.commit()
    con.close()
    return path.read_bytes()


@pytest.mark.parametrize(("make", "needle"), [
    (_foreign, "not an openai-cost-tui store"),
    (lambda p: _ours_with_version(p, "99"), "newer version"),
    (lambda p: _ours_with_version(p, "abc"), "unreadable schema version 'abc'"),
])
@pytest.mark.parametrize("argv", [["report"], ["workspaces", "add", "T"], ["sync"]], ids=" ".join)
def test_a_foreign_newer_or_unreadable_store_keeps_every_byte(tmp_path, capsys, make, needle, argv) -> None:
    path = tmp_path / "other.db"
    before = make(path)
    code, out, err = run(capsys, "--data-dir", str(tmp_path), "--db", str(path), *argv)
    assert code == 1 and out == "" and needle in err and str(path) in err, err
    assert len(err.strip().splitlines()) == 1
    assert path.read_bytes() == before  # not even switched to WAL
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.db"]


def test_the_store_api_refuses_them_too(tmp_path) -> None:
    path = tmp_path / "other.db"
    before = _ours_with_version(path, "abc")
    for mode in ("read", "write"):
        with pytest.raises(StoreError, match="unreadable schema version"):
            Store(str(path), mode=mode)
    assert path.read_bytes() == before


def _store_with_a_workspace(path) -> None:
    with Store(str(path)) as s:
        s.add_workspace("Team")


def test_a_read_only_open_writes_nothing(tmp_path) -> None:
    path = tmp_path / "costs.db"
    _store_with_a_workspace(path)
    before = path.read_bytes()
    with Store(str(path), mode="read") as s:
        assert [w.name for w in s.workspaces()] == ["Team"]
        with pytest.raises(StoreError, match="read-only"):
            s.add_workspace("Other")
    assert path.read_bytes() == before


def test_a_new_store_has_16k_pages_and_an_older_one_keeps_its_own(tmp_path) -> None:
    """Larger pages write a window's rows faster; a store made with SQLite's default keeps its pages (they
    change only by rewriting the whole file) and is read and written as before."""
    with Store(str(tmp_path / "new.db")) as s:
        s.add_workspace("Team")
    older = tmp_path / "older.db"
    with Store(str(older)) as s:
        s.add_workspace("Team")
    con = sqlite3.connect(older, isolation_level=None)  # as a store made before: SQLite's default pages
    for pragma in ("journal_mode = DELETE", "page_size = 4096", "journal_mode = WAL"):
        con.execute(f"PRAGMA {pragma}")
        if pragma.startswith("page_size"):
            con.execute("VACUUM")
    con.close()
    with Store(str(older)) as s:
        s.add_workspace("Other")
    with Store(str(older)) as s:
        assert [w.name for w in s.workspaces()] == ["Other", "Team"]
    sizes = {}
    for name in ("new.db", "older.db"):
        con = sqlite3.connect(tmp_path / name)
        sizes[name] = con.execute("PRAGMA page_size").fetchone()[0]
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        con.close()
    assert sizes == {"new.db": 16384, "older.db": 4096}


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads and writes past file permissions")
def test_a_store_without_write_permission_can_be_reported_on(tmp_path, capsys) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    _store_with_a_workspace(folder / "costs.db")
    (folder / "costs.db").chmod(0o444)
    folder.chmod(0o555)
    try:
        code, out, err = run(capsys, "--data-dir", str(folder), "workspaces", "list", "--format", "json")
        assert code == 0, err
        assert json.loads(out)[0]["name"] == "Team"
        code, _, err = run(capsys, "--data-dir", str(folder), "report", "--format", "json")
        assert code == 0, err
        code, _, err = run(capsys, "--data-dir", str(folder), "workspaces", "add", "X")
        assert code == 1 and "read-only" in err
    finally:
        folder.chmod(0o755)


def test_demo_says_a_change_is_thrown_away(capsys) -> None:
    code, out, err = run(capsys, "--demo", "workspaces", "add", "Scratch")
    assert code == 0 and "Scratch" in out
    assert "demo" in err and "thrown away" in err
    code, _, err = run(capsys, "--demo", "workspaces", "list")
    assert code == 0 and "thrown away" not in err


# -- folders keep their permissions; key files have absolute paths ------------------------------


def test_an_existing_folder_keeps_its_permissions_with_a_warning(tmp_path, capsys) -> None:
    home = tmp_path / "shared"
    home.mkdir()
    home.chmod(0o755)
    code, _, err = run(capsys, "--data-dir", str(home), "workspaces", "add", "T")
    assert code == 0
    assert stat.S_IMODE(home.stat().st_mode) == 0o755
    assert "open to group and others (mode 755)" in err and f"chmod 700 {home}" in err
    home.chmod(0o700)
    code, _, err = run(capsys, "--data-dir", str(home), "workspaces", "list")
    assert code == 0 and "open to" not in err


@pytest.fixture(scope="module")
def fake_api():
    from openai_cost_tui.fake.api import FakeAdminApi
    from openai_cost_tui.fake.org import FakeOrg
    from openai_cost_tui.fake.server import serve_in_thread

    with serve_in_thread(FakeAdminApi(FakeOrg(5, size="small"))) as base_url:
        yield base_url


def test_a_relative_data_dir_stores_an_absolute_key_path_and_remove_deletes_it(tmp_path, capsys, monkeypatch,
                                                                               fake_api) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("sys.stdin", io.StringIO("sk-admin-" + "r" * 40))
    code, out, err = run(capsys, "--data-dir", "rel/home", "connections", "add", "--description", "Acme",
                         "--key-stdin", "--insecure-storage", "--base-url", fake_api)
    assert code == 0, err
    with Store(str(tmp_path / "rel" / "home" / "costs.db")) as s:
        assert s.connection("Acme").key_ref == ""  # the store names no member's key file
        ref = KeyStore(tmp_path / "rel" / "home", store=StoreIdentity(s.store_id)).ref_for(s.connection("Acme")).ref
    assert os.path.isabs(ref) and os.path.exists(ref)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    code, out, err = run(capsys, "--data-dir", str(tmp_path / "rel" / "home"), "connections", "remove", "Acme",
                         "--yes")
    assert code == 0, err
    assert not os.path.exists(ref) and ref in out


def test_remove_says_when_the_key_file_could_not_be_deleted(tmp_path, capsys, monkeypatch) -> None:
    from pathlib import Path

    key = tmp_path / "keys" / "connection-x.key"
    key.parent.mkdir(mode=0o700)
    key.write_text("sk-admin-" + "x" * 40)
    with Store(str(tmp_path / "costs.db")) as s:
        s.add_connection(NewConnection("Acme", "https://api.openai.com/v1", "file", str(key), date(2026, 1, 1)))

    def refuse(self, missing_ok=False):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "unlink", refuse)
    code, out, err = run(capsys, "--data-dir", str(tmp_path), "connections", "remove", "Acme", "--yes")
    monkeypatch.undo()
    assert code == 1
    assert f"could not delete the key file {key}: Permission denied" in err and "by hand" in err
    assert key.exists()


# -- honest sync state --------------------------------------------------------------------------


@pytest.fixture
def synced_home(tmp_path, monkeypatch):
    monkeypatch.setenv("OPENAI_COST_TUI_HOME", str(tmp_path))
    with Store(str(tmp_path / "costs.db")) as s:
        conn = s.add_connection(NewConnection("Acme", "https://api.openai.com/v1", "env", "ACME_KEY",
                                              date(2026, 1, 1)))
        run_id = s.start_run(conn.id)
        s.update_connection(conn.id, status="syncing")  # what a sync killed with -9 leaves behind
    return tmp_path, run_id


def _status(capsys) -> tuple[str, str | None]:
    code, out, _ = run(capsys, "connections", "list", "--format", "json")
    doc = json.loads(out)[0]
    return doc["status"], doc["last_error"]


def test_syncing_without_a_live_lock_holder_reads_as_interrupted(synced_home, capsys) -> None:
    home, _ = synced_home
    status, why = _status(capsys)
    assert status == "interrupted" and "started" in why and "UTC" in why and "intact" in why
    code, out, _ = run(capsys, "check", "--anomaly-days", "0")
    assert code == 3 and "sync Acme: the sync started" in out and "interrupted" in out
    with Store(str(home / "costs.db")) as s, s.sync_lock():  # a live sync (this process) holds the lock
        assert _status(capsys)[0] == "syncing"
    assert _status(capsys)[0] == "interrupted"


def test_a_sync_killed_with_sigkill_reads_as_interrupted(tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("OPENAI_COST_TUI_HOME", str(tmp_path))
    with Store(str(tmp_path / "costs.db")) as s:
        s.add_connection(NewConnection("Acme", "https://api.openai.com/v1", "env", "ACME_KEY", date(2026, 1, 1)))
    code = (
        "import sys\n"
        "from openai_cost_tui.store.store import Store\n"
        f"s = Store({str(tmp_path / 'costs.db')!r})\n"
        "lock = s.sync_lock(); lock.__enter__()\n"
        "s.start_run(1); s.update_connection(1, status='syncing')\n"
        "print('ready', flush=True)\n"
        "sys.stdin.read()\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                            cwd=os.getcwd())
    try:
        assert proc.stdout.readline().strip() == "ready"
        assert _status(capsys)[0] == "syncing"
        proc.kill()
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert _status(capsys)[0] == "interrupted"


@pytest.mark.parametrize(("stop", "why", "rc"), [
    (KeyboardInterrupt, "Ctrl+C", 130),
    (BrokenPipeError, "a broken pipe", 1),
    ("SIGTERM", "SIGTERM", 143),
])
def test_a_stopped_sync_is_recorded_as_interrupted(tmp_path, capsys, monkeypatch, stop, why, rc) -> None:
    import signal

    from openai_cost_tui.sync.engine import SyncEngine

    monkeypatch.setenv("OPENAI_COST_TUI_HOME", str(tmp_path))
    monkeypatch.setenv("ACME_KEY", "sk-admin-" + "s" * 40)
    with Store(str(tmp_path / "costs.db")) as s:
        s.add_connection(NewConnection("Acme", "https://api.openai.com/v1", "env", "ACME_KEY", date(2026, 1, 1)))

    def stopped(self, client, run_, window, grouping, today):
        if stop == "SIGTERM":
            os.kill(os.getpid(), signal.SIGTERM)  # the handler raises at the next bytecode
        raise stop()

    monkeypatch.setattr(SyncEngine, "_sync_window", stopped)
    try:
        code, _, err = run(capsys, "sync")
    except SystemExit as exc:
        code, err = exc.code, capsys.readouterr().err
    assert code == rc, err
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL or stop != "SIGTERM"
    status, last_error = _status(capsys)
    assert status == "interrupted" and f"interrupted ({why})" in last_error
    with Store(str(tmp_path / "costs.db")) as s:
        assert s.runs()[0].outcome == "interrupted"
    code, out, _ = run(capsys, "check", "--anomaly-days", "0")
    assert code == 3 and f"interrupted ({why})" in out


def test_a_wal_store_whose_folder_cannot_be_written_is_read_as_immutable(tmp_path, monkeypatch) -> None:
    """What a user without write permission meets (no -shm can be made): read with immutable=1."""
    from openai_cost_tui.store import db

    path = tmp_path / "costs.db"
    _store_with_a_workspace(path)
    real = sqlite3.connect
    tried = []

    def connect(target, *args, **kwargs):
        tried.append(str(target))
        if kwargs.get("uri") and "immutable=1" not in str(target):
            raise sqlite3.OperationalError("attempt to write a readonly database")
        return real(target, *args, **kwargs)

    monkeypatch.setattr(db.sqlite3, "connect", connect)
    before = path.read_bytes()
    with Store(str(path), mode="read") as s:
        assert [w.name for w in s.workspaces()] == ["Team"]
        assert "immutable=1" in s.db.database
    assert path.read_bytes() == before and any("immutable=1" in t for t in tried)
