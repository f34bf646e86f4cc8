"""The team store: the same store, sync, report and CLI tests against a real PostgreSQL server.

.ci/run starts a PostgreSQL server and sets OPENAI_COST_TUI_TEST_PG; elsewhere these tests skip.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from datetime import timedelta

import pytest

from openai_cost_tui.core.clock import fixed_clock
from openai_cost_tui.core.dates import DateRange, today_utc
from openai_cost_tui.core.errors import SyncBusy
from openai_cost_tui.core.models import Filter, PivotSpec
from openai_cost_tui.fake.api import FakeAdminApi
from openai_cost_tui.fake.org import FakeOrg
from openai_cost_tui.fake.server import serve_in_thread
from openai_cost_tui.fake.transport import fake_transport
from openai_cost_tui.keys.keystore import KeyStore
from openai_cost_tui.store.store import NewConnection, Store
from openai_cost_tui.sync.engine import SyncEngine
from tests.support.expect import atto, expected_totals
from tests.support.readers import total_readers
from tests.test_sync import KEY_ENV, NOW, START, TODAY

SERVER = os.environ.get("OPENAI_COST_TUI_TEST_PG")
# every test that needs the server: it says how to get one when it skips
needs_postgres = pytest.mark.skipif(
    not SERVER, reason="no PostgreSQL server: set OPENAI_COST_TUI_TEST_PG=postgresql://... (.ci/run starts one)"
)
pytestmark = needs_postgres


@pytest.fixture
def pg_url():
    import psycopg2

    name = "octui_" + uuid.uuid4().hex[:10]
    admin = psycopg2.connect(SERVER)
    admin.autocommit = True
    admin.cursor().execute(f"CREATE DATABASE {name}")
    url = SERVER.rsplit("/", 1)[0] + "/" + name
    yield url
    admin.cursor().execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    admin.close()


def engine_for(store: Store, org: FakeOrg, tmp_path) -> SyncEngine:
    api = FakeAdminApi(org, clock=fixed_clock(NOW))
    return SyncEngine(store, KeyStore(tmp_path, environ=KEY_ENV), clock=fixed_clock(NOW),
                      transport_for=lambda conn: fake_transport(api), client_options={"sleep": lambda s: None})


def add_acme(store: Store, org: FakeOrg):
    return store.add_connection(NewConnection("Acme", "https://api.openai.com/v1", "env", "ACME_KEY", START,
                                              organization_name=org.organization_name), workspaces=["prod"])


SPECS = [
    PivotSpec(rows=("service",), cols="month"),
    PivotSpec(rows=("project", "api_key"), cols="week", top=5),
    PivotSpec(rows=("category",), cols="tier", measure="unit_cost"),
    PivotSpec(rows=("subcategory",), cols=None, measure="quantity",
              filters=(Filter("service", ("Images", "Audio"), exclude=True),), workspace="prod"),
    PivotSpec(rows=("service",), cols="day", measure="quantity"),  # the daily rollups
    PivotSpec(rows=("organization", "project"), cols="week", measure="quantity"),
]


def test_sync_and_pivots_equal_sqlite_to_the_last_digit(pg_url, tmp_path) -> None:
    org = FakeOrg(3, start=START, end=TODAY, size="small")
    pg, lite = Store(pg_url), Store(str(tmp_path / "costs.db"))
    try:
        for store in (pg, lite):
            conn = add_acme(store, org)
            assert engine_for(store, org, tmp_path).sync(store.connection(conn.id)).ok
        assert pg.total() == lite.total() == atto(org.total(START, TODAY + timedelta(days=1)))
        assert pg.dump_costs() == lite.dump_costs()
        for spec in SPECS:
            spec = PivotSpec(**{**spec.__dict__, "date_range": DateRange(START, TODAY)})
            a, b = pg.run_pivot(spec, today=TODAY), lite.run_pivot(spec, today=TODAY)
            raw = pg.run_pivot(spec, today=TODAY, use_rollups=False)
            assert (a.row_keys, a.col_keys, a.cells, a.row_totals, a.total) == (
                b.row_keys, b.col_keys, b.cells, b.row_totals, b.total) == (
                raw.row_keys, raw.col_keys, raw.cells, raw.row_totals, raw.total), spec
        spec = PivotSpec(rows=("project",), cols=None, date_range=DateRange(START, TODAY))
        got = {k: c.amount for k, c in pg.run_pivot(spec, today=TODAY).row_totals.items()}
        assert got == expected_totals(org, ("project",), START, TODAY)
    finally:
        pg.close()
        lite.close()


def test_resync_is_idempotent_and_remove_leaves_no_trace(pg_url, tmp_path) -> None:
    org = FakeOrg(5, start=START, end=TODAY, size="small")
    store = Store(pg_url)
    try:
        conn = add_acme(store, org)
        engine = engine_for(store, org, tmp_path)
        assert engine.sync(store.connection(conn.id)).ok
        before = store.dump_costs()
        assert engine.sync(store.connection(conn.id)).ok
        assert store.dump_costs() == before
        summary = store.remove_connection(conn.id)
        assert summary.cost_rows == len(before)
        assert store.cost_count() == 0 and store.project_names(conn.id) == {}
    finally:
        store.close()


def test_two_users_syncing_one_store_are_kept_apart(pg_url, tmp_path) -> None:
    org = FakeOrg(5, start=START, end=TODAY, size="small")
    first, second = Store(pg_url), Store(pg_url)
    try:
        conn = add_acme(first, org)
        with first.sync_lock():
            with pytest.raises(SyncBusy, match="another openai-cost-tui process is syncing"):
                engine_for(second, org, tmp_path).sync(second.connection(conn.id))
        assert engine_for(second, org, tmp_path).sync(second.connection(conn.id)).ok
    finally:
        first.close()
        second.close()


def test_readers_see_whole_windows_while_another_user_syncs(pg_url, tmp_path) -> None:
    org = FakeOrg(5, start=START, end=TODAY, size="small")
    writer = Store(pg_url)
    conn = add_acme(writer, org)
    engine = engine_for(writer, org, tmp_path)
    assert engine.sync(writer.connection(conn.id)).ok
    expected = writer.total()
    with total_readers(pg_url, 2) as (seen, errors):
        for _ in range(2):
            assert engine.sync(writer.connection(conn.id), since=START).ok
    writer.close()
    assert not errors and seen and set(seen) == {expected}


def test_cli_runs_every_command_on_postgresql(pg_url, tmp_path) -> None:
    org = FakeOrg(6, size="small")
    env = {**os.environ, "OPENAI_COST_TUI_HOME": str(tmp_path), **KEY_ENV}
    since = (today_utc() - timedelta(days=40)).isoformat()

    def cli(*args):
        return subprocess.run([sys.executable, "-m", "openai_cost_tui", "--db", pg_url, *args], env=env,
                              capture_output=True, text=True, timeout=120)

    with serve_in_thread(FakeAdminApi(org)) as base_url:
        added = cli("connections", "add", "--description", "Acme", "--key-env", "ACME_KEY", "--base-url",
                    base_url, "--since", since, "--workspace", "team")
        assert added.returncode == 0, added.stderr
        assert cli("sync").returncode == 0
        out = cli("report", "--rows", "service", "--from", since, "--workspace", "team", "--format", "json")
    assert out.returncode == 0, out.stderr
    total = atto(json.loads(out.stdout)["total"])
    assert total == atto(org.total(today_utc() - timedelta(days=40), today_utc() + timedelta(days=1)))
    assert "Acme" in cli("connections", "list").stdout
    assert cli("connections", "remove", "Acme", "--yes").returncode == 0
    assert json.loads(cli("report", "--format", "json").stdout)["rows"] == []
    assert not (tmp_path / "costs.db").exists()  # nothing went to a local SQLite file
