"""Two members on one real PostgreSQL store: A has the key and syncs, B has none and reads.

Each member is a data folder of its own (its key-refs.json) and a name ($OPENAI_COST_TUI_MEMBER);
the store comes from $OPENAI_COST_TUI_DB, the fake Admin API over loopback HTTP. Skips without
OPENAI_COST_TUI_TEST_PG (.ci/run starts the server).
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import uuid
from datetime import timedelta

import pytest

from openai_cost_tui.core.dates import today_utc
from openai_cost_tui.fake.api import FakeAdminApi
from openai_cost_tui.fake.org import FakeOrg
from openai_cost_tui.fake.server import serve_in_thread
from openai_cost_tui.store.store import NewConnection, Store
from tests.support.cli import run
from tests.test_postgres import SERVER, needs_postgres, pg_url  # noqa: F401 - the fixture: a fresh database per test

pytestmark = needs_postgres
KEY_A = "sk-admin-TeamA" + "a" * 40
KEY_NEW = "sk-admin-TeamN" + "n" * 40


@pytest.fixture(scope="module")
def fake():
    with serve_in_thread(FakeAdminApi(FakeOrg(8, size="small"))) as base_url:
        yield base_url


class Member:
    def __init__(self, name: str, folder, monkeypatch, capsys) -> None:
        self.name, self.folder, self.monkeypatch, self.capsys = name, folder, monkeypatch, capsys

    def __call__(self, *argv: str, stdin: str | None = None) -> tuple[int, str, str]:
        self.monkeypatch.setenv("OPENAI_COST_TUI_MEMBER", self.name)
        self.monkeypatch.setattr("sys.stdin", io.StringIO(stdin or ""))
        return run(self.capsys, "--data-dir", str(self.folder), *argv)


@pytest.fixture
def team(pg_url, tmp_path, monkeypatch, capsys, file_keyring, fake):  # noqa: F811
    monkeypatch.setenv("OPENAI_COST_TUI_DB", pg_url)  # no --db: the URL stays out of argv
    a = Member("alice@cron-host", tmp_path / "alice", monkeypatch, capsys)
    b = Member("bob@laptop", tmp_path / "bob", monkeypatch, capsys)
    since = (today_utc() - timedelta(days=20)).isoformat()
    code, out, err = a("connections", "add", "--description", "Acme", "--key-stdin", "--base-url", fake,
                       "--since", since, "--workspace", "team", stdin=KEY_A)
    assert code == 0, err
    code, _, err = a("sync")
    assert code == 0, err
    return a, b, since


def report(member, since) -> str:
    code, out, err = member("report", "--rows", "service,project", "--cols", "day", "--from", since,
                            "--format", "json")
    assert code == 0, err
    return out


def test_a_member_without_a_key_skips_reads_and_sees_the_same_report(team, pg_url) -> None:  # noqa: F811
    a, b, since = team
    code, out, err = b("sync")
    assert code == 0, err
    assert "skipped 'Acme': no key for 'Acme' here" in err and "alice@cron-host" in err
    assert "connections set-key" in err and "failed" not in err
    code, out, err = b("sync", "--format", "json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["ok"] is True and doc["connections"][0]["outcome"] == "skipped"
    assert "no key for 'Acme' here" in doc["connections"][0]["reason"]

    code, out, err = b("check", "--anomaly-days", "0")
    assert code == 0, (out, err)
    assert report(b, since) == report(a, since)  # byte for byte
    with Store(pg_url) as store, store.sync_lock():  # while A's cron syncs, B's sync has nothing to wait for
        code, out, err = b("sync")
    assert code == 0 and "skipped 'Acme'" in err

    listed = {m: json.loads(m("connections", "list", "--format", "json")[1])[0] for m in (a, b)}
    assert listed[b]["key_here"] is False and listed[b]["key_source"] == "no key here"
    assert listed[a]["key_here"] is True and listed[a]["key_source"] == "keyring"
    assert listed[a]["status"] == listed[b]["status"] == "ok" and listed[b]["synced_by"] == "alice@cron-host"
    code, out, _ = b("connections", "list")
    assert "no key here" in out and "by alice@cron-host" in out


def test_rotating_the_key_touches_no_cost(team, pg_url, file_keyring) -> None:  # noqa: F811
    a, b, since = team
    with Store(pg_url) as store:
        before_rows, before_report = store.dump_costs(), report(a, since)
    old_entries = set(json.loads(file_keyring.read_text()))
    code, out, err = a("connections", "set-key", "Acme", "--key-stdin", stdin=KEY_NEW)
    assert code == 0, err
    assert "checked and stored in the OS keyring" in out and "No cost was touched" in out
    entries = set(json.loads(file_keyring.read_text()))
    assert len(entries) == 1 and entries != old_entries  # the new entry; the old one is deleted
    assert json.loads(file_keyring.read_text()).popitem()[1] == KEY_NEW
    with Store(pg_url) as store:
        assert store.dump_costs() == before_rows
    assert report(a, since) == report(b, since) == before_report

    code, out, err = a("connections", "set-key", "Acme", "--key-stdin", stdin="sk-proj-" + "p" * 40)
    assert code == 2 and "the old key and base URL are kept, nothing changed" in err
    assert json.loads(file_keyring.read_text()).popitem()[1] == KEY_NEW
    code, out, err = a("sync")
    assert code == 0, err  # with the new key


def test_a_real_failure_reaches_the_shared_status_with_who_saw_it(team, pg_url, fake) -> None:  # noqa: F811
    a, b, since = team
    with Store(pg_url) as store:  # a path the API does not serve: 404, no retry
        store.update_connection(store.connection("Acme").id, base_url=fake.rsplit("/", 1)[0] + "/nothing-here")
    code, out, err = a("sync", "--format", "json")
    assert code == 1
    code, out, err = b("connections", "list", "--format", "json")
    doc = json.loads(out)[0]
    assert doc["status"] == "failed" and doc["error_by"] == "alice@cron-host"
    assert b("check", "--anomaly-days", "0")[0] == 3  # a real failure is everyone's business


def test_a_reference_an_older_version_kept_in_the_shared_store(pg_url, tmp_path, monkeypatch, capsys,  # noqa: F811
                                                                fake) -> None:
    """Written by the adder into the store itself: A (whose variable is set) takes it over; B skips."""
    monkeypatch.setenv("OPENAI_COST_TUI_DB", pg_url)
    with Store(pg_url) as store:
        store.add_connection(NewConnection("Legacy", fake, "env", "LEGACY_KEY", today_utc() - timedelta(days=5)))
    a = Member("alice@cron-host", tmp_path / "alice", monkeypatch, capsys)
    b = Member("bob@laptop", tmp_path / "bob", monkeypatch, capsys)
    code, out, err = b("sync")
    assert code == 0 and "skipped 'Legacy'" in err
    monkeypatch.setenv("LEGACY_KEY", KEY_A)
    code, out, err = a("sync")
    assert code == 0 and "Legacy: synced" in err, err
    refs = json.loads((tmp_path / "alice" / "key-refs.json").read_text())
    (entry,) = [s["connections"]["1"] for s in refs["stores"].values()]
    assert (entry["source"], entry["ref"]) == ("env", "LEGACY_KEY")
    assert not (tmp_path / "bob" / "key-refs.json").exists()


@pytest.fixture
def pw_role(pg_url):  # noqa: F811
    """A role with a password, owning a database of its own: (url without password, password)."""
    import psycopg2

    role, password = "octui_pw_" + uuid.uuid4().hex[:8], "Pw-" + uuid.uuid4().hex
    name = pg_url.rsplit("/", 1)[1] + "_pw"
    admin = psycopg2.connect(SERVER)
    admin.autocommit = True
    cur = admin.cursor()
    cur.execute(f"CREATE ROLE {role} LOGIN PASSWORD %s", (password,))
    cur.execute(f"CREATE DATABASE {name} OWNER {role}")
    host = SERVER.split("@", 1)[1].rsplit("/", 1)[0]
    yield f"postgresql://{role}@{host}/{name}", password
    cur.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    cur.execute(f"DROP ROLE IF EXISTS {role}")
    admin.close()


def test_a_url_password_is_never_shown(pw_role, tmp_path, monkeypatch, capsys, fake) -> None:
    bare, password = pw_role
    url = bare.replace("@", f":{password}@", 1)
    monkeypatch.setenv("ACME_KEY", KEY_A)
    seen = []

    def cli(*argv: str) -> int:
        code, out, err = run(capsys, "--data-dir", str(tmp_path), *argv)
        seen.append(out + err)
        return code

    since = (today_utc() - timedelta(days=3)).isoformat()
    assert cli("--db", url, "connections", "add", "--description", "Acme", "--key-env", "ACME_KEY",
               "--base-url", fake, "--since", since) == 0
    for argv in (("sync",), ("sync", "--format", "json"), ("check",), ("check", "--format", "json"),
                 ("connections", "list"), ("connections", "list", "--format", "json"), ("report",),
                 ("budgets", "list")):
        cli("--db", url, *argv)
    cli("--db", url.replace(bare.rsplit("/", 1)[1], "no_such_db"), "report")  # an error names the store
    cli("--db", url.replace("@", "x@", 1), "report")  # a wrong password: the server's refusal
    assert seen and all(password not in text for text in seen)
    assert any("no_such_db" in text for text in seen)  # the error did name the store, without the password

    # the TUI's header shows the same description of the store
    with Store(url) as store:
        assert password not in store.where and store.where.startswith("postgresql://")


def test_the_password_from_pgpassword_or_a_pgpass_file(pw_role, tmp_path, monkeypatch) -> None:
    """libpq's own places: the URL without a password reaches it (and the server trusts 127.0.0.1 in
    CI, so what libpq took is read back from the connection)."""
    bare, password = pw_role
    monkeypatch.setenv("PGPASSWORD", password)
    with Store(bare) as store:
        assert store.connections() == [] and store.db.connection().info.password == password
    monkeypatch.delenv("PGPASSWORD")
    host, rest = bare.split("@", 1)[1].split("/", 1)
    hostname, port = host.rsplit(":", 1)
    role = bare.split("//", 1)[1].split("@", 1)[0]
    pgpass = tmp_path / "pgpass"
    pgpass.write_text(f"{hostname}:{port}:{rest}:{role}:{password}\n")
    pgpass.chmod(0o600)
    monkeypatch.setenv("PGPASSFILE", str(pgpass))
    with Store(bare) as store:
        assert store.connections() == [] and store.db.connection().info.password == password
    monkeypatch.delenv("PGPASSFILE")
    service = tmp_path / "pg_service.conf"  # a service file: the URL names neither host nor role
    service.write_text(f"[costs]\nhost={hostname}\nport={port}\ndbname={rest}\nuser={role}\npassword={password}\n")
    monkeypatch.setenv("PGSERVICEFILE", str(service))
    with Store("postgresql:///?service=costs") as store:
        info = store.db.connection().info
        assert store.connections() == [] and (info.dbname, info.user, info.password) == (rest, role, password)
        assert password not in store.where


def test_the_environment_route_keeps_the_password_out_of_the_process_list(pw_role, tmp_path) -> None:
    bare, password = pw_role
    url = bare.replace("@", f":{password}@", 1)
    env = {**os.environ, "OPENAI_COST_TUI_DB": url, "OPENAI_COST_TUI_HOME": str(tmp_path),
           "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    with Store(url) as store:
        store.add_connection(NewConnection("Acme", "https://api.openai.com/v1", "member", "", today_utc()))
    # set-key waits for its key on stdin: while it does, its command line is what `ps` shows
    proc = subprocess.Popen([sys.executable, "-m", "openai_cost_tui", "connections", "set-key", "Acme",
                             "--key-stdin", "--insecure-storage"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
    try:
        cmdline = ""
        while "set-key" not in cmdline and proc.poll() is None:  # set at exec, which may not have happened yet
            cmdline = open(f"/proc/{proc.pid}/cmdline", "rb").read().decode()
        assert "set-key" in cmdline and password not in cmdline
        out, err = proc.communicate("sk-proj-" + "p" * 40, timeout=60)  # refused locally: nothing sent
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 2 and password not in out + err


def test_remove_on_a_shared_store_says_it_deletes_every_members_costs(team, monkeypatch) -> None:
    a, b, since = team
    monkeypatch.setattr("builtins.input", lambda prompt: (seen.append(prompt), "n")[1])
    seen: list[str] = []
    b.monkeypatch.setattr("sys.stdin", type("Tty", (io.StringIO,), {"isatty": lambda self: True})())
    code, out, err = run(b.capsys, "--data-dir", str(b.folder), "connections", "remove", "Acme")
    assert code == 0 and "Nothing removed." in out
    assert "is a shared store: removing the connection deletes its costs for every member" in err
    assert "cost rows for every member, workspaces: team? [y/N]" in seen[0]


async def test_the_tui_of_a_member_without_a_key_says_who_synced(team, pg_url) -> None:  # noqa: F811
    from textual.widgets import DataTable, Static

    from openai_cost_tui.services.context import open_context
    from openai_cost_tui.tui.app import make_app
    from tests.support.tui import settle

    a, b, since = team
    ctx = open_context(folder=str(b.folder), db=pg_url, need="create")
    try:
        app = make_app(ctx, sync_on_start=False, refresh_interval=0)
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(pilot)
            await pilot.press("f3")
            await settle(pilot)
            table = app.screen.query_one("#connections", DataTable)
            row = [str(cell) for cell in table.get_row_at(0)]
            assert row[2] == "no key here" and row[3] == "ok, synced by others"
            detail = str(app.screen.query_one("#sync-detail", Static).render())
            assert "synced by alice@cron-host at" in detail and "no key for it here" in detail
            assert "failed" not in app.status_text()
            await pilot.press("s")  # sync it from here: skipped, said once a session
            await settle(pilot)
            assert [n.title for n in app._notifications].count("No key here") == 1
            app.clear_notifications()
            await pilot.press("s")
            await settle(pilot)
            assert "No key here" not in [n.title for n in app._notifications]
    finally:
        ctx.close()
