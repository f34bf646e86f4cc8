"""The CONTRACT end to end: real processes, a real SQLite file, the fake Admin API over loopback HTTP."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from datetime import date, timedelta

import pytest

from openai_cost_tui.core.dates import add_months, today_utc
from openai_cost_tui.fake.api import FakeAdminApi
from openai_cost_tui.fake.org import FakeOrg
from openai_cost_tui.fake.server import serve_in_thread
from tests.support.expect import atto, expected_totals

KEY = "sk-admin-E2E" + "x" * 40


def cli(data_dir, *args, env=None, stdin: str | None = None) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "OPENAI_COST_TUI_HOME": str(data_dir), "ACME_KEY": KEY, **(env or {})}
    return subprocess.run([sys.executable, "-m", "openai_cost_tui", *args], capture_output=True, text=True,
                          env=full_env, input=stdin, timeout=120)


@pytest.fixture(scope="module")
def fake():
    org = FakeOrg(5, size="small")
    api = FakeAdminApi(org)
    with serve_in_thread(api) as base_url:
        yield org, api, base_url


def test_add_sync_report_resync_remove(tmp_path, fake) -> None:
    org, api, base_url = fake
    today = today_utc()
    since = add_months(today, -12)
    added = cli(tmp_path, "connections", "add", "--description", "Acme", "--key-env", "ACME_KEY",
                "--base-url", base_url, "--workspace", "prod", "--since", since.isoformat())
    assert added.returncode == 0, added.stderr
    assert KEY not in added.stdout + added.stderr

    synced = cli(tmp_path, "sync")
    assert synced.returncode == 0, synced.stderr
    assert "Acme: synced" in synced.stderr

    end = today
    for dims, cols in ((("service",), "month"), (("tier",), None), (("project",), "month")):
        args = ["report", "--rows", ",".join(dims), "--from", since.isoformat(), "--to", end.isoformat(),
                "--format", "json"]
        if cols:
            args += ["--cols", cols]
        out = cli(tmp_path, *args)
        assert out.returncode == 0, out.stderr
        doc = json.loads(out.stdout)
        assert (doc["currency"], doc["from"], doc["to"], doc["measure"]) == ("usd", since.isoformat(),
                                                                                end.isoformat(), "cost")
        keys = (*dims, *((cols,) if cols else ()))
        got = {tuple(r[k] for k in keys): atto(r["cost"]) for r in doc["rows"]}
        assert got == expected_totals(org, keys, since, end)
        assert atto(doc["total"]) == atto(org.total(since, end + timedelta(days=1)))

    db = tmp_path / "costs.db"
    rows_sql = ("SELECT connection_id, day, project_id, api_key_id, charge_id, currency, amount_hi, amount_lo, "
                "qty_hi, qty_lo FROM cost ORDER BY 1, 2, 3, 4, 5, 6")
    dump = sqlite3.connect(db).execute(rows_sql).fetchall()
    assert cli(tmp_path, "sync", "--quiet").returncode == 0
    assert sqlite3.connect(db).execute(rows_sql).fetchall() == dump

    listed = json.loads(cli(tmp_path, "connections", "list", "--format", "json").stdout)
    assert listed[0]["description"] == "Acme" and listed[0]["key_source"] == "env ACME_KEY"
    assert listed[0]["cost_rows"] == len(dump) and listed[0]["workspaces"] == ["prod"]

    removed = cli(tmp_path, "connections", "remove", "Acme", "--yes")
    assert removed.returncode == 0, removed.stderr
    con = sqlite3.connect(db)
    for table in ("cost", "connection", "project", "api_key", "sync_run", "workspace_connection"):
        assert con.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] == 0, table
    assert KEY.encode() not in db.read_bytes()
    empty = json.loads(cli(tmp_path, "report", "--format", "json").stdout)
    assert empty["rows"] == [] and empty["total"] == "0"


def test_revision_upstream_is_reflected_after_the_next_sync(tmp_path) -> None:
    org = FakeOrg(9, size="small")
    with serve_in_thread(FakeAdminApi(org)) as base_url:
        since = today_utc() - timedelta(days=20)
        assert cli(tmp_path, "connections", "add", "--description", "Acme", "--key-env", "ACME_KEY",
                   "--base-url", base_url, "--since", since.isoformat()).returncode == 0
        assert cli(tmp_path, "sync").returncode == 0
        day = today_utc() - timedelta(days=1)
        org.revise(day, scale=__import__("decimal").Decimal("2"))
        assert cli(tmp_path, "sync").returncode == 0
        doc = json.loads(cli(tmp_path, "report", "--rows", "day", "--from", since.isoformat(), "--format",
                             "json").stdout)
    got = {r["day"]: atto(r["cost"]) for r in doc["rows"]}
    assert got == {k[0]: v for k, v in expected_totals(org, ("day",), since, today_utc()).items()}


def test_project_key_and_revoked_key_are_refused_before_saving(tmp_path, fake) -> None:
    _, _, base_url = fake
    proj = cli(tmp_path, "connections", "add", "--description", "P", "--key-stdin", "--insecure-storage",
               "--base-url", base_url, stdin="sk-proj-abcdefabcdefabcdefabcdef\n")
    assert proj.returncode == 2 and "project key" in proj.stderr
    org = FakeOrg(5, size="small")
    revoked = "sk-admin-REVOKED" + "r" * 30
    with serve_in_thread(FakeAdminApi(org, revoked_keys=[revoked])) as url:
        out = cli(tmp_path, "connections", "add", "--description", "R", "--key-stdin", "--insecure-storage",
                  "--base-url", url, stdin=revoked)
    assert out.returncode == 1 and "revoked" in out.stderr.lower() and revoked not in out.stderr
    assert "Traceback" not in out.stderr
    assert json.loads(cli(tmp_path, "connections", "list", "--format", "json").stdout) == []
    assert not (tmp_path / "keys").exists() or not list((tmp_path / "keys").iterdir())


def test_keyring_is_used_when_a_real_backend_answers(tmp_path, fake, file_keyring) -> None:
    _, _, base_url = fake
    out = cli(tmp_path, "connections", "add", "--description", "K", "--key-stdin", "--base-url", base_url,
              "--since", (today_utc() - timedelta(days=3)).isoformat(), stdin=KEY)
    assert out.returncode == 0, out.stderr
    assert KEY in file_keyring.read_text()
    assert cli(tmp_path, "sync").returncode == 0
    assert cli(tmp_path, "connections", "remove", "K", "--yes").returncode == 0
    assert KEY not in file_keyring.read_text()


def test_no_keyring_stops_with_the_ways_on_and_writes_nothing(tmp_path, fake) -> None:
    _, _, base_url = fake
    out = cli(tmp_path, "connections", "add", "--description", "K", "--key-stdin", "--base-url", base_url,
              stdin=KEY, env={"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"})
    assert out.returncode == 2
    assert "--key-env" in out.stderr and "--insecure-storage" in out.stderr
    assert json.loads(cli(tmp_path, "connections", "list", "--format", "json").stdout) == []


def test_sync_failure_names_the_connection_and_keeps_data(tmp_path) -> None:
    org = FakeOrg(4, size="small")
    api = FakeAdminApi(org)
    with serve_in_thread(api) as base_url:
        since = (today_utc() - timedelta(days=10)).isoformat()
        cli(tmp_path, "connections", "add", "--description", "Flaky", "--key-env", "ACME_KEY",
            "--base-url", base_url, "--since", since)
        assert cli(tmp_path, "sync").returncode == 0
        before = cli(tmp_path, "report", "--rows", "day", "--from", since, "--format", "csv").stdout
        from openai_cost_tui.fake.faults import Fault

        api.faults.add(Fault("401", path="costs", times=0))
        failed = cli(tmp_path, "sync")
    assert failed.returncode == 1
    assert "sync failed for 'Flaky'" in failed.stderr and "intact" in failed.stderr
    assert cli(tmp_path, "report", "--rows", "day", "--from", since, "--format", "csv").stdout == before


def test_demo_runs_headless_without_network_or_keys(tmp_path) -> None:
    out = cli(tmp_path, "--demo", "report", "--rows", "service", "--format", "json")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert {r["service"] for r in doc["rows"]} >= {"Chats and Completions", "Images", "Audio", "Embeddings"}
    assert not any(tmp_path.iterdir())  # nothing written to the user's data folder


def test_fake_api_command_serves_loopback_only(tmp_path) -> None:
    out = cli(tmp_path, "fake-api", "--host", "0.0.0.0", "--port", "0")
    assert out.returncode == 2 and "loopback" in out.stderr
    bad = cli(tmp_path, "fake-api", "--port", "0", "--fault", "costs:teapot")
    assert bad.returncode == 2 and "--fault" in bad.stderr


def test_fake_api_command_answers_over_http(tmp_path) -> None:
    import httpx

    proc = subprocess.Popen([sys.executable, "-m", "openai_cost_tui", "fake-api", "--port", "0", "--seed", "3"],
                            stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        base = line.split(" at ")[1].split()[0]
        start = int((date.today() - timedelta(days=3)).strftime("%s"))
        r = httpx.get(f"{base}/organization/costs", params={"start_time": start},
                      headers={"Authorization": "Bearer sk-admin-anything-at-all"})
        assert r.status_code == 200 and r.json()["object"] == "page"
    finally:
        proc.terminate()
        proc.wait(10)
