"""The cube of the names API keys show (store/tag_cube.py ``KEY_LABELS``): kept while many keys share
names, dropped when they stop, built again by a migration from schema 13; day-binned views by key read
it and equal the pivot of the raw rows to the last atto-dollar, however windows, names and connections
change after it was built, on SQLite and PostgreSQL."""

from __future__ import annotations

import contextlib
import sqlite3
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings

from openai_cost_tui.core import money
from openai_cost_tui.core.dates import DateRange
from openai_cost_tui.core.models import ApiKeyInfo, CostRow, Filter, PivotSpec
from openai_cost_tui.core.tags import Rule, Tag, TagValue
from openai_cost_tui.store import tag_cube
from openai_cost_tui.store.store import NewConnection, Store
from tests.test_pivot_by_label import _fresh_pg
from tests.test_pivot_property import DAYS, LINE_ITEMS, START, sqlite_store
from tests.test_postgres import needs_postgres, pg_url  # noqa: F401  (the fixture: a fresh database)
from tests.test_tag_cube import before_st, ops_st, replay
from tests.test_tags_cli import forget_tags  # noqa: F401  (autouse)
from tests.test_tags_property import RANGE, TODAY

TEAM = Tag("team", (TagValue("V0", (Rule((("project", ("p1",)),)),)),))
VIEWS = [
    PivotSpec(rows=("api_key",), cols="day", date_range=RANGE, quantities=False),
    PivotSpec(rows=("api_key", "organization"), cols="week", date_range=RANGE, quantities=False),
    PivotSpec(rows=("connection", "api_key"), cols="day", date_range=DateRange(START + timedelta(days=3), RANGE.end),
              quantities=False, top=1),
    PivotSpec(rows=("day",), cols="api_key", date_range=RANGE, quantities=False,
              filters=(Filter("api_key", ("ci", "k2", "(none)")),)),
    PivotSpec(rows=("api_key",), cols="day", date_range=RANGE, quantities=False,
              filters=(Filter("api_key", ("dev",), exclude=True), Filter("connection", ("Conn B",), exclude=True),
                       Filter("day", (START.isoformat(), (START + timedelta(days=9)).isoformat())))),
]
WHOLE = DateRange(date(2026, 5, 1), RANGE.end)  # May whole, June's days to the last stored one
MONTH_VIEWS = [  # by key and charge dimensions: whole months from the cube, the edge days as before
    PivotSpec(rows=("api_key",), cols="service", date_range=WHOLE, quantities=False),
    PivotSpec(rows=("api_key", "category"), cols="month", date_range=WHOLE, quantities=False,
              filters=(Filter("service", ("Chats and Completions", "Images")), Filter("api_key", ("ci",)))),
    PivotSpec(rows=("organization", "api_key"), cols="tier", date_range=WHOLE, quantities=False, top=2,
              filters=(Filter("api_key", ("dev", "(none)"), exclude=True),)),
]
OTHERS = [  # what the cube cannot answer: read as before
    PivotSpec(rows=("api_key",), cols="day", date_range=RANGE),  # quantities
    PivotSpec(rows=("api_key",), cols="month", date_range=RANGE, quantities=False),  # whole months: the month cubes
    PivotSpec(rows=("api_key",), cols="day", date_range=RANGE, quantities=False,
              filters=(Filter("service", ("Chats and Completions",)),)),
]


def read_from_cube(store: Store, spec: PivotSpec) -> bool:
    """Whether the pivot of ``spec`` reads (its days, or its whole months) from the cube of key labels."""
    answered = []
    real = tag_cube.key_label_cells

    def spy(*args, **kwargs):
        found = real(*args, **kwargs)
        answered.append(found is not None)
        return found

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(tag_cube, "key_label_cells", spy)
        store.run_pivot(spec, today=TODAY)
    return any(answered)


def same_as_raw(store: Store) -> None:
    for spec in (*VIEWS, *MONTH_VIEWS, *OTHERS):
        fast, slow = store.run_pivot(spec, today=TODAY), store.run_pivot(spec, today=TODAY, use_rollups=False)
        assert (fast.row_keys, fast.col_keys, fast.cells, fast.row_totals, fast.total) == (
            slow.row_keys, slow.col_keys, slow.cells, slow.row_totals, slow.total), spec


def built(store: Store) -> bool:
    with store.read():
        return any(t.name == tag_cube.KEY_LABELS.name for t in tag_cube._built(store.db, store.m))


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops=ops_st, before=before_st)
def test_views_by_key_from_the_cube_equal_the_raw_rows(ops, before) -> None:
    with pytest.MonkeyPatch.context() as mp, sqlite_store() as store:
        mp.setattr(tag_cube, "KEY_LABEL_SHARE", 1)  # kept wherever keys are: these stores have a few
        replay(store, TEAM, ops, before)
        assert built(store) == bool(store.connections())  # (each connection has named keys)
        assert all(read_from_cube(store, spec) == built(store) for spec in (*VIEWS, *MONTH_VIEWS))
        assert not any(read_from_cube(store, spec) for spec in OTHERS)
        same_as_raw(store)


def shared_names(store: Store, names: list[str]) -> int:
    """A connection whose keys k0..k7 show ``names`` (in turn), with costs on each of them and none."""
    conn = store.add_connection(NewConnection("Conn A", "https://api.openai.com/v1", "env", "K", START,
                                              organization_name="Org A"))
    keys = [f"k{i}" for i in range(8)]
    store.save_names(conn.id, [], [ApiKeyInfo(k, names[i % len(names)], "p1") for i, k in enumerate(keys)])
    rows = [CostRow(START + timedelta(days=d), "p1", LINE_ITEMS[1 + i % 3], k, "usd", (d + 1) * (i + 7) * money.SCALE, None,
                    None) for d in range(DAYS) for i, k in enumerate([*keys, None])]
    store.replace_window(conn.id, START, START + timedelta(days=DAYS - 1), rows)
    return conn.id


def test_the_cube_is_kept_while_keys_share_names_and_dropped_when_they_stop() -> None:
    with sqlite_store() as store:
        conn = shared_names(store, ["ci", "dev"])  # 8 keys, 2 labels
        assert built(store) and read_from_cube(store, VIEWS[0])
        same_as_raw(store)
        store.save_names(conn, [], [ApiKeyInfo(f"k{i}", f"key {i}", "p1") for i in range(8)])  # a name each
        assert not built(store) and not read_from_cube(store, VIEWS[0])
        same_as_raw(store)
        store.save_names(conn, [], [ApiKeyInfo(f"k{i}", "prod", "p1") for i in range(8)])  # one name for all
        assert built(store)
        same_as_raw(store)
        assert {k[0] for k in store.run_pivot(VIEWS[0], today=TODAY).row_keys} == {"prod", "(none)"}
        store.remove_connection(conn)
        assert not built(store)


def test_a_schema_13_store_gets_the_cube_where_its_keys_share_names(tmp_path) -> None:
    path = str(tmp_path / "costs.db")
    with Store(path) as store:
        shared_names(store, ["ci", "dev"])
    with contextlib.closing(sqlite3.connect(path)) as con, con:  # as schema 13 left it: no such cube
        for table in ("tag_day", "tag_month", "tag_cube"):
            con.execute(f"DELETE FROM {table}")
        con.execute("UPDATE meta SET value = '13' WHERE key = 'schema_version'")
    with Store(path) as store:
        assert built(store) and read_from_cube(store, VIEWS[0])
        same_as_raw(store)


@needs_postgres
def test_the_cube_of_key_labels_on_a_team_store(pg_url) -> None:  # noqa: F811
    _fresh_pg(pg_url)
    with Store(pg_url) as store:
        conn = shared_names(store, ["ci", "dev"])
        assert built(store) and read_from_cube(store, VIEWS[0])
        same_as_raw(store)
        store.save_names(conn, [], [ApiKeyInfo("k1", "prod", "p1")])
        store.replace_window(conn, START + timedelta(days=2), START + timedelta(days=4), [
            CostRow(START + timedelta(days=3), "p2", LINE_ITEMS[2], "k1", "usd", 5 * money.SCALE, None, None)])
        same_as_raw(store)


def test_a_view_read_while_a_sync_drops_the_cube_falls_back_to_the_rollups(tmp_path) -> None:
    """A reader checks the cube, then a writer (a sync whose keys now each have a name of their own) drops
    it before the reader's query runs: the view is read without the cube, whole, not empty."""
    path = str(tmp_path / "costs.db")
    with Store(path) as writer, Store(path) as reader:
        conn = shared_names(writer, ["ci", "dev"])
        spec = VIEWS[0]
        before = reader.run_pivot(spec, today=TODAY)
        assert read_from_cube(reader, spec) and before.total.amount
        real, fired = reader.db.execute_sql, []

        def execute_sql(sql, *args, **kwargs):
            if not fired and 'FROM "tag_day"' in sql:
                fired.append(True)  # between the reader's check and its query
                writer.save_names(conn, [], [ApiKeyInfo(f"k{i}", f"key {i}", "p1") for i in range(8)])
            return real(sql, *args, **kwargs)

        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(reader.db, "execute_sql", execute_sql)
            during = reader.run_pivot(spec, today=TODAY)
        assert fired and not built(reader)
        assert during.total == before.total and during == reader.run_pivot(spec, today=TODAY, use_rollups=False)


def test_a_ratio_between_the_two_marks_keeps_what_the_store_has() -> None:
    """Built at one label for every 4 keys, dropped past one for every 3: a wavering ratio in between
    neither builds nor drops the cube (each would class every connection's rows again inside a sync)."""
    with sqlite_store() as store:
        conn = store.add_connection(NewConnection("Conn A", "https://api.openai.com/v1", "env", "K", START))

        def names(count: int) -> bool:
            store.save_names(conn.id, [], [ApiKeyInfo(f"k{i}", f"n{i % count}", "p1") for i in range(12)])
            return built(store)

        assert names(3)  # 3 labels for 12 keys: built
        assert names(4)  # 4 for 12: kept
        assert not names(5)  # 5 for 12: dropped
        assert not names(4)  # 4 for 12: not built again
        assert names(3)
        same_as_raw(store)
